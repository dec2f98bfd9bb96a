using System.Collections.Concurrent;
using Broadcast.Elections;
using Broadcast.Elections.Rehearsal;
using Broadcast.Ingest;
using Broadcast.Storage;

namespace Broadcast.Tests;

/// <summary>
/// The synthetic legislative night (docs/rehearsal.md): deterministic, every form counted by the
/// server's rules, and the DPR votes per dapil and party exactly the official figures. Most tests
/// use the real 2024 election, generated once for the class.
/// </summary>
public sealed class RehearsalTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "data", "pemilu2024");
    private static readonly Lazy<RehearsalNight> Real = new(() => RehearsalNight.Create(TestElection.Pemilu2024, Folder));
    private static readonly RulesOptions Rules = new();

    private static RehearsalNight Night => Real.Value;
    private static Election Election => TestElection.Pemilu2024;

    [Fact]
    public void TwoGeneratorsWithOneSeedMakeTheSameFormsAndAnotherSeedOtherForms()
    {
        var election = SmallElection.Election;
        var first = SmallNight(seed: 7);
        var second = SmallNight(seed: 7);
        var other = SmallNight(seed: 8);
        var same = 0;
        var differ = 0;
        foreach (var contest in first.Contests)
            for (var s = 0; s < election.Stations.Count; s++)
            {
                var a = first.Form(contest, s);
                if (a is null) continue;
                var b = second.Form(contest, s)!;
                Assert.Equal(Describe(a), Describe(b));
                same++;
                if (Describe(a) != Describe(other.Form(contest, s)!)) differ++;
            }
        Assert.Equal(23 + 20 + 20 + 20, same); // DPR everywhere, the others not abroad
        Assert.True(differ > same * 9 / 10, $"only {differ} of {same} forms change with the seed");
    }

    [Fact]
    public void AFormIsTheSameWhateverOrderTheFormsAreAskedIn()
    {
        var stations = Enumerable.Range(0, 200).Select(i => i * 4_111).ToArray();
        var forward = new List<string>();
        foreach (var contest in Night.Contests)
            foreach (var s in stations)
                if (Night.Form(contest, s) is { } form) forward.Add(Describe(form));
        var backward = new List<string>();
        foreach (var contest in Night.Contests.Reverse())
            foreach (var s in stations.Reverse())
                if (Night.Form(contest, s) is { } form) backward.Add(Describe(form));
        backward.Reverse();
        Assert.Equal(forward, backward);

        // The night's stream makes the very same forms, at the same arrival times.
        var picked = stations.ToHashSet();
        var streamed = Night.Night(Night.Contests, picked.Contains).Select(Describe).Order(StringComparer.Ordinal);
        Assert.Equal(forward.Order(StringComparer.Ordinal), streamed);
    }

    [Fact]
    public void EveryGeneratedFormIsCountedByTheServersRules()
    {
        // Every 25th station, every station abroad (the large ones) and every DKI station whose DPT is known (the tight cap).
        var sample = Enumerable.Range(0, Election.Stations.Count)
            .Where(s => s % 25 == 0 || Election.IsOverseas(Election.Stations.Village[s]) || Election.Stations.RegisteredVoters[s] >= 0)
            .ToArray();
        var checkedForms = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(sample, s =>
        {
            foreach (var contest in Night.Contests)
            {
                if (Night.Form(contest, s) is not { } form) continue;
                var (status, problems) = Check(Election, form);
                if (status != FormStatus.Counted || problems.Count > 0)
                    failures.Add($"{Election.StationId(s)} {contest.Id}: {status} {string.Join(',', problems)}");
                checkedForms.AddOrUpdate(contest.Id, 1, (_, n) => n + 1);
            }
        });
        Assert.Empty(failures);
        Assert.All(Night.Contests, c => Assert.True(checkedForms[c.Id] > 30_000, $"{c.Id}: only {checkedForms[c.Id]} forms checked"));

        // The small election has a station abroad of each kind, and 300 registered voters at every station at home.
        var small = SmallNight();
        foreach (var contest in small.Contests)
            for (var s = 0; s < SmallElection.Election.Stations.Count; s++)
                if (small.Form(contest, s) is { } form)
                {
                    var (status, problems) = Check(SmallElection.Election, form);
                    Assert.Equal((FormStatus.Counted, ""), (status, string.Join(',', problems)));
                }
    }

    [Fact]
    public void DprVotesPerDapilAndPartyAddUpToTheOfficialFigures()
    {
        var dpr = Election.FindContest("dpr")!;
        // Per ballot (dapil) and party on it: the party's own votes plus its candidates', over every station.
        var sums = dpr.Ballots.Select(b => new long[b.Parties.Count]).ToArray();
        Parallel.For(0, Election.Stations.Count, () => dpr.Ballots.Select(b => new long[b.Parties.Count]).ToArray(), (s, _, local) =>
        {
            var form = Night.Form(dpr, s)!;
            var row = local[form.Ballot.Index];
            for (var p = 0; p < form.Ballot.Parties.Count; p++)
            {
                var party = form.Ballot.Parties[p];
                for (var e = party.Entry; e < party.Entry + party.Width; e++) row[p] += form.Votes[e];
            }
            return local;
        }, local =>
        {
            lock (sums)
                for (var b = 0; b < sums.Length; b++)
                    for (var p = 0; p < sums[b].Length; p++) sums[b][p] += local[b][p];
        });

        var generated = dpr.Ballots.SelectMany(b => b.Parties.Select((party, p) => $"{b.Dapil!.Code},{party.Party.Number},{sums[b.Index][p]}"));
        var official = File.ReadLines(Path.Combine(Folder, "dpr_official_votes.csv")).Skip(1).ToArray();
        Assert.Equal(1_512, official.Length);
        Assert.Equal(official.Order(StringComparer.Ordinal), generated.Order(StringComparer.Ordinal));
        Assert.Equal(151_797_292, sums.Sum(row => row.Sum()));
    }

    [Fact]
    public void TheNightComesInArrivalOrderAndEachStationCountsDprFirstAndDprdKabupatenLast()
    {
        var last = TimeSpan.MinValue;
        var count = 0;
        var previous = new Dictionary<int, (string Contest, TimeSpan At)>();
        var order = ArrayOrder(Night.Contests);
        foreach (var arrival in Night.Schedule(Night.Contests))
        {
            Assert.True(arrival.Arrival >= last);
            last = arrival.Arrival;
            count++;
            if (arrival.Station % 997 != 0) continue;
            if (previous.TryGetValue(arrival.Station, out var before))
                Assert.True(order[before.Contest] < order[arrival.Contest.Id] && before.At < arrival.Arrival,
                    $"{Election.StationId(arrival.Station)}: {arrival.Contest.Id} at {arrival.Arrival} after {before.Contest} at {before.At}");
            previous[arrival.Station] = (arrival.Contest.Id, arrival.Arrival);
        }
        Assert.Equal(822_116 + 820_161 + 820_161 + 789_395, count);
        Assert.True(last < TimeSpan.FromDays(50), $"the last form arrives {last} after the polls closed");
    }

    [Fact]
    public void AStationHasNoFormInAContestItDoesNotVoteOn()
    {
        var abroad = Enumerable.Range(0, Election.Stations.Count).First(s => Election.IsOverseas(Election.Stations.Village[s]));
        var jakarta = Election.FindStation("3171011001001")!.Value;
        Assert.NotNull(Night.Form(Election.FindContest("dpr")!, abroad));
        Assert.Null(Night.Form(Election.FindContest("dpd")!, abroad));
        Assert.Null(Night.Form(Election.FindContest("dprd_kab")!, jakarta));
        Assert.NotNull(Night.Form(Election.FindContest("dprd_prov")!, jakarta));
        Assert.Throws<ArgumentException>(() => Night.Form(Election.FindContest("ppwp")!, jakarta));
    }

    [Fact]
    public void ThePinnedSeedMakesThePinnedNightOnEveryMachine()
    {
        // A checksum of every 1,000th station's forms in every contest with the default seed. It
        // changes only when the generator does: then docs/rehearsal.md's figures change too.
        var hash = 0xCBF29CE484222325UL;
        void Add(long value)
        {
            hash ^= (ulong)value;
            hash *= 0x100000001B3UL;
        }
        foreach (var contest in Night.Contests)
            for (var s = 0; s < Election.Stations.Count; s += 1_000)
                if (Night.Form(contest, s) is { } form)
                {
                    foreach (var v in form.Votes) Add(v);
                    Add(form.Invalid);
                    Add((long)form.Arrival.TotalSeconds);
                }
        Assert.Equal("acca4e8c530d6feb", hash.ToString("x16"));
    }

    private static Dictionary<string, int> ArrayOrder(IReadOnlyList<Contest> contests) =>
        contests.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i);

    private static (FormStatus Status, IReadOnlyList<string> Problems) Check(Election election, RehearsalForm form) =>
        FormRules.Check(new SubmittedForm(election.StationId(form.Station), form.Station, form.Contest, form.Ballot,
            new FormNumbers(form.Votes, form.Valid, form.Invalid, form.Total)), election, Rules);

    private static string Describe(RehearsalForm f) =>
        $"{f.Station} {f.Contest.Id} {string.Join(',', f.Votes)} {f.Valid} {f.Invalid} {f.Total} {f.Arrival}";

    /// <summary>A night of <see cref="SmallElection"/>; its anchors are written to a folder of its own, read, and removed.</summary>
    private static RehearsalNight SmallNight(ulong seed = RehearsalNight.DefaultSeed)
    {
        var folder = SmallAnchors();
        try { return RehearsalNight.Create(SmallElection.Election, folder, seed); }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>The rehearsal anchors for <see cref="SmallElection"/>: official DPR votes for its two dapils, a short curve, Aceh's share.</summary>
    private static string SmallAnchors()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"broadcast-rehearsal-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        File.WriteAllLines(Path.Combine(folder, "dpr_official_votes.csv"),
            ["dapil,party,votes", "1101,1,1200", "1101,2,700", "1101,3,450", "6401,1,900", "6401,2,2100", "6401,3,1650"]);
        File.WriteAllLines(Path.Combine(folder, "sirekap_progress.csv"),
            ["time_wib,stations_reported,stations_total", "2024-02-17 19:30:11,548354,823236", "2024-03-01 10:00:16,641329,823236"]);
        File.WriteAllLines(Path.Combine(folder, "aceh_local_share_2019.csv"),
            ["regency,name,local_votes,votes", "1101,ACEH SELATAN,42989,130909", "1171,KOTA BANDA ACEH,1,6"]);
        return folder;
    }
}
