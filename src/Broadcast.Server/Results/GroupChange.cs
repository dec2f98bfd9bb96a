using Broadcast.Push;

namespace Broadcast.Results;

/// <summary>The fields of a dapil's candidate that changed.</summary>
[Flags]
public enum ChangedFields : byte
{
    None = 0,
    Votes = 1,
    Rank = 2,
    Elected = 4,
    All = 7,
}

/// <summary>
/// A child as it is now (<see cref="Now"/>), at <see cref="Index"/> in its group's snapshot, and
/// as it was at the change's start (<see cref="Was"/>; null where that is not known: a station's
/// earlier form, a change made out of a snapshot). Legacy frames send it whole; packed ones what
/// moved since <see cref="Was"/>, or its values now when there is none.
/// </summary>
public sealed record ChildUpdate(int Index, ChildResults Now, ChildResults? Was)
{
    public ChildUpdate Then(ChildUpdate later) => later with { Was = Was is null || later.Was is null ? null : Was };

    public PackedChild ToPacked()
    {
        if (Was is not { } was)
            return new PackedChild(Index, true, Now.Stations.Reported, Now.Stations.Quarantined, Now.Valid, Now.Invalid, PackedFrame.InOrder(Now.Votes));
        return new PackedChild(Index, false, Now.Stations.Reported - was.Stations.Reported, Now.Stations.Quarantined - was.Stations.Quarantined,
            Now.Valid - was.Valid, Now.Invalid - was.Invalid,
            PackedFrame.Order(Now.Votes).Select(id => Now.Votes[id] - was.Votes.GetValueOrDefault(id)).ToArray());
    }
}

/// <summary>A dapil's candidate as it is now, and what of it changed.</summary>
public sealed record CandidateUpdate(CandidateResults Now, ChangedFields Changed)
{
    public CandidateUpdate Then(CandidateUpdate later) => new(later.Now, Changed | later.Changed);

    public CandidateChange ToChange() => new(Now.Id,
        Changed.HasFlag(ChangedFields.Votes) ? Now.Votes : null,
        Changed.HasFlag(ChangedFields.Rank) ? Now.Rank : null,
        Changed.HasFlag(ChangedFields.Elected) ? Now.Elected : null);
}

/// <summary>
/// How one group changed from <see cref="PrevVersion"/> to <see cref="Version"/>: its totals now,
/// and the children and candidates that changed, with their values now and which of their fields
/// moved. One aggregation run makes one per changed group; <see cref="Then"/> merges consecutive
/// ones into one covering both, which is how a viewer that was held back gets a single frame.
/// Every frame a viewer can receive is made from it: the full <see cref="TotalsChanged"/> of
/// <c>Subscribe</c>, and the <see cref="Delta"/> and <see cref="Headline"/> of <c>SubscribeWith</c>.
/// </summary>
public sealed record GroupChange(string Contest, string Group, string Epoch, long PrevVersion, long Version,
    StationCounts Stations, IReadOnlyDictionary<string, long> Votes, long Valid, long Invalid,
    IReadOnlyDictionary<string, ChildUpdate> Children, IReadOnlyDictionary<string, CandidateUpdate>? Candidates, SeatsView? Seats,
    ChainHead? Chain)
{
    public string Name => GroupNames.Results(Contest, Group);

    /// <summary>This change followed by <paramref name="later"/> (which must start where this one ends, or before).</summary>
    public GroupChange Then(GroupChange later)
    {
        var children = new Dictionary<string, ChildUpdate>(Children);
        foreach (var (id, child) in later.Children) children[id] = children.TryGetValue(id, out var earlier) ? earlier.Then(child) : child;
        Dictionary<string, CandidateUpdate>? candidates = null;
        if (Candidates is not null || later.Candidates is not null)
        {
            candidates = new Dictionary<string, CandidateUpdate>(Candidates ?? new Dictionary<string, CandidateUpdate>());
            foreach (var (id, candidate) in later.Candidates ?? new Dictionary<string, CandidateUpdate>())
                candidates[id] = candidates.TryGetValue(id, out var earlier) ? earlier.Then(candidate) : candidate;
        }
        // A parliament's seats list only the dapils that changed: the merged change lists all of them.
        var seats = later.Seats is { } next && Seats is { } previous
            ? next with { Dapils = previous.Dapils.Where(d => next.Dapils.All(n => n.Id != d.Id)).Concat(next.Dapils).ToList() }
            : later.Seats ?? Seats;
        return later with { PrevVersion = PrevVersion, Children = children, Candidates = candidates, Seats = seats };
    }

    public TotalsChanged ToTotalsChanged() => new(Contest, Group, Epoch, PrevVersion, Version, Stations, Votes, Valid, Invalid,
        Children.Values.Select(c => c.Now).ToList(), Candidates?.Values.Select(c => c.Now).ToList(), Seats, Chain);

    public Delta ToDelta() => new(Contest, Group, PrevVersion, Version,
        PackedFrame.Write(Totals(), Chain?.Hash, Children.Values.OrderBy(c => c.Index).Select(c => c.ToPacked()).ToList()),
        Candidates?.Values.Select(c => c.ToChange()).ToList(), Seats);

    public Headline ToHeadline() => new(Contest, Group, PrevVersion, Version, PackedFrame.Write(Totals()),
        Seats is { } seats ? seats with { Dapils = [] } : null);

    private PackedTotals Totals() => new(Stations.Reported, Stations.Quarantined, Stations.Total, Valid, Invalid, PackedFrame.InOrder(Votes));

    /// <summary>A snapshot as a change from <paramref name="fromVersion"/>: every child and candidate, every field.</summary>
    public static GroupChange Everything(ResultsSnapshot snapshot, long fromVersion) => new(snapshot.Contest, snapshot.Region.Id,
        snapshot.Epoch, fromVersion, snapshot.Version, snapshot.Stations, snapshot.Votes, snapshot.Valid, snapshot.Invalid,
        snapshot.Children.Select((c, index) => new ChildUpdate(index, c, null)).ToDictionary(c => c.Now.Id),
        snapshot.Candidates?.ToDictionary(c => c.Id, c => new CandidateUpdate(c, ChangedFields.All)), snapshot.Seats, snapshot.Chain);
}
