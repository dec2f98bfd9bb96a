using Broadcast.Push;

namespace Broadcast.Results;

/// <summary>The fields of a child (or a candidate) that changed.</summary>
[Flags]
public enum ChangedFields : byte
{
    None = 0,
    Reported = 1,
    Quarantined = 2,
    Valid = 4,
    Invalid = 8,
    Votes = 16,
    Rank = 32,
    Elected = 64,
    All = 127,
}

/// <summary>A child as it is now, and what of it changed (<see cref="Votes"/>: which choices; null: all).</summary>
public sealed record ChildUpdate(ChildResults Now, ChangedFields Changed, IReadOnlySet<string>? Votes)
{
    public ChildUpdate Then(ChildUpdate later) => new(later.Now, Changed | later.Changed,
        Votes is null || later.Votes is null ? null : new HashSet<string>(Votes.Concat(later.Votes), StringComparer.Ordinal));

    public ChildChange ToChange() => new(Now.Id,
        Changed.HasFlag(ChangedFields.Reported) ? Now.Stations.Reported : null,
        Changed.HasFlag(ChangedFields.Quarantined) ? Now.Stations.Quarantined : null,
        !Changed.HasFlag(ChangedFields.Votes) ? null : Votes is null ? Now.Votes : Now.Votes.Where(v => Votes.Contains(v.Key)).ToDictionary(),
        Changed.HasFlag(ChangedFields.Valid) ? Now.Valid : null,
        Changed.HasFlag(ChangedFields.Invalid) ? Now.Invalid : null);
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

    public Delta ToDelta() => new(Contest, Group, Epoch, PrevVersion, Version, Stations, Votes, Valid, Invalid,
        Children.Values.Select(c => c.ToChange()).ToList(), Candidates?.Values.Select(c => c.ToChange()).ToList(), Seats, Chain);

    public Headline ToHeadline() => new(Contest, Group, Epoch, PrevVersion, Version, Stations, Votes, Valid, Invalid,
        Seats is { } seats ? seats with { Dapils = [] } : null);

    /// <summary>A snapshot as a change from <paramref name="fromVersion"/>: every child and candidate, every field.</summary>
    public static GroupChange Everything(ResultsSnapshot snapshot, long fromVersion) => new(snapshot.Contest, snapshot.Region.Id,
        snapshot.Epoch, fromVersion, snapshot.Version, snapshot.Stations, snapshot.Votes, snapshot.Valid, snapshot.Invalid,
        snapshot.Children.ToDictionary(c => c.Id, c => new ChildUpdate(c, ChangedFields.All, null)),
        snapshot.Candidates?.ToDictionary(c => c.Id, c => new CandidateUpdate(c, ChangedFields.All)), snapshot.Seats, snapshot.Chain);
}
