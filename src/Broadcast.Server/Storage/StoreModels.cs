using System.Text.Json.Serialization;
using Broadcast.Ingest;

namespace Broadcast.Storage;

/// <summary>Whether a stored revision goes into the totals.</summary>
public enum FormStatus : byte
{
    /// <summary>In the totals (possibly flagged, e.g. R2).</summary>
    Counted = 1,
    /// <summary>Stored but held out of the totals until corrected or accepted.</summary>
    Quarantined = 2,
    /// <summary>An operator's decision that a quarantined revision stays out: it is no longer awaited (not pending), the last counted one stays in.</summary>
    Rejected = 3,
}

/// <summary>The numbers of one C1 form: votes per choice in the contest's ballot order.</summary>
public sealed record FormNumbers(int[] Votes, int Valid, int Invalid, int Total)
{
    public bool SameAs(FormNumbers other) =>
        Valid == other.Valid && Invalid == other.Invalid && Total == other.Total && Votes.AsSpan().SequenceEqual(other.Votes);

    /// <summary>Compact text form kept in the store: <c>508,108</c>.</summary>
    public string VotesText => string.Join(',', Votes);

    public static int[] ParseVotes(string text) =>
        text.Length == 0 ? [] : Array.ConvertAll(text.Split(','), int.Parse);
}

/// <summary>A validated form to append as the station's next revision; <see cref="Reason"/> says why an operator made it.</summary>
public sealed record NewRevision(string Contest, string Station, FormNumbers Numbers, FormStatus Status,
    IReadOnlyList<string> Problems, int? Accepts = null, string? Reason = null);

/// <summary>
/// One request's forms, appended in one transaction with every other request of the same
/// writer batch. <see cref="BodyHash"/> is kept with the idempotency key so a retry with a
/// different body can be told apart. A signed request carries its <see cref="Signature"/>,
/// remembered in the same transaction so that it is accepted once, on any node.
/// </summary>
public sealed record AppendRequest(string KeyId, string? IdempotencyKey, byte[] BodyHash, IReadOnlyList<NewRevision> Forms,
    RequestSignature? Signature = null);

/// <summary>
/// A verified request signature (32 bytes of HMAC-SHA256) and the timestamp it signed (Unix
/// seconds; a replay has the same, so the store keys signatures by both and inserts them in
/// about time order). The store remembers it <see cref="KeepSeconds"/> past its timestamp,
/// after which the timestamp is refused as too old anyway.
/// </summary>
public sealed record RequestSignature(byte[] Value, long Timestamp, long KeepSeconds);

public enum AppendOutcome
{
    Stored,
    /// <summary>The idempotency key was seen before with this body: <see cref="AppendResult.Receipts"/> are the first answer's.</summary>
    Replayed,
    /// <summary>The idempotency key was seen before with another body: nothing stored.</summary>
    IdempotencyKeyReused,
    /// <summary>An accept or reject named a revision that is not the station's latest quarantined one: nothing stored.</summary>
    NotAcceptable,
    /// <summary>The request's signature was seen before (a replay): nothing stored.</summary>
    SignatureReplayed,
}

public sealed record AppendResult(AppendOutcome Outcome, IReadOnlyList<FormReceipt> Receipts);

/// <summary>What ingest answers for each form.</summary>
public sealed record FormReceipt(string Station, string Contest, int Revision, long Seq, string Status, IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Each code of <see cref="Problems"/> in words; absent when there are none. Derived, so a
    /// receipt stored for an idempotent replay answers with today's words.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Rules => Problems.Count == 0 ? null : FormRules.Describe(Problems);

    public const string Counted = "counted";
    public const string Quarantined = "quarantined";
    public const string Rejected = "rejected";
    public const string Duplicate = "duplicate";

    public static string StatusOf(FormStatus status) => status switch
    {
        FormStatus.Counted => Counted,
        FormStatus.Rejected => Rejected,
        _ => Quarantined,
    };
}

/// <param name="Submitter">Who sent it: the ingest key's id, or <c>operator:&lt;id&gt;</c> for an operator's revision.</param>
/// <param name="Reason">Why an operator made it (accepting a quarantined form); null otherwise.</param>
/// <param name="Hash">Its link in the tamper-evident chain (<see cref="RevisionChain"/>).</param>
public sealed record StoredRevision(long Seq, string Contest, string Station, int Revision, FormNumbers Numbers,
    FormStatus Status, IReadOnlyList<string> Problems, int? Accepts, DateTimeOffset ReceivedAt,
    string Submitter = "", string? Reason = null, byte[]? Hash = null);

/// <summary>
/// The aggregator's position: every revision with <c>seq &lt;= Checkpoint</c> is in the totals.
/// <see cref="Epoch"/> changes whenever totals are rebuilt from scratch; versions of different
/// epochs are not comparable.
/// </summary>
/// <param name="ChainHead">The hash of the revision at <paramref name="Checkpoint"/> (hex; empty before the
/// first): the totals are those of exactly the chain ending there, so a number on a screen can be
/// tied to the record it came from (<see cref="RevisionChain"/>).</param>
public sealed record AggregationState(long Checkpoint, string Epoch, string ChainHead = "")
{
    public static string NewEpoch() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
}

/// <summary>
/// Stored totals of one (contest, group) as of <see cref="Version"/>: a region (<see cref="Region"/>
/// is its id) or a dapil (<c>dapil:&lt;code&gt;</c>), with <see cref="Votes"/> its columns or ballot entries.
/// </summary>
public sealed record TotalsRow(string Contest, string Region, long Version, long Reported, long Quarantined,
    long Valid, long Invalid, long[] Votes)
{
    /// <summary>A row of the tally's layout: <c>[reported, quarantined, valid, invalid, votes...]</c>.</summary>
    public static TotalsRow Of(string contest, string group, long version, ReadOnlySpan<long> row) =>
        new(contest, group, version, row[0], row[1], row[2], row[3], row[4..].ToArray());
}

/// <summary>
/// An ingest key kept in the store (operators create, scope and revoke them through the API).
/// Only the SHA-256 of its secret is kept, never the secret: it checks a bearer secret and is
/// the key signed requests are made with (docs/api.md, "Signed requests"), so it is never shown.
/// </summary>
/// <param name="Contests">Contest ids it may post; empty = all.</param>
/// <param name="Regions">Region ids under which its stations must lie; empty = all.</param>
/// <param name="RequireSignature">Requests must be signed; its secret as a bearer is refused.</param>
public sealed record StoredIngestKey(string Id, byte[] SecretSha256, IReadOnlyList<string> Contests, IReadOnlyList<string> Regions,
    bool RequireSignature, DateTimeOffset CreatedAt, string CreatedBy, string CreatedReason,
    DateTimeOffset? RevokedAt = null, string? RevokedBy = null, string? RevokedReason = null)
{
    public bool Revoked => RevokedAt is not null;

    /// <summary>The key and what it may do, as operator actions name it: <c>aceh-app: contests ppwp; regions 1; signed only</c>.</summary>
    public string Summary =>
        $"{Id}: contests {(Contests.Count == 0 ? "all" : string.Join(',', Contests))}; " +
        $"regions {(Regions.Count == 0 ? "all" : string.Join(',', Regions))}; {(RequireSignature ? "signed only" : "bearer or signed")}";
}

/// <summary>Every stored ingest key, and the table's version: it grows with every change, so nodes poll it cheaply.</summary>
public sealed record IngestKeyTable(long Version, IReadOnlyList<StoredIngestKey> Keys);
