using System.Text.Json;

namespace Broadcast.Storage;

/// <summary>
/// The append rules, in one place for every engine: replayed signatures, duplicates of the
/// latest revision, idempotency replays and reuse, accepts of the latest quarantined revision (a
/// refused accept leaves nothing of its request behind). An engine looks up every signature,
/// idempotency key and station's latest revision the batch names (PostgreSQL in a few set-based
/// queries), lets this plan decide the whole batch in memory, inserts <see cref="Rows"/> in
/// order and remembers <see cref="NewKeys"/> and <see cref="NewSignatures"/>.
/// Seqs are only known once the store has reserved them for <see cref="Rows"/>, so receipts are
/// built in a second step, <see cref="Complete"/>.
/// </summary>
internal sealed class AppendPlan(
    IReadOnlyDictionary<(string KeyId, string Key), (byte[] Hash, string Receipts)> storedKeys,
    Dictionary<(string Contest, string Station), AppendPlan.Latest> latest,
    IReadOnlySet<string>? seenSignatures = null)
{
    /// <summary>A revision to insert; <see cref="Seq"/> is set by <see cref="Complete"/>, <see cref="Hash"/> by <see cref="Chain"/>.</summary>
    internal sealed class Row(NewRevision form, int revision, string keyId)
    {
        public NewRevision Form { get; } = form;
        public int Revision { get; } = revision;
        public string KeyId { get; } = keyId;
        public long Seq { get; set; }
        public byte[] Hash { get; set; } = [];
    }

    /// <summary>Links <see cref="Rows"/> (their seqs reserved) onto the chain whose last hash is <paramref name="head"/>.</summary>
    public void Chain(ReadOnlySpan<byte> head, long receivedAtMs)
    {
        var previous = head.ToArray();
        foreach (var row in Rows)
        {
            var form = row.Form;
            row.Hash = previous = RevisionChain.Link(previous, row.Seq, form.Contest, form.Station, row.Revision, form.Numbers,
                form.Status, form.Problems, form.Accepts, receivedAtMs, row.KeyId, form.Reason);
        }
    }

    /// <summary>A station's latest revision: stored (<see cref="Seq"/>) or added earlier in this batch (<see cref="Pending"/>).</summary>
    internal sealed record Latest(int Revision, FormNumbers Numbers, FormStatus Status, IReadOnlyList<string> Problems, long Seq, Row? Pending)
    {
        public long CurrentSeq => Pending?.Seq ?? Seq;
    }

    /// <summary>One form's answer: either a new row, or a duplicate of <see cref="Duplicate"/>.</summary>
    private readonly record struct Draft(NewRevision Form, Row? Stored, Latest? Duplicate);

    private sealed class Decision(AppendRequest request, AppendOutcome outcome)
    {
        public AppendRequest Request { get; } = request;
        public AppendOutcome Outcome { get; } = outcome;
        public List<Draft> Drafts { get; } = [];
        public string? StoredReceipts { get; init; }
        public int? ReplayOf { get; init; }
    }

    private readonly List<Decision> _decisions = [];
    private readonly Dictionary<(string KeyId, string Key), (byte[] Hash, int Request)> _batchKeys = [];

    /// <summary>The revisions to insert, in the order their seqs must follow.</summary>
    public List<Row> Rows { get; } = [];

    /// <summary>Idempotency keys to remember, filled by <see cref="Complete"/>.</summary>
    public List<(string KeyId, string Key, byte[] Hash, string Receipts)> NewKeys { get; } = [];

    /// <summary>Signatures to remember: every signed request not refused as a replay, whatever else it is answered.</summary>
    public List<(string KeyId, RequestSignature Signature)> NewSignatures { get; } = [];

    private readonly HashSet<string> _batchSignatures = new(StringComparer.Ordinal);

    /// <summary>How the engines name a signature in <c>seenSignatures</c>: its timestamp and value.</summary>
    public static string SignatureName(long timestamp, byte[] signature) => $"{timestamp}:{Convert.ToHexStringLower(signature)}";

    public void Add(AppendRequest request)
    {
        if (request.Signature is { } signature)
        {
            // Before the idempotency key: a replayed request is refused, not answered its first receipt.
            var name = SignatureName(signature.Timestamp, signature.Value);
            if (seenSignatures?.Contains(name) == true || !_batchSignatures.Add(name))
            {
                _decisions.Add(new Decision(request, AppendOutcome.SignatureReplayed));
                return;
            }
            NewSignatures.Add((request.KeyId, signature));
        }
        if (request.IdempotencyKey is { } key)
        {
            // A key first used earlier in this same batch answers like a stored one.
            if (_batchKeys.TryGetValue((request.KeyId, key), out var earlier))
            {
                _decisions.Add(earlier.Hash.AsSpan().SequenceEqual(request.BodyHash)
                    ? new Decision(request, AppendOutcome.Replayed) { ReplayOf = earlier.Request }
                    : new Decision(request, AppendOutcome.IdempotencyKeyReused));
                return;
            }
            if (storedKeys.TryGetValue((request.KeyId, key), out var stored))
            {
                _decisions.Add(stored.Hash.AsSpan().SequenceEqual(request.BodyHash)
                    ? new Decision(request, AppendOutcome.Replayed) { StoredReceipts = stored.Receipts }
                    : new Decision(request, AppendOutcome.IdempotencyKeyReused));
                return;
            }
        }

        // Staged apart so that a refused accept leaves nothing of its request behind.
        var staged = new Dictionary<(string, string), Latest>();
        var rows = new List<Row>();
        var decision = new Decision(request, AppendOutcome.Stored);
        foreach (var form in request.Forms)
        {
            var station = (form.Contest, form.Station);
            var current = staged.GetValueOrDefault(station) ?? latest.GetValueOrDefault(station);
            if (form.Accepts is { } accepted && (current is null || current.Revision != accepted || current.Status != FormStatus.Quarantined))
            {
                _decisions.Add(new Decision(request, AppendOutcome.NotAcceptable));
                return;
            }
            if (current is not null && form.Accepts is null && current.Numbers.SameAs(form.Numbers))
            {
                decision.Drafts.Add(new Draft(form, null, current));
                continue;
            }
            var row = new Row(form, (current?.Revision ?? 0) + 1, request.KeyId);
            rows.Add(row);
            staged[station] = new Latest(row.Revision, form.Numbers, form.Status, form.Problems, 0, row);
            decision.Drafts.Add(new Draft(form, row, null));
        }

        foreach (var (station, revision) in staged) latest[station] = revision;
        Rows.AddRange(rows);
        if (request.IdempotencyKey is { } newKey) _batchKeys[(request.KeyId, newKey)] = (request.BodyHash, _decisions.Count);
        _decisions.Add(decision);
    }

    /// <summary>Gives <see cref="Rows"/> their reserved seqs (ascending) and answers every request.</summary>
    public IReadOnlyList<AppendResult> Complete(IReadOnlyList<long> seqs)
    {
        if (seqs.Count != Rows.Count) throw new InvalidOperationException($"{seqs.Count} seqs reserved for {Rows.Count} revisions");
        for (var i = 0; i < Rows.Count; i++) Rows[i].Seq = seqs[i];

        var results = new List<AppendResult>(_decisions.Count);
        foreach (var decision in _decisions)
        {
            results.Add(decision.Outcome switch
            {
                AppendOutcome.Stored => Stored(decision),
                AppendOutcome.Replayed when decision.ReplayOf is { } earlier => results[earlier] with { Outcome = AppendOutcome.Replayed },
                AppendOutcome.Replayed => new AppendResult(AppendOutcome.Replayed, JsonSerializer.Deserialize<FormReceipt[]>(decision.StoredReceipts!)!),
                var other => new AppendResult(other, []),
            });
        }
        return results;
    }

    private AppendResult Stored(Decision decision)
    {
        var receipts = new List<FormReceipt>(decision.Drafts.Count);
        foreach (var (form, row, duplicate) in decision.Drafts)
        {
            receipts.Add(row is not null
                ? new FormReceipt(form.Station, form.Contest, row.Revision, row.Seq, FormReceipt.StatusOf(form.Status), form.Problems)
                : new FormReceipt(form.Station, form.Contest, duplicate!.Revision, duplicate.CurrentSeq, FormReceipt.Duplicate, duplicate.Problems));
        }
        if (decision.Request.IdempotencyKey is { } key)
            NewKeys.Add((decision.Request.KeyId, key, decision.Request.BodyHash, JsonSerializer.Serialize(receipts)));
        return new AppendResult(AppendOutcome.Stored, receipts);
    }
}
