namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// When forms arrive: the share of stations whose DPR form is in, over time since the polls
/// closed (14 February 2024, 13:00 WIB). From the first snapshot of the 2024 public real count
/// (<c>sirekap_progress.csv</c>, 17 Feb 19:30 WIB, 548,354 stations) to its last (3 Apr,
/// 648,979) the curve is the real national one, scaled so that its last snapshot is 100 %
/// (every station's forms arrive in the end; a fifth of the real ones never did). Before its
/// first snapshot there is no public record, so the first 78½ hours are a synthetic rise to
/// that snapshot's 84.5 %: the knots below, as shares of it. Between knots the curve is linear.
/// <para>
/// A station's place on the curve is drawn with regional lateness: a regency's deviate (weight
/// 0.6), a district's (0.3) and the station's own (0.74), so the stations of a remote regency
/// tend to come in together and late; Φ of that score is its quantile on the curve. Its DPD,
/// DPRD provinsi and DPRD kab/kota forms follow the DPR form, in the order the ballots are
/// counted at a station, each 20..60 minutes after the one before.
/// </para>
/// </summary>
internal sealed class ArrivalCurve
{
    /// <summary>Polls close at 13:00 local time; the count starts then, with the presidential ballots.</summary>
    public static readonly DateTimeOffset PollsClose = new(2024, 2, 14, 13, 0, 0, TimeSpan.FromHours(7));

    /// <summary>The synthetic first night: (hours after the polls closed, share of the first real snapshot's stations).</summary>
    private static readonly (double Hours, double Share)[] FirstNight =
    [
        (2, 0),        // 15:00: the presidential ballots are counted first; DPR forms start
        (5, 0.06),
        (8, 0.24),
        (11, 0.45),    // midnight
        (17, 0.65),
        (23, 0.76),
        (35, 0.88),
        (59, 0.965),
    ];

    private const double RegencyWeight = 0.6, DistrictWeight = 0.3, StationWeight = 0.74;

    /// <summary>The order a station counts its legislative ballots in (after the presidential one).</summary>
    public static readonly string[] CountingOrder = ["dpr", "dpd", "dprd_prov", "dprd_kab"];

    private readonly double[] _seconds; // knots: seconds after the polls closed
    private readonly double[] _share;   // knots: share of stations in, non-decreasing, 0..1
    private readonly Geography _places;
    private readonly ulong _seed;

    public ArrivalCurve(RehearsalData data, Geography places, ulong seed)
    {
        (_places, _seed) = (places, seed);
        var last = data.Progress[^1].Reported;
        var first = (double)data.Progress[0].Reported / last;
        var seconds = new List<double>();
        var share = new List<double>();
        foreach (var (hours, part) in FirstNight)
        {
            seconds.Add(hours * 3600);
            share.Add(part * first);
        }
        var pollsClose = PollsClose.DateTime; // WIB wall clock, as the file's times
        var reached = 0.0;
        foreach (var (time, reported) in data.Progress)
        {
            var at = (time - pollsClose).TotalSeconds;
            if (at <= seconds[^1]) throw new InvalidDataException($"{RehearsalData.ProgressFile}: a snapshot at {time:yyyy-MM-dd HH:mm} is not after the synthetic first night");
            reached = Math.Max(reached, (double)reported / last); // the real count never fell; be safe if it did
            seconds.Add(at);
            share.Add(reached);
        }
        share[^1] = 1;
        _seconds = [.. seconds];
        _share = [.. share];
    }

    /// <summary>How long after the polls closed the last form may arrive.</summary>
    public TimeSpan Span => TimeSpan.FromSeconds(_seconds[^1] + 3 * 3600);

    /// <summary>Seconds after the polls closed when <paramref name="station"/>'s DPR form arrives.</summary>
    public int DprSeconds(int station)
    {
        var regency = Rng.For(_seed, Purpose.Arrival, _places.RegionKey[_places.Regency(station)]);
        var district = Rng.For(_seed, Purpose.Arrival, _places.RegionKey[_places.District(station)]);
        var own = Rng.For(_seed, Purpose.Arrival, _places.StationKey(station));
        var score = RegencyWeight * regency.Normal() + DistrictWeight * district.Normal() + StationWeight * own.Normal();
        return (int)At(DetMath.NormalCdf(score));
    }

    /// <summary>Seconds after the polls closed when the station's form at <paramref name="position"/> in <see cref="CountingOrder"/> arrives.</summary>
    public int Seconds(int station, int dprSeconds, int position)
    {
        var seconds = dprSeconds;
        if (position == 0) return seconds;
        var gaps = Rng.For(_seed, Purpose.Arrival, _places.StationKey(station), 1);
        for (var k = 1; k <= position; k++) seconds += (int)gaps.Between(20 * 60, 60 * 60);
        return seconds;
    }

    /// <summary>The time at which a share <paramref name="quantile"/> of the stations are in (the curve's inverse).</summary>
    private double At(double quantile)
    {
        var u = Math.Clamp(quantile, 0, 1);
        int hi = 0, end = _share.Length; // hi: the first knot whose share is at least u
        while (hi < end)
        {
            var mid = (hi + end) / 2;
            if (_share[mid] < u) hi = mid + 1;
            else end = mid;
        }
        if (hi == 0) return _seconds[0];
        if (hi >= _share.Length) return _seconds[^1];
        var lo = hi - 1;
        var span = _share[hi] - _share[lo];
        return span <= 0 ? _seconds[hi] : _seconds[lo] + (u - _share[lo]) / span * (_seconds[hi] - _seconds[lo]);
    }
}
