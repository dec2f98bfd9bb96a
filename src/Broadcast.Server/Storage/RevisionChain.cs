using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Broadcast.Storage;

/// <summary>
/// The tamper-evident log: every stored revision carries <c>hash = SHA-256(previous hash ||
/// UTF-8 of its canonical text)</c>, the previous hash being that of the revision before it in
/// seq order (32 zero bytes before the first). Changing any stored revision afterwards, or
/// removing or inserting one, breaks every hash from there on, which the server checks at
/// start-up and an independent verifier (scripts/verify-chain.py) checks from an export.
/// The canonical text is one line per field, in this order (docs/api.md, "The chain"):
/// <c>broadcast-revision-v1</c>, seq, contest, station, revision, votes (comma-separated, in
/// ballot order), valid, invalid, total, status (<c>counted</c> or <c>quarantined</c>), problems
/// (comma-separated), accepts (empty when none), received at (Unix ms), submitter (the ingest
/// key id, or <c>operator:&lt;id&gt;</c>), reason (empty when none).
/// </summary>
public static class RevisionChain
{
    public static ReadOnlySpan<byte> Genesis => new byte[32];

    /// <summary>A hash as it is shown everywhere (snapshots, deltas, the chain API): lower-case hex; empty for none.</summary>
    public static string Hex(byte[]? hash) => hash is null ? "" : Convert.ToHexStringLower(hash);

    public static byte[] Link(ReadOnlySpan<byte> previous, long seq, string contest, string station, int revision, FormNumbers numbers,
        FormStatus status, IReadOnlyList<string> problems, int? accepts, long receivedAtMs, string submitter, string? reason)
    {
        var text = Canonical(seq, contest, station, revision, numbers, status, problems, accepts, receivedAtMs, submitter, reason);
        var bytes = new byte[previous.Length + Encoding.UTF8.GetByteCount(text)];
        previous.CopyTo(bytes);
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(previous.Length));
        return SHA256.HashData(bytes);
    }

    public static byte[] Link(ReadOnlySpan<byte> previous, StoredRevision r) =>
        Link(previous, r.Seq, r.Contest, r.Station, r.Revision, r.Numbers, r.Status, r.Problems, r.Accepts,
            r.ReceivedAt.ToUnixTimeMilliseconds(), r.Submitter, r.Reason);

    public static string Canonical(long seq, string contest, string station, int revision, FormNumbers numbers, FormStatus status,
        IReadOnlyList<string> problems, int? accepts, long receivedAtMs, string submitter, string? reason) =>
        string.Join('\n',
            "broadcast-revision-v1",
            seq.ToString(CultureInfo.InvariantCulture),
            contest,
            station,
            revision.ToString(CultureInfo.InvariantCulture),
            numbers.VotesText,
            numbers.Valid.ToString(CultureInfo.InvariantCulture),
            numbers.Invalid.ToString(CultureInfo.InvariantCulture),
            numbers.Total.ToString(CultureInfo.InvariantCulture),
            FormReceipt.StatusOf(status),
            string.Join(',', problems),
            accepts?.ToString(CultureInfo.InvariantCulture) ?? "",
            receivedAtMs.ToString(CultureInfo.InvariantCulture),
            submitter,
            reason ?? "");

    /// <summary>
    /// Checks a run of revisions read newest first (as a tally is built at start-up): each one's
    /// hash must follow from the one before it. Feed every revision in descending seq order, then
    /// call <see cref="Finish"/>; <see cref="FirstBreak"/> is the lowest seq whose hash does not follow.
    /// </summary>
    public sealed class Checker
    {
        private StoredRevision? _newer;

        public long? FirstBreak { get; private set; }
        public long Checked { get; private set; }

        public void Add(StoredRevision older)
        {
            if (_newer is { } newer) Check(newer, older.Hash);
            _newer = older;
        }

        /// <summary>The oldest revision follows the genesis.</summary>
        public void Finish()
        {
            if (_newer is { } oldest) Check(oldest, Genesis);
            _newer = null;
        }

        private void Check(StoredRevision revision, ReadOnlySpan<byte> previous)
        {
            Checked++;
            if (revision.Hash is not { Length: 32 } || !Link(previous, revision).AsSpan().SequenceEqual(revision.Hash))
                FirstBreak = FirstBreak is { } earlier ? Math.Min(earlier, revision.Seq) : revision.Seq;
        }
    }
}
