using Broadcast.Results;

namespace Broadcast.Tests;

/// <summary>The packed frames' bytes (docs/api.md, "Packed frames"), against bytes written out by hand from the spec.</summary>
public sealed class PackedFrameTests
{
    private static readonly PackedTotals Totals = new(Reported: 1, Quarantined: 0, Total: 3, Valid: -1, Invalid: 64, Votes: [63, 8192]);

    [Fact]
    public void AFrameIsWrittenAsTheSpecSays()
    {
        var packed = PackedFrame.Write(Totals, null,
            [new PackedChild(2, Absolute: false, -2, 0, 1, 0, [0, 1]), new PackedChild(3, Absolute: true, 1, 0, 2, 0, [300, 0])]);

        byte[] expected =
        [
            0x02,                               // flags: children, no hash
            0x02, 0x00, 0x06, 0x01, 0x80, 0x01, // reported 1, quarantined 0, total 3, valid -1, invalid 64 (zigzag 128: two bytes)
            0x02, 0x7E, 0x80, 0x80, 0x01,       // 2 votes: 63 (zigzag 126), 8192 (zigzag 16384: three bytes)
            0x02,                               // 2 children
            0x04, 0x03, 0x00, 0x02, 0x00, 0x00, 0x02, // place 2 (gap 2, increments): -2, 0, +1, 0, votes +0 +1
            0x01, 0x02, 0x00, 0x04, 0x00, 0xD8, 0x04, 0x00, // place 3 (gap 0, values): 1, 0, 2, 0, votes 300 0
        ];
        Assert.Equal(expected, packed);
        Assert.Equal(2, PackedFrame.ChildCount(packed));
    }

    [Fact]
    public void WhatIsWrittenReadsBackWithTheHashAndExtremeNumbers()
    {
        var hash = string.Concat(Enumerable.Repeat("0a", 32));
        var votes = new long[] { long.MaxValue, long.MinValue, 1L << 40, -(1L << 31), 0 };
        var child = new PackedChild(7, false, -5, 1, long.MaxValue, -1, votes);
        var packed = PackedFrame.Write(Totals, hash, [child]);

        var (totals, readHash, children) = PackedFrame.Read(packed, i => i == 7 ? votes.Length : -1);

        Assert.Equal(Scalars(Totals), Scalars(totals));
        Assert.Equal(Totals.Votes, totals.Votes);
        Assert.Equal(hash, readHash);
        var read = Assert.Single(children);
        Assert.Equal((child.Index, child.Absolute, child.Reported, child.Quarantined, child.Valid, child.Invalid),
            (read.Index, read.Absolute, read.Reported, read.Quarantined, read.Valid, read.Invalid));
        Assert.Equal(votes, read.Votes);
    }

    private static (long, long, long, long, long) Scalars(PackedTotals t) => (t.Reported, t.Quarantined, t.Total, t.Valid, t.Invalid);

    [Fact]
    public void AHeadlineHasTotalsOnly()
    {
        var packed = PackedFrame.Write(Totals);
        Assert.Equal(0, packed[0]);
        var (totals, hash, children) = PackedFrame.Read(packed, _ => -1);
        Assert.Equal(Totals.Votes, totals.Votes);
        Assert.Null(hash);
        Assert.Empty(children);
    }

    [Fact]
    public void BrokenFramesAreRefused()
    {
        var packed = PackedFrame.Write(Totals, null, [new PackedChild(0, true, 1, 0, 1, 0, [1, 0])]);
        Func<int, int> twoVotes = i => i == 0 ? 2 : -1;

        Assert.Throws<InvalidDataException>(() => PackedFrame.Read(packed[..^1], twoVotes));            // ends early
        Assert.Throws<InvalidDataException>(() => PackedFrame.Read([.. packed, 0], twoVotes));           // goes on after its end
        Assert.Throws<InvalidDataException>(() => PackedFrame.Read(packed, _ => -1));                     // a child not held
        Assert.Throws<InvalidDataException>(() => PackedFrame.Read(packed, _ => 3));                      // more votes than it has
        Assert.Throws<InvalidDataException>(() => PackedFrame.Read([(byte)(packed[0] | 4), .. packed[1..]], twoVotes)); // a layout it does not know
        Assert.Throws<InvalidDataException>(() => PackedFrame.Read([0, .. Enumerable.Repeat((byte)0xFF, 11)], twoVotes)); // a varint past 64 bits
        Assert.Throws<ArgumentException>(() => PackedFrame.Write(Totals, null, [new PackedChild(1, true, 0, 0, 0, 0, []), new PackedChild(1, true, 0, 0, 0, 0, [])]));
    }

    [Fact]
    public void VotesGoInTheOrdinalOrderOfTheirIds()
    {
        Assert.Equal(["01", "02", "03"], PackedFrame.Order(new Dictionary<string, long> { ["03"] = 3, ["01"] = 1, ["02"] = 2 }));
        Assert.Equal(["1", "10", "2"], PackedFrame.Order(new Dictionary<string, long> { ["2"] = 2, ["10"] = 10, ["1"] = 1 }));
        Assert.Equal([1L, 10L, 2L], PackedFrame.InOrder(new Dictionary<string, long> { ["2"] = 2, ["10"] = 10, ["1"] = 1 }));
    }
}
