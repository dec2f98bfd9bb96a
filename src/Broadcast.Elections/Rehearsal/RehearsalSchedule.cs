using System.Collections;

namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// The forms of a rehearsal night in arrival order, as one sorted 8-byte key per form:
/// arrival second (after the polls closed) | station index (20 bits) | the contest's place in
/// the counting order (3 bits). Ties in time go by station, then contest: a fixed order.
/// </summary>
public sealed class RehearsalSchedule : IReadOnlyList<RehearsalArrival>
{
    private const int StationBits = 20, PositionBits = 3;
    internal const int Positions = 1 << PositionBits;
    internal const int MaxStations = 1 << StationBits;

    private readonly long[] _keys;
    private readonly Contest[] _contests; // by position

    internal RehearsalSchedule(long[] keys, Contest[] contests)
    {
        _keys = keys;
        _contests = contests;
    }

    internal static long Key(int seconds, int station, int position) =>
        (long)seconds << (StationBits + PositionBits) | (long)station << PositionBits | (long)position;

    public int Count => _keys.Length;

    public RehearsalArrival this[int index]
    {
        get
        {
            var key = _keys[index];
            return new RehearsalArrival((int)(key >> PositionBits) & (MaxStations - 1), _contests[key & (Positions - 1)],
                TimeSpan.FromSeconds(key >> (StationBits + PositionBits)));
        }
    }

    public IEnumerator<RehearsalArrival> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
