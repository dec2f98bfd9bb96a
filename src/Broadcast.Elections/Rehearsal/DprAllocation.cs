namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// How full a DPR dapil's stations are. <see cref="BallotCapacity"/>: the most ballots its stations
/// may report (the sum of their caps); <see cref="ValidCapacity"/>: the most valid votes, once
/// each station keeps room for its invalid ballots. <see cref="Fill"/>: the official valid votes
/// as a share of the latter; above 1 the dapil could not be generated.
/// </summary>
public sealed record DapilFill(string Code, string Name, int Stations, long ValidVotes, long BallotCapacity, long ValidCapacity)
{
    public double Fill => (double)ValidVotes / ValidCapacity;
}

/// <summary>
/// The one joint step of the generator: for every DPR dapil, how many votes each party gets at
/// each of its stations, so that every (dapil, party) sum equals the official figure exactly.
/// Done once per run, dapils in parallel (each from its own seeds, so the result does not
/// depend on the threads), into a compact table: one <c>ushort</c> per station and party
/// (822,116 × 18 × 2 bytes ≈ 30 MB). Everything else is derived from it per station on demand.
/// <para>Per dapil:</para>
/// <list type="number">
/// <item>Stations' valid votes: each station's expected ballots × its valid share, scaled to
/// the dapil's official total; stations that would overflow their cap are filled to it and the
/// rest scaled up (water-filling). Where a dapil's votes nearly fill its stations (Papua's noken
/// dapils), fewer ballots are invalid: the invalid rate is scaled down first.</item>
/// <item>A seed table: the station's valid votes × the party's dapil share × regional
/// preferences (regency, district and village, log-normal; some districts are a party's
/// stronghold, ×2.5) × a station's own noise, larger for small expected counts, as counting noise is.</item>
/// <item>Iterative proportional fitting (IPF): rows to the stations' valid votes, columns to
/// the official party totals, until the columns are within 0.05 votes; IPF keeps the seed's
/// preferences as far as the totals allow.</item>
/// <item>Whole votes: each party's column is rounded cumulatively down the stations, the last
/// one taking what is left, so the column sums are the official figures exactly. A station
/// that rounding pushes above its cap hands the excess votes (of the parties it was rounded up
/// most for) to the next station with room; column sums do not change.</item>
/// </list>
/// </summary>
internal sealed class DprAllocation
{
    private const double Tolerance = 0.05;    // votes per party column
    private const int MaxIterations = 500;

    private DprAllocation(ushort[] table, int stride, DapilFill[] fills)
    {
        Table = table;
        Stride = stride;
        Fills = fills;
    }

    /// <summary>Per station, per party of its DPR ballot (in ballot order): the party's votes, own and candidates' together.</summary>
    public ushort[] Table { get; }
    public int Stride { get; }
    public IReadOnlyList<DapilFill> Fills { get; }

