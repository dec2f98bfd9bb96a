using Broadcast.Publication;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests.Storage;

/// <summary>The store's part in rehearsals (its purpose, its reset) and in publication holds, on every engine.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task TheFirstServerClaimsAStoresPurposeAndItStays()
    {
        var empty = CreateEmptyStore();
        Assert.Equal("rehearsal", await empty.ClaimPurposeAsync("rehearsal"));
        Assert.Equal("rehearsal", await empty.ClaimPurposeAsync("live"));

        // A database that already holds revisions but no mark was the live count.
        var used = CreateEmptyStore();
        await used.AppendAsync([Request(null, Form("1.1", 1, 2))]);
        Assert.Equal("live", await used.ClaimPurposeAsync("rehearsal"));
    }

    [Fact]
    public async Task AClearDeletesTheLogButNeverReusesItsSeqsAndTheChainStartsAgain()
    {
        var store = CreateEmptyStore();
        var before = (await store.AppendAsync([Request("k1", Form("1.1", 1, 2), Form("1.2", 3, 4))]))[0].Receipts;
        Assert.Equal(0, await store.ReadClearedThroughAsync());

        await store.ClearAsync();

        Assert.Equal(before[^1].Seq, await store.ReadClearedThroughAsync());
        Assert.Empty(await store.ReadRevisionsAsync(0, long.MaxValue, 10));
        Assert.Empty(await store.ReadStationAsync("ppwp", "1.1"));
        var after = (await store.AppendAsync([Request("k1", Form("1.1", 1, 2))]))[0].Receipts[0];
        Assert.Equal((1, FormReceipt.Counted), (after.Revision, after.Status)); // the same key and form: new, not a replay
        Assert.True(after.Seq > before[^1].Seq);
        var stored = (await store.ReadRevisionsAsync([after.Seq])).Single();
        Assert.Equal(RevisionChain.Link(RevisionChain.Genesis, stored), stored.Hash);
    }

    [Fact]
    public async Task HoldsAreKeptOncePerContestAndRegionUntilRemoved()
    {
        var store = CreateEmptyStore();
        var since = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var hold = new Hold("ppwp", "0", 42, since, "rina", "on air at 19:00");
        Assert.True(await store.AddHoldAsync(hold));
        Assert.False(await store.AddHoldAsync(hold with { Seq = 43 }));
        Assert.True(await store.AddHoldAsync(hold with { Region = "11" }));
        Assert.Equal([hold, hold with { Region = "11" }], await store.ReadHoldsAsync());
        Assert.True(await store.RemoveHoldAsync("ppwp", "0"));
        Assert.False(await store.RemoveHoldAsync("ppwp", "0"));
        Assert.Equal(["11"], (await store.ReadHoldsAsync()).Select(h => h.Region));
    }
}
