using System.Buffers;

namespace Broadcast.Results;

/// <summary>A group's totals in a packed frame: absolute, votes in <see cref="PackedFrame.Order"/>.</summary>
public sealed record PackedTotals(long Reported, long Quarantined, long Total, long Valid, long Invalid, long[] Votes);

/// <summary>
/// A changed child in a packed frame: <see cref="Index"/> into the snapshot's children; its values
/// now (<see cref="Absolute"/>) or what to add to the ones held. Votes in <see cref="PackedFrame.Order"/>
/// of the child's own choice ids.
/// </summary>
public sealed record PackedChild(int Index, bool Absolute, long Reported, long Quarantined, long Valid, long Invalid, long[] Votes);

/// <summary>
/// The bytes of a <see cref="Headline"/> or <see cref="Delta"/> (docs/api.md, "Packed frames"):
/// <code>
/// packed   := flags:u8 totals [hash:32 bytes if flags&amp;1] [children if flags&amp;2]
/// totals   := reported:s quarantined:s total:s valid:s invalid:s n:u votes:s×n
/// children := count:u (key:u reported:s quarantined:s valid:s invalid:s votes:s×m)×count
/// key      := (index − previous index − 1) &lt;&lt; 1 | absolute
/// </code>
/// <c>u</c> is an unsigned LEB128 varint, <c>s</c> a zigzag one (as protobuf's sint64). Nearly
/// every number a frame carries is a count below a few million or a small increment: one to
/// three bytes here, where MessagePack spends three to five and a key besides.
/// </summary>
public static class PackedFrame
{
    private const byte HasHash = 1, HasChildren = 2;
    private const int HashBytes = 32;

    /// <summary>Packs totals, and for a <see cref="Delta"/> the chain hash (hex; null: none yet) and the changed children in index order.</summary>
    public static byte[] Write(PackedTotals totals, string? hash = null, IReadOnlyList<PackedChild>? children = null)
    {
        var w = new ArrayBufferWriter<byte>(64 + (children?.Count ?? 0) * 16);
        w.GetSpan(1)[0] = (byte)((hash is null ? 0 : HasHash) | (children is null ? 0 : HasChildren));
        w.Advance(1);
        foreach (var value in (ReadOnlySpan<long>)[totals.Reported, totals.Quarantined, totals.Total, totals.Valid, totals.Invalid]) Signed(w, value);
        Counts(w, totals.Votes);
        if (hash is not null)
        {
            if (hash.Length != HashBytes * 2) throw new ArgumentException("A chain hash is 64 hex digits.", nameof(hash));
            Convert.FromHexString(hash, w.GetSpan(HashBytes), out _, out _);
            w.Advance(HashBytes);
        }
        if (children is null) return w.WrittenSpan.ToArray();
        Unsigned(w, (ulong)children.Count);
        var previous = -1;
        foreach (var child in children)
        {
            if (child.Index <= previous) throw new ArgumentException("Children go in increasing index order.", nameof(children));
            Unsigned(w, ((ulong)(child.Index - previous - 1) << 1) | (child.Absolute ? 1UL : 0));
            previous = child.Index;
            foreach (var value in (ReadOnlySpan<long>)[child.Reported, child.Quarantined, child.Valid, child.Invalid]) Signed(w, value);
            foreach (var vote in child.Votes) Signed(w, vote);
        }
        return w.WrittenSpan.ToArray();
    }

    /// <summary>What a packed frame holds. <paramref name="childVotes"/> gives how many votes the child at an index has (from the snapshot held); -1: no such child.</summary>
    /// <exception cref="InvalidDataException">The bytes end early, go on after the end, or name a child not held.</exception>
    public static (PackedTotals Totals, string? Hash, IReadOnlyList<PackedChild> Children) Read(ReadOnlySpan<byte> packed, Func<int, int> childVotes)
    {
        var r = new Reader(packed);
        var (flags, totals, hash) = Head(ref r);
        var children = new List<PackedChild>();
        if ((flags & HasChildren) != 0)
        {
            var count = r.Count();
            var index = -1;
            for (var c = 0; c < count; c++)
            {
                var key = r.Unsigned();
                index = checked(index + 1 + (int)(key >> 1));
                var m = childVotes(index);
                if (m < 0) throw new InvalidDataException($"The frame names child {index}, which is not held.");
                var (reported, quarantined, valid, invalid) = (r.Signed(), r.Signed(), r.Signed(), r.Signed());
                children.Add(new PackedChild(index, (key & 1) != 0, reported, quarantined, valid, invalid, r.Signeds(m)));
            }
        }
        if (!r.AtEnd) throw new InvalidDataException("The frame has bytes after its end.");
        return (totals, hash, children);
    }

