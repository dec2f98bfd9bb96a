namespace Broadcast.Storage;

/// <summary>
/// The source of truth: append-only revisions with a global sequence, idempotency keys, the
/// totals per group and the aggregation checkpoint. Two engines implement it, SQLite (the
/// embedded default) and PostgreSQL (scale-out); both pass <c>StoreContractTests</c>.
/// Every method is one transaction, durable when its task completes.
/// </summary>
public abstract class FormStore
{
    /// <summary>
    /// Appends every request's forms in one transaction. A form equal to its station's latest
    /// revision is a duplicate and stores nothing; a retried idempotency key answers its first
    /// receipts; an accept must name the station's latest, quarantined revision; a signature
    /// seen before refuses its request (signatures are remembered until they expire, and
    /// pruned after).
    /// Seqs must become visible in seq order (no reader may see seq n+1 before seq n).
    /// </summary>
    public abstract Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<AppendRequest> requests);

    /// <summary>Revisions with <c>afterSeq &lt; seq &lt;= upToSeq</c>, in seq order, at most <paramref name="limit"/>.</summary>
    public abstract Task<IReadOnlyList<StoredRevision>> ReadRevisionsAsync(long afterSeq, long upToSeq, int limit);

    /// <summary>Revisions with <c>seq &lt;= upToSeq</c>, newest first, at most <paramref name="limit"/> (a tally built from scratch reads them so).</summary>
    public abstract Task<IReadOnlyList<StoredRevision>> ReadRevisionsNewestFirstAsync(long upToSeq, int limit);

    /// <summary>The revisions with these seqs (the counted revisions a run replaces), in no particular order.</summary>
    public abstract Task<IReadOnlyList<StoredRevision>> ReadRevisionsAsync(IReadOnlyCollection<long> seqs);

    /// <summary>Every revision of one station's form, oldest first.</summary>
    public abstract Task<IReadOnlyList<StoredRevision>> ReadStationAsync(string contest, string station);

    /// <summary>The highest stored seq, 0 when empty.</summary>
    public abstract Task<long> ReadLastSeqAsync();

    /// <summary>The aggregation state, created (checkpoint 0, a fresh epoch) on first use.</summary>
    public abstract Task<AggregationState> ReadAggregationStateAsync();

    /// <summary>
    /// Commits an aggregation run: the changed totals and the new state, atomically, only if
    /// the state is still <paramref name="expected"/>. False means another run got there first
    /// and nothing was written: that is what makes a run safe to repeat or to race.
    /// With <paramref name="replaceAll"/> (a rebuild) every stored total is replaced.
    /// </summary>
    public abstract Task<bool> CommitAggregationAsync(AggregationState expected, AggregationState next,
        IReadOnlyCollection<TotalsRow> totals, bool replaceAll);

    /// <summary>Every stored total with the aggregation state they belong to, read as one snapshot.</summary>
    public abstract Task<StoredTotals> ReadTotalsAsync();

    /// <summary>
    /// What runs committed after the checkpoint of <paramref name="known"/>, read as one consistent
    /// snapshot: the aggregation state, the revisions those runs folded and the version of every
    /// group they changed. A node that did not run them folds the revisions itself and takes the
    /// versions as they are, so every node serves the same (epoch, version) for the same totals.
    /// <see cref="CommittedRuns.Revisions"/> is null when more than <paramref name="limit"/>
    /// revisions (or another epoch) separate the caller from the store: reload instead.
    /// </summary>
    public abstract Task<CommittedRuns> ReadCommittedSinceAsync(AggregationState known, int limit);

    /// <summary>
    /// Held around aggregation runs so that, across every node sharing the store, one node
    /// aggregates at a time. Without <paramref name="wait"/> it answers null at once when another
    /// node holds it. Correctness does not depend on it: the commit is compare-and-swap. A lock
    /// held by a node that dies is released with its connection.
    /// </summary>
    public abstract Task<IAsyncDisposable?> LockAggregationAsync(bool wait, CancellationToken cancellationToken);

    /// <summary>
    /// What this database holds, <c>live</c> or <c>rehearsal</c>: the first server to open it
    /// claims it (a database that already holds revisions but no mark is live); the answer is
    /// the stored purpose, which a server of the other kind must refuse to use.
    /// </summary>
    public abstract Task<string> ClaimPurposeAsync(string purpose);

    /// <summary>
    /// Deletes every revision, idempotency key and total (a rehearsal's reset); seqs are never
    /// reused, the chain starts again from its genesis, operator actions are kept. Remembers the
    /// last seq deleted (<see cref="ReadClearedThroughAsync"/>), so that every node drops what it
    /// holds of the log from before.
    /// </summary>
    public abstract Task ClearAsync();

    /// <summary>The last seq a <see cref="ClearAsync"/> deleted; 0 when the log was never cleared.</summary>
    public abstract Task<long> ReadClearedThroughAsync();

    /// <summary>The publication holds in force (<see cref="Publication.Holds"/>), oldest first.</summary>
    public abstract Task<IReadOnlyList<Publication.Hold>> ReadHoldsAsync();

    /// <summary>Adds a hold; false, and nothing written, when its contest and region are held already.</summary>
    public abstract Task<bool> AddHoldAsync(Publication.Hold hold);

    /// <summary>Removes the hold of a contest and region; false when there was none.</summary>
    public abstract Task<bool> RemoveHoldAsync(string contest, string region);

    /// <summary>Records an operator's action (a rebuild, a hold...) with who took it and why; returns it with its id.</summary>
    public abstract Task<OperatorAction> RecordActionAsync(string @operator, string action, string target, string reason);

    /// <summary>Operator actions with <c>id &gt; afterId</c>, oldest first, at most <paramref name="limit"/>.</summary>
    public abstract Task<IReadOnlyList<OperatorAction>> ReadActionsAsync(long afterId, int limit);

    /// <summary>The ingest key table's version: it grows with every change (one cheap query, polled by every node).</summary>
    public abstract Task<long> ReadIngestKeysVersionAsync();

    /// <summary>Every stored ingest key, revoked ones included, with the table's version, read as one snapshot.</summary>
    public abstract Task<IngestKeyTable> ReadIngestKeysAsync();

    /// <summary>
    /// Adds a key and records the operator's action (<c>ingest-key-create</c>), in one
    /// transaction. False, and nothing written, when the id is taken (by a revoked key too).
    /// </summary>
    public abstract Task<bool> AddIngestKeyAsync(StoredIngestKey key);

    /// <summary>
    /// Replaces a live key's scope, signature requirement and revocation with
    /// <paramref name="changed"/>'s and records the operator's <paramref name="action"/> with
    /// <paramref name="target"/> and <paramref name="reason"/>, in one transaction. False, and
    /// nothing written, when no live key has that id: a revoked key stays revoked.
    /// </summary>
    public abstract Task<bool> ChangeIngestKeyAsync(StoredIngestKey changed, string @operator, string action, string target, string reason);
}

/// <summary>An operator's action that is not a revision (decisions on forms are revisions, in the chain).</summary>
public sealed record OperatorAction(long Id, DateTimeOffset At, string Operator, string Action, string Target, string Reason);

public sealed record StoredTotals(AggregationState State, IReadOnlyList<TotalsRow> Rows);

/// <summary>See <see cref="FormStore.ReadCommittedSinceAsync"/>.</summary>
public sealed record CommittedRuns(AggregationState State, IReadOnlyList<StoredRevision>? Revisions,
    IReadOnlyList<GroupVersion> Versions);

public readonly record struct GroupVersion(string Contest, string Region, long Version);
