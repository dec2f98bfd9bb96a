namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// A SYNTHETIC legislative election night for rehearsals, demos and load tests: per-station C1
/// forms for the 2024 DPR, DPD, DPRD provinsi and DPRD kab/kota contests. No per-station
/// legislative numbers of 2024 are public, so these are made up, deterministically from a seed,
/// around the one official anchor there is: for every DPR dapil and party, the sum over the
/// dapil's stations of the party's votes (its own and its candidates') is exactly the official
/// figure (<c>dpr_official_votes.csv</c>). DPRD and DPD forms are derived from each station's DPR
/// numbers and have no official anchor. Anything that shows these numbers must say they are
/// synthetic (<see cref="Label"/>). How it works, and the figures: docs/rehearsal.md.
/// <para>
/// <see cref="Create"/> does the one joint step (the DPR allocation, ~30 MB); every form is then
/// made on demand from per-station seeds, so <see cref="Form(Contest, int)"/> gives the same form whenever and
/// in whatever order it is asked for, and <see cref="Night"/> streams the 3.25 million forms in
/// arrival order without holding them. Thread-safe after <see cref="Create"/>.
/// </para>
/// </summary>
public sealed class RehearsalNight
{
    public const ulong DefaultSeed = 2024;

    /// <summary>What to call these numbers wherever they show.</summary>
    public const string Label = "SYNTHETIC";

    private readonly ArrivalCurve _arrivals;
    private readonly LegislativeForms _forms;
    private readonly Dictionary<Contest, int> _position;

    private RehearsalNight(Election election, ulong seed, IReadOnlyList<Contest> contests, ArrivalCurve arrivals,
        LegislativeForms forms, DprAllocation allocation)
    {
        Election = election;
        Seed = seed;
        Contests = contests;
        _arrivals = arrivals;
        _forms = forms;
        _position = contests.ToDictionary(c => c, c => Array.IndexOf(ArrivalCurve.CountingOrder, c.Id));
        DprFill = allocation.Fills;
    }

    /// <summary>When the polls closed: 14 February 2024, 13:00 WIB. Arrivals count from here.</summary>
    public static DateTimeOffset PollsClose => ArrivalCurve.PollsClose;

    public Election Election { get; }
    public ulong Seed { get; }

    /// <summary>The contests generated, in the order a station counts them: DPR, DPD, DPRD provinsi, DPRD kab/kota.</summary>
    public IReadOnlyList<Contest> Contests { get; }

    /// <summary>Per DPR dapil, its official valid votes against its stations' capacity.</summary>
    public IReadOnlyList<DapilFill> DprFill { get; }

    /// <summary>The DPR dapil whose stations are fullest.</summary>
    public DapilFill TightestDapil => DprFill.MaxBy(d => d.Fill)!;

    /// <summary>Whether <paramref name="electionFolder"/> holds the rehearsal's anchors (see data/README.md).</summary>
    public static bool IsAvailable(string electionFolder) => RehearsalData.Exists(electionFolder);

    /// <summary>
    /// Reads the anchors from <paramref name="electionFolder"/> and allocates the DPR votes
    /// (a couple of seconds for the whole of 2024). Throws <see cref="InvalidDataException"/> when the
    /// election has no DPR or the official votes do not fit its ballots or stations.
    /// </summary>
    public static RehearsalNight Create(Election election, string electionFolder, ulong seed = DefaultSeed)
    {
        var dpr = election.FindContest("dpr") is { Kind: BallotKind.PartyList } d ? d
            : throw new InvalidDataException($"election {election.Id} has no DPR contest: the rehearsal night is for the 2024 legislative contests");
        if (!IsAvailable(electionFolder))
            throw new FileNotFoundException($"{electionFolder} lacks the rehearsal anchors ({RehearsalData.OfficialVotesFile}, " +
                $"{RehearsalData.ProgressFile}, {RehearsalData.AcehLocalShareFile}); see data/README.md");
        if (election.Stations.Count > RehearsalSchedule.MaxStations)
            throw new InvalidDataException($"more than {RehearsalSchedule.MaxStations} stations");
        var contests = ArrivalCurve.CountingOrder.Select(election.FindContest)
            .Where(c => c is { Kind: not BallotKind.Flat }).Select(c => c!).ToList();

        var data = RehearsalData.Read(electionFolder);
        var places = new Geography(election);
        var profiles = StationProfiles.Build(election, places, seed);
        var allocation = DprAllocation.Run(election, dpr, places, profiles, data, seed);
        var forms = new LegislativeForms(election, dpr, contests, places, profiles, allocation, data, seed);
        return new RehearsalNight(election, seed, contests, new ArrivalCurve(data, places, seed), forms, allocation);
    }