    /// <summary>How many children a packed frame lists (0 for a headline), read without the snapshot (tools measuring frames).</summary>
    public static int ChildCount(ReadOnlySpan<byte> packed)
    {
        var r = new Reader(packed);
        var (flags, _, _) = Head(ref r);
        return (flags & HasChildren) != 0 ? r.Count() : 0;
    }

    /// <summary>What every packed frame starts with: its flags, the group's totals and, when flagged, the chain hash.</summary>
    private static (byte Flags, PackedTotals Totals, string? Hash) Head(ref Reader r)
    {
        var flags = r.Flags();
        var (reported, quarantined, total, valid, invalid) = (r.Signed(), r.Signed(), r.Signed(), r.Signed(), r.Signed());
        var votes = r.Signeds(r.Count());
        var hash = (flags & HasHash) != 0 ? Convert.ToHexStringLower(r.Bytes(HashBytes)) : null;
        return (flags, new PackedTotals(reported, quarantined, total, valid, invalid, votes), hash);
    }

    /// <summary>
    /// Packed counts (in <see cref="Order"/> of <paramref name="held"/>'s ids) as a votes map with
    /// those ids, in <paramref name="held"/>'s order (screens list them so): the counts themselves,
    /// or with <paramref name="increments"/> added to the held ones.
    /// </summary>
    /// <exception cref="InvalidDataException">The frame counts other choices than are held.</exception>
    public static Dictionary<string, long> Votes(IReadOnlyDictionary<string, long> held, long[] counts, bool increments)
    {
        if (counts.Length != held.Count) throw new InvalidDataException($"{counts.Length} votes for the {held.Count} choices held.");
        var order = Order(held);
        var byId = new Dictionary<string, long>(order.Length, StringComparer.Ordinal);
        for (var i = 0; i < order.Length; i++) byId[order[i]] = increments ? held[order[i]] + counts[i] : counts[i];
        var votes = new Dictionary<string, long>(order.Length, StringComparer.Ordinal);
        foreach (var id in held.Keys) votes[id] = byId[id];
        return votes;
    }

    /// <summary>The choice ids of a votes map in the order frames carry them: ordinal ("01" &lt; "02"; "1" &lt; "10" &lt; "2").</summary>
    public static string[] Order(IReadOnlyDictionary<string, long> votes)
    {
        var ids = votes.Keys.ToArray();
        Array.Sort(ids, StringComparer.Ordinal);
        return ids;
    }

    /// <summary>A votes map's counts in <see cref="Order"/>.</summary>
    public static long[] InOrder(IReadOnlyDictionary<string, long> votes) => Order(votes).Select(id => votes[id]).ToArray();

    private static void Counts(ArrayBufferWriter<byte> w, long[] values)
    {
        Unsigned(w, (ulong)values.Length);
        foreach (var value in values) Signed(w, value);
    }

    private static void Signed(ArrayBufferWriter<byte> w, long value) => Unsigned(w, (ulong)((value << 1) ^ (value >> 63)));

    private static void Unsigned(ArrayBufferWriter<byte> w, ulong value)
    {
        var span = w.GetSpan(10);
        var i = 0;
        for (; value >= 0x80; value >>= 7) span[i++] = (byte)(value | 0x80);
        span[i++] = (byte)value;
        w.Advance(i);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public readonly bool AtEnd => _at == _data.Length;

        public byte Byte() => _at < _data.Length ? _data[_at++] : throw Truncated();

        /// <summary>The flags byte. Bits this layout does not define mean one it does not know: its numbers would be misread.</summary>
        public byte Flags() => Byte() is var flags && (flags & ~(HasHash | HasChildren)) == 0
            ? flags : throw new InvalidDataException($"Unknown flags {flags:x2}: not a layout this reader knows.");

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (_data.Length - _at < count) throw Truncated();
            _at += count;
            return _data.Slice(_at - count, count);
        }

        public ulong Unsigned()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return value;
            }
            throw new InvalidDataException("A varint longer than 10 bytes.");
        }

        public long Signed()
        {
            var raw = Unsigned();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        public long[] Signeds(int count)
        {
            var values = new long[count];
            for (var i = 0; i < count; i++) values[i] = Signed();
            return values;
        }

        /// <summary>A count of items to come: each takes a byte at least, so a count past the bytes left is a broken frame.</summary>
        public int Count()
        {
            var count = Unsigned();
            return count <= (ulong)(_data.Length - _at) ? (int)count : throw Truncated();
        }

        private static InvalidDataException Truncated() => new("The frame ends early.");
    }
}