    public static DprAllocation Run(Election election, Contest dpr, Geography places, StationProfiles profiles,
        RehearsalData data, ulong seed)
    {
        var stride = dpr.Ballots.Max(b => b.Parties.Count);
        var table = new ushort[(long)election.Stations.Count * stride];
        var byBallot = new BallotStations(election, dpr);
        var fills = new DapilFill[dpr.Dapils.Count];
        var official = 0;
        foreach (var dapil in dpr.Dapils)
            foreach (var party in dapil.Ballot.Parties)
                official += data.DprVotes.ContainsKey((dapil.Code, party.Party.Number)) ? 1
                    : throw new InvalidDataException($"{RehearsalData.OfficialVotesFile}: no votes for party {party.Party.Number} in DPR dapil {dapil.Code}");
        if (official != data.DprVotes.Count)
            throw new InvalidDataException($"{RehearsalData.OfficialVotesFile}: {data.DprVotes.Count - official} rows name a dapil or party that is not on a DPR ballot");

        var contestKey = Seeds.Tag(dpr.Id);
        try
        {
            Parallel.ForEach(dpr.Dapils, dapil =>
            {
                var stations = byBallot.Of(dapil.Ballot).ToArray();
                fills[dapil.Index] = Allocate(dapil, stations, places, profiles, data, seed, contestKey, table, stride);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            throw e.InnerExceptions[0];
        }
        return new DprAllocation(table, stride, fills);
    }

    private static DapilFill Allocate(Dapil dapil, int[] stations, Geography places,
        StationProfiles profiles, RehearsalData data, ulong seed, ulong contestKey, ushort[] table, int stride)
    {
        var parties = dapil.Ballot.Parties;
        var width = parties.Count;
        var n = stations.Length;
        var official = new long[width];
        for (var p = 0; p < width; p++) official[p] = data.DprVotes[(dapil.Code, parties[p].Party.Number)];
        var valid = official.Sum();

        // 1. Valid votes per station: invalid rates (lowered where the dapil is nearly full), caps, water-filling.
        long ballotCapacity = 0;
        foreach (var s in stations) ballotCapacity += profiles.Cap[s];
        var fill = (double)valid / Math.Max(1, ballotCapacity);
        var invalidFactor = Math.Clamp(5 * (1 - fill), 0.15, 1.0);
        var expected = new double[n];
        var validCap = new int[n];
        long capacity = 0;
        for (var i = 0; i < n; i++)
        {
            var s = stations[i];
            var rate = profiles.InvalidRate[s] * invalidFactor;
            profiles.InvalidRate[s] = (float)rate;
            validCap[i] = (int)Math.Floor(profiles.Cap[s] * (1 - (double)profiles.InvalidRate[s]));
            expected[i] = profiles.ExpectedBallots[s] * (1 - rate);
            capacity += validCap[i];
        }
        if (valid > capacity)
            throw new InvalidDataException($"DPR dapil {dapil.Code} {dapil.Name}: {valid:N0} official valid votes do not fit in its {n:N0} stations (at most {capacity:N0})");
        var target = WaterFill(expected, validCap, valid);

        // 2. The seed table: the station's valid votes × the party's share × regional preferences × noise.
        var x = new double[(long)n * width];
        var preferences = new RegionalPreferences(places, seed, contestKey, parties);
        for (var i = 0; i < n; i++)
        {
            var s = stations[i];
            var regional = preferences.At(s);
            var noise = Rng.For(seed, Purpose.AllocationNoise, places.StationKey(s));
            for (var p = 0; p < width; p++)
            {
                var mean = target[i] * official[p] / Math.Max(1, valid) * regional[p];
                var sigma = 0.10 + 1 / Math.Sqrt(mean + 2);
                x[(long)i * width + p] = mean * DetMath.Exp(sigma * noise.Normal());
            }
        }

        // 3. IPF: rows to the stations' valid votes, columns to the official totals.
        Fit(x, n, width, target, official);

        // 4. Whole votes, columns exact; then no station above its cap.
        var votes = RoundColumns(x, n, width, official);
        KeepUnderCaps(votes, x, n, width, validCap, dapil);

        for (var p = 0; p < width; p++)
        {
            long sum = 0;
            for (var i = 0; i < n; i++) sum += votes[(long)i * width + p];
            if (sum != official[p]) throw new InvalidOperationException($"DPR dapil {dapil.Code}: party {parties[p].Party.Number} got {sum}, not {official[p]}");
        }
        for (var i = 0; i < n; i++)
            for (var p = 0; p < width; p++)
                table[(long)stations[i] * stride + p] = checked((ushort)votes[(long)i * width + p]);
        return new DapilFill(dapil.Code, dapil.Name, n, valid, ballotCapacity, capacity);
    }

    /// <summary>
    /// Targets proportional to <paramref name="expected"/> that sum to <paramref name="total"/>, none above its cap:
    /// stations that would overflow are set to their cap and the others scaled up again, until none overflows.
    /// </summary>
    internal static double[] WaterFill(double[] expected, int[] cap, long total)
    {
        var n = expected.Length;
        var capped = new bool[n];
        var target = new double[n];
        while (true)
        {
            double free = 0, fixedVotes = 0;
            for (var i = 0; i < n; i++)
                if (capped[i]) fixedVotes += cap[i];
                else free += expected[i];
            if (free <= 0)
            {
                // Nothing left to scale (every station full, or no expected votes at all): share by capacity.
                long room = 0;
                foreach (var c in cap) room += c;
                for (var i = 0; i < n; i++) target[i] = room > 0 ? (double)cap[i] * total / room : 0;
                return target;
            }
            var k = (total - fixedVotes) / free;
            var changed = false;
            for (var i = 0; i < n; i++)
                if (!capped[i] && k * expected[i] > cap[i]) capped[i] = changed = true;
            if (changed) continue;
            for (var i = 0; i < n; i++) target[i] = capped[i] ? cap[i] : k * expected[i];
            return target;
        }
    }

    /// <summary>Iterative proportional fitting; ends on a column step, so the columns are the official totals (as reals).</summary>
    private static void Fit(double[] x, int n, int width, double[] rowTarget, long[] colTarget)
    {
        var colSum = new double[width];
        var factor = new double[width];
        for (var iteration = 1; ; iteration++)
        {
            Array.Clear(colSum);
            for (var i = 0; i < n; i++)
                for (var p = 0; p < width; p++) colSum[p] += x[(long)i * width + p];
            double worst = 0;
            for (var p = 0; p < width; p++)
            {
                worst = Math.Max(worst, Math.Abs(colSum[p] - colTarget[p]));
                factor[p] = colSum[p] > 0 ? colTarget[p] / colSum[p] : 0;
            }
            for (var i = 0; i < n; i++)
                for (var p = 0; p < width; p++) x[(long)i * width + p] *= factor[p];
            if (worst <= Tolerance || iteration == MaxIterations) return;
            for (var i = 0; i < n; i++)
            {
                double sum = 0;
                for (var p = 0; p < width; p++) sum += x[(long)i * width + p];
                var g = sum > 0 ? rowTarget[i] / sum : 0;
                for (var p = 0; p < width; p++) x[(long)i * width + p] *= g;
            }
        }
    }

    /// <summary>
    /// Rounds each column cumulatively: a station gets round(sum up to it) − round(sum before it),
    /// the last station what is left of the official total. Never negative; column sums exact.
    /// </summary>
    private static int[] RoundColumns(double[] x, int n, int width, long[] colTarget)
    {
        var votes = new int[(long)n * width];
        for (var p = 0; p < width; p++)
        {
            double cumulative = 0;
            long given = 0;
            for (var i = 0; i < n; i++)
            {
                cumulative += x[(long)i * width + p];
                var upTo = i == n - 1 ? colTarget[p] : Math.Clamp((long)Math.Floor(cumulative + 0.5), given, colTarget[p]);
                votes[(long)i * width + p] = (int)(upTo - given);
                given = upTo;
            }
        }
        return votes;
    }

    /// <summary>Moves single votes from stations that rounding took over their cap to the next station with room.</summary>
    private static void KeepUnderCaps(int[] votes, double[] x, int n, int width, int[] cap, Dapil dapil)
    {
        var rowSum = new int[n];
        for (var i = 0; i < n; i++)
            for (var p = 0; p < width; p++) rowSum[i] += votes[(long)i * width + p];
        var room = 0; // the next station that may have room; only ever moves forward (round the dapil)
        for (var i = 0; i < n; i++)
        {
            while (rowSum[i] > cap[i])
            {
                var from = -1;
                for (var p = 0; p < width; p++)
                {
                    var cell = (long)i * width + p;
                    if (votes[cell] > 0 && (from < 0 || votes[cell] - x[cell] > votes[(long)i * width + from] - x[(long)i * width + from]))
                        from = p;
                }
                for (var tried = 0; rowSum[room] >= cap[room] || room == i; room = (room + 1) % n)
                    if (++tried > n) throw new InvalidOperationException($"DPR dapil {dapil.Code}: no station has room left");
                votes[(long)i * width + from]--;
                votes[(long)room * width + from]++;
                rowSum[i]--;
                rowSum[room]++;
            }
        }
    }
}
