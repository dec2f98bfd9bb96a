namespace Broadcast.Elections;

/// <summary>
/// One of the ballots of the election day: PPWP (president), DPR, DPD, DPRD provinsi, DPRD
/// kab/kota. A contest has ballots (one for PPWP, one per dapil otherwise), knows which ballot
/// each village votes on, and which columns each region's totals carry:
/// <list type="bullet">
/// <item>PPWP: every region carries the pairs.</item>
/// <item>Party lists: every region carries the contest's parties (a party's votes: its own plus its candidates').
/// Candidates' votes are totalled per dapil only, where they stand: no region carries a column
/// per candidate of the whole country.</item>
/// <item>DPD: a region inside a province carries that province's candidates; the nation carries none.</item>
/// </list>
/// </summary>
public sealed class Contest
{
    private readonly int[] _regionColumnSet;
    private readonly int[] _villageBallot;

    internal Contest(int index, string id, string name, BallotKind kind, int thresholdPercent,
        IReadOnlyList<IReadOnlyList<Choice>> columnSets, IReadOnlyList<Ballot> ballots, IReadOnlyList<Dapil> dapils,
        IReadOnlyList<Parliament> parliaments, int[] regionColumnSet, int[] villageBallot, int[] stationCount)
    {
        Index = index; Id = id; Name = name; Kind = kind; ThresholdPercent = thresholdPercent;
        ColumnSets = columnSets; Ballots = ballots; Dapils = dapils; Parliaments = parliaments;
        _regionColumnSet = regionColumnSet; _villageBallot = villageBallot; StationCount = stationCount;
        _dapils = dapils.ToDictionary(d => d.Code, StringComparer.Ordinal);
        _parliaments = parliaments.ToDictionary(p => p.Region);
    }

    private readonly Dictionary<string, Dapil> _dapils;
    private readonly Dictionary<int, Parliament> _parliaments;

    public int Index { get; }
    public string Id { get; }
    public string Name { get; }
    public BallotKind Kind { get; }

    /// <summary>Share of the national valid votes a party needs to win seats (DPR: 4); 0 = no threshold.</summary>
    public int ThresholdPercent { get; }

    public IReadOnlyList<IReadOnlyList<Choice>> ColumnSets { get; }
    public IReadOnlyList<Ballot> Ballots { get; }
    /// <summary>Electoral districts; empty for PPWP.</summary>
    public IReadOnlyList<Dapil> Dapils { get; }
    /// <summary>The parliaments elected (DPR, each DPRD); for DPD, the senators of every province as one; empty for PPWP.</summary>
    public IReadOnlyList<Parliament> Parliaments { get; }

    /// <summary>Per region: the polling stations under it that vote on this contest (DKI Jakarta has no DPRD kab/kota; abroad only PPWP and DPR).</summary>
    public int[] StationCount { get; }

    /// <summary>The region's column set index, or -1 when its totals carry no columns (DPD at national level).</summary>
    public int ColumnSetOf(int region) => _regionColumnSet[region];

    public IReadOnlyList<Choice> Columns(int region) => _regionColumnSet[region] is var set and >= 0 ? ColumnSets[set] : [];

    /// <summary>The ballot of a village, or null where this contest is not voted on.</summary>
    public Ballot? BallotOfVillage(int village) => _villageBallot[village] is var ballot and >= 0 ? Ballots[ballot] : null;

    public Dapil? FindDapil(string code) => _dapils.GetValueOrDefault(code);

    /// <summary>The parliament elected in <paramref name="region"/> (the nation for DPR and DPD).</summary>
    public Parliament? FindParliament(int region) => _parliaments.GetValueOrDefault(region);

    /// <summary>Whether the region has results in this contest: PPWP everywhere, the others where they are voted on.</summary>
    public bool Covers(int region) => Kind == BallotKind.Flat || StationCount[region] > 0;

    /// <summary>The parties of a party-list contest (its one column set); empty otherwise.</summary>
    public IReadOnlyList<Choice> Parties => Kind == BallotKind.PartyList ? ColumnSets[0] : [];
}

/// <summary>
/// An electoral district (dapil): the stations of its member regions vote on its ballot, and
/// it elects <see cref="Seats"/> members of its parliament.
/// </summary>
public sealed class Dapil
{
    internal Dapil(int index, string code, string name, int seats, IReadOnlyList<int> members)
    {
        Index = index; Code = code; Name = name; Seats = seats; Members = members;
    }

    public int Index { get; }
    /// <summary>KPU's code: DPR <c>3602</c>, DPRD provinsi <c>640001</c>, DPRD kab/kota <c>640501</c>, DPD the province code <c>64</c>.</summary>
    public string Code { get; }
    public string Name { get; }
    public int Seats { get; }
    /// <summary>The regions it is made of (whole regencies, districts or villages).</summary>
    public IReadOnlyList<int> Members { get; }
    public Ballot Ballot { get; internal set; } = null!;
    public Parliament Parliament { get; internal set; } = null!;
    public int StationCount { get; internal set; }

    /// <summary>How viewers and the read API name this dapil's results group.</summary>
    public string GroupId => GroupIds.Dapil + Code;
}

/// <summary>A parliament and the dapils that elect it: the DPR (84 dapils, 580 seats), a DPRD provinsi or kab/kota, or the DPD.</summary>
public sealed class Parliament
{
    internal Parliament(int index, int region, string regionId, string name, IReadOnlyList<Dapil> dapils)
    {
        Index = index; Region = region; Name = name; Dapils = dapils; Seats = dapils.Sum(d => d.Seats);
        GroupId = GroupIds.Parliament + regionId;
    }

    public int Index { get; }
    /// <summary>The region it governs: the nation for DPR and DPD, the province or regency of a DPRD.</summary>
    public int Region { get; }
    public string Name { get; }
    public IReadOnlyList<Dapil> Dapils { get; }
    public int Seats { get; }
    public string GroupId { get; }
}