    /// <summary>
    /// The form of <paramref name="station"/> (a station index) in <paramref name="contest"/>,
    /// or null where the station does not vote on it (abroad only DPR; DKI Jakarta has no DPRD kab/kota).
    /// </summary>
    public RehearsalForm? Form(Contest contest, int station)
    {
        var position = Position(contest);
        if (contest.BallotOfVillage(Election.Stations.Village[station]) is not { } ballot) return null;
        return Make(contest, ballot, station, TimeSpan.FromSeconds(_arrivals.Seconds(station, _arrivals.DprSeconds(station), position)));
    }

    /// <summary>
    /// When each form of the night arrives, in arrival order: every station (or those
    /// <paramref name="stations"/> accepts) in each of <paramref name="contests"/> it votes on.
    /// Holds one 8-byte key per form (26 MB for the whole night); the forms are made only when
    /// asked for (<see cref="Form(RehearsalArrival)"/>).
    /// </summary>
    public RehearsalSchedule Schedule(IReadOnlyCollection<Contest> contests, Func<int, bool>? stations = null)
    {
        var byPosition = new Contest[RehearsalSchedule.Positions];
        foreach (var contest in contests) byPosition[Position(contest)] = contest;
        var wanted = contests.Select(Position).Distinct().Order().ToArray();
        var keys = new long[(long)Election.Stations.Count * wanted.Length];
        var count = 0;
        for (var s = 0; s < Election.Stations.Count; s++)
        {
            if (stations is not null && !stations(s)) continue;
            var village = Election.Stations.Village[s];
            var dpr = _arrivals.DprSeconds(s);
            foreach (var position in wanted)
                if (byPosition[position].BallotOfVillage(village) is not null)
                    keys[count++] = RehearsalSchedule.Key(_arrivals.Seconds(s, dpr, position), s, position);
        }
        Array.Sort(keys, 0, count);
        Array.Resize(ref keys, count);
        return new RehearsalSchedule(keys, byPosition);
    }

    /// <summary>Every form of the night in <paramref name="contests"/>, in arrival order, each made as it is reached.</summary>
    public IEnumerable<RehearsalForm> Night(IReadOnlyCollection<Contest> contests, Func<int, bool>? stations = null) =>
        Schedule(contests, stations).Select(Form);

    /// <summary>The form for one place in the schedule.</summary>
    public RehearsalForm Form(RehearsalArrival arrival) =>
        Make(arrival.Contest, arrival.Contest.BallotOfVillage(Election.Stations.Village[arrival.Station])!, arrival.Station, arrival.Arrival);

    private RehearsalForm Make(Contest contest, Ballot ballot, int station, TimeSpan arrival)
    {
        var (votes, valid, invalid) = _forms.Make(contest, ballot, station);
        return new RehearsalForm(station, contest, ballot, votes, valid, invalid, valid + invalid, arrival);
    }

    private int Position(Contest contest) => _position.TryGetValue(contest, out var position) ? position
        : throw new ArgumentException($"the rehearsal night has no forms for contest '{contest.Id}' (only {string.Join(", ", Contests.Select(c => c.Id))})", nameof(contest));
}
