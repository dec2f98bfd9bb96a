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
    /// receipts; an accept must name the station's latest, quarantined revision.
    /// Seqs must become visible in seq order (no reader may see seq n+1 before seq n).
    /// </summary>
    public abstract Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<AppendRequest> requests);

    /// <summary>Revisions with <c>afterSeq &lt; seq &lt;= upToSeq</c>, in seq order, at most <paramref name="limit"/>.</summary>
    public abstract Task<IReadOnlyList<StoredRevision>> ReadRevisionsAsync(long afterSeq, long upToSeq, int limit);

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

    public abstract Task<IReadOnlyList<TotalsRow>> ReadTotalsAsync();
}
