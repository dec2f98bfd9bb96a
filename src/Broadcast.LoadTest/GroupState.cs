using System.Globalization;
using System.Text.Json;
using Broadcast.Results;
using MessagePack;

namespace Broadcast.LoadTest;

/// <summary>
/// What a verifying viewer (<c>--verify</c>) holds of its group, applied as docs/api.md, "Applying
/// deltas" and "Packed frames" say: the snapshot from the subscribe answer, then every
/// TotalsChanged (listed children replaced), Delta (packed: totals replaced, listed children's
/// increments added or values replaced) or Headline (packed totals only). After the run it is
/// compared with the read API's snapshot of the same version.
/// </summary>
public sealed class GroupState
{
    public sealed class Totals
    {
        public long Reported, Quarantined, Valid, Invalid;
        public Dictionary<string, long> Votes { get; } = new(StringComparer.Ordinal);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"reported {Reported}, quarantined {Quarantined}, valid {Valid}, invalid {Invalid}, votes {string.Join(" ", Votes.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"))}");
    }

    public long Version { get; private set; } = -1;
    public string? Epoch { get; private set; }
    public Totals Group { get; } = new();
    public Dictionary<string, Totals> Children { get; } = new(StringComparer.Ordinal);
    /// <summary>The children's ids in snapshot order: a packed frame names a child by its place here.</summary>
    private readonly List<string> _childOrder = [];
    /// <summary>Why the state can no longer be trusted (a gap, a message cut short, something unreadable); null while it can.</summary>
    public string? Broken { get; private set; }
    public long Applied { get; private set; }

    public void Break(string why) => Broken ??= why;

    /// <summary>The subscribe answer: [3, headers, id, 3, snapshot].</summary>
    public void OnSnapshot(ReadOnlyMemory<byte> message)
    {
        try
        {
            var items = MessagePackSerializer.Deserialize<object[]>(message);
            if (items.Length < 5 || items[4] is not Dictionary<object, object> snapshot) { Break("subscribe answer without a snapshot"); return; }
            Epoch = snapshot["epoch"] as string;
            Version = Long(snapshot["version"]);
            ReadTotals(snapshot, Group, merge: false);
            Children.Clear();
            _childOrder.Clear();
            if (snapshot.TryGetValue("children", out var c) && c is object[] children)
                foreach (var child in children.OfType<Dictionary<object, object>>())
                {
                    ReadTotals(child, Children[(string)child["id"]] = new Totals(), merge: false);
                    _childOrder.Add((string)child["id"]);
                }
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidCastException or KeyNotFoundException)
        {
            Break("unreadable snapshot: " + e.Message);
        }
    }

    /// <summary>An update: [1, headers, null, target, [frame], ...].</summary>
    public void OnUpdate(ReadOnlyMemory<byte> message, UpdateKind kind)
    {
        if (Broken is not null) return;
        try
        {
            var items = MessagePackSerializer.Deserialize<object[]>(message);
            if (items.Length >= 5 && items[4] is object[] { Length: > 0 } packedArgs && packedArgs[0] is object[] packed)
            {
                OnPacked(packed, kind);
                return;
            }
            if (items.Length < 5 || items[4] is not object[] { Length: > 0 } args || args[0] is not Dictionary<object, object> frame)
            {
                Break("update without a frame");
                return;
            }
            if (frame["epoch"] as string != Epoch) { Break("another epoch"); return; }
            var version = Long(frame["version"]);
            var previous = Long(frame["prevVersion"]);
            if (version <= Version) return; // duplicate or late
            if (previous > Version) { Break($"gap: held {Version}, frame from {previous}"); return; }
            ReadTotals(frame, Group, merge: false);
            if (kind != UpdateKind.Headline && frame.TryGetValue("children", out var c) && c is object[] children)
                foreach (var child in children.OfType<Dictionary<object, object>>())
                {
                    var id = (string)child["id"];
                    if (kind == UpdateKind.Delta)
                    {
                        if (!Children.TryGetValue(id, out var held)) { Break($"Delta for child {id} not in the snapshot"); return; }
                        ReadTotals(child, held, merge: true);
                    }
                    else
                    {
                        ReadTotals(child, Children[id] = new Totals(), merge: false);
                    }
                }
            Version = version;
            Applied++;
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidCastException or KeyNotFoundException or InvalidDataException)
        {
            Break("unreadable update: " + e.Message);
        }
    }

    /// <summary>A packed Headline or Delta: [contest, region, prevVersion, version, packed, ...].</summary>
    private void OnPacked(object[] frame, UpdateKind kind)
    {
        var previous = Long(frame[2]);
        var version = Long(frame[3]);
        if (version <= Version) return; // duplicate or late
        // A headline is whole; a delta's increments apply on top of exactly what it starts from.
        if (kind == UpdateKind.Delta && previous != Version) { Break($"gap: held {Version}, frame from {previous}"); return; }
        var (totals, _, children) = PackedFrame.Read((byte[])frame[4],
            i => i < _childOrder.Count ? Children[_childOrder[i]].Votes.Count : -1);
        (Group.Reported, Group.Quarantined, Group.Valid, Group.Invalid) = (totals.Reported, totals.Quarantined, totals.Valid, totals.Invalid);
        SetVotes(Group, totals.Votes, absolute: true);
        foreach (var child in children)
        {
            var held = Children[_childOrder[child.Index]];
            long Now(long value, long packed) => child.Absolute ? packed : value + packed;
            (held.Reported, held.Quarantined, held.Valid, held.Invalid) =
                (Now(held.Reported, child.Reported), Now(held.Quarantined, child.Quarantined), Now(held.Valid, child.Valid), Now(held.Invalid, child.Invalid));
            SetVotes(held, child.Votes, child.Absolute);
        }
        Version = version;
        Applied++;
    }

    /// <summary>Packed votes (in ordinal order of the ids held) set, or added as increments.</summary>
    private static void SetVotes(Totals into, long[] packed, bool absolute)
    {
        foreach (var (id, count) in PackedFrame.Votes(into.Votes, packed, increments: !absolute)) into.Votes[id] = count;
    }

    /// <summary>
    /// Compares with the read API's snapshot (JSON). Null when equal; otherwise what differs. The
    /// totals always; the children unless <paramref name="headline"/>.
    /// </summary>
    public string? Compare(JsonElement snapshot, bool headline)
    {
        var truth = new Totals();
        ReadJson(snapshot, truth);
        if (Differs(Group, truth) is { } group) return $"group: {group}";
        if (headline) return null;
        foreach (var child in snapshot.GetProperty("children").EnumerateArray())
        {
            var id = child.GetProperty("id").GetString()!;
            var expected = new Totals();
            ReadJson(child, expected);
            if (!Children.TryGetValue(id, out var held)) return $"child {id} missing";
            if (Differs(held, expected) is { } d) return $"child {id}: {d}";
        }
        return null;
    }

    private static string? Differs(Totals held, Totals truth)
    {
        var same = held.Reported == truth.Reported && held.Quarantined == truth.Quarantined && held.Valid == truth.Valid
            && held.Invalid == truth.Invalid && held.Votes.Count == truth.Votes.Count
            && held.Votes.All(v => truth.Votes.TryGetValue(v.Key, out var t) && t == v.Value);
        return same ? null : $"held {held}; the read API {truth}";
    }

    private static void ReadJson(JsonElement e, Totals into)
    {
        var stations = e.GetProperty("stations");
        into.Reported = stations.GetProperty("reported").GetInt64();
        into.Quarantined = stations.GetProperty("quarantined").GetInt64();
        into.Valid = e.GetProperty("valid").GetInt64();
        into.Invalid = e.GetProperty("invalid").GetInt64();
        foreach (var v in e.GetProperty("votes").EnumerateObject()) into.Votes[v.Name] = v.Value.GetInt64();
    }

    /// <summary>
    /// A group or a child: a full shape (<c>stations: {reported, quarantined}</c>) or a Delta child's
    /// (<c>reported</c>, <c>quarantined</c> at the top); with <paramref name="merge"/>, absent fields and
    /// choices are left as held.
    /// </summary>
    private static void ReadTotals(Dictionary<object, object> m, Totals into, bool merge)
    {
        if (m.TryGetValue("stations", out var s) && s is Dictionary<object, object> stations)
        {
            into.Reported = Long(stations["reported"]);
            into.Quarantined = Long(stations["quarantined"]);
        }
        if (m.TryGetValue("reported", out var r) && r is not null) into.Reported = Long(r);
        if (m.TryGetValue("quarantined", out var q) && q is not null) into.Quarantined = Long(q);
        if (m.TryGetValue("valid", out var valid) && valid is not null) into.Valid = Long(valid);
        if (m.TryGetValue("invalid", out var invalid) && invalid is not null) into.Invalid = Long(invalid);
        if (m.TryGetValue("votes", out var v) && v is Dictionary<object, object> votes)
        {
            if (!merge) into.Votes.Clear();
            foreach (var (choice, count) in votes) into.Votes[(string)choice] = Long(count);
        }
    }

    private static long Long(object? o) => Convert.ToInt64(o, CultureInfo.InvariantCulture);
}
