using System.Security.Cryptography;
using System.Text;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests.Storage;

/// <summary>Ingest keys in the store, and signatures accepted once.</summary>
public abstract partial class StoreContractTests
{
    private static StoredIngestKey Key(string id, bool requireSignature = false) => new(id, SHA256.HashData(Encoding.UTF8.GetBytes("secret-" + id)),
        ["ppwp"], ["1"], requireSignature, DateTimeOffset.FromUnixTimeMilliseconds(1_713_340_800_000), "alice", "new counting app");

    private static AppendRequest Signed(byte[] signature, params NewRevision[] forms) =>
        Request(null, forms) with { Signature = new RequestSignature(signature, SignedAt, 600) };

    /// <summary>One timestamp for every signature of a test: the same signature always comes with the same timestamp.</summary>
    private static readonly long SignedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task AKeyIsAddedOnceChangedAndRevokedForGoodEachChangeRaisingTheVersionAndRecordedAsAnOperatorAction()
    {
        var store = CreateEmptyStore();
        Assert.Equal(0, await store.ReadIngestKeysVersionAsync());

        Assert.True(await store.AddIngestKeyAsync(Key("aceh-app")));
        Assert.False(await store.AddIngestKeyAsync(Key("aceh-app") with { SecretSha256 = new byte[32] }));
        var v1 = await store.ReadIngestKeysVersionAsync();
        var added = Assert.Single((await store.ReadIngestKeysAsync()).Keys);
        Assert.Equivalent(Key("aceh-app"), added, strict: true);

        var changed = added with { Contests = [], RequireSignature = true };
        Assert.True(await store.ChangeIngestKeyAsync(changed, "bob", "ingest-key-change", "aceh-app", "signing only"));
        var v2 = await store.ReadIngestKeysVersionAsync();
        var revoked = changed with { RevokedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_713_340_900_000), RevokedBy = "bob", RevokedReason = "phone lost" };
        Assert.True(await store.ChangeIngestKeyAsync(revoked, "bob", "ingest-key-revoke", "aceh-app", "phone lost"));
        var v3 = await store.ReadIngestKeysVersionAsync();
        Assert.False(await store.ChangeIngestKeyAsync(added with { RequireSignature = false }, "bob", "ingest-key-change", "aceh-app", "undo"));
        Assert.False(await store.ChangeIngestKeyAsync(Key("nobody"), "bob", "ingest-key-change", "nobody", "no such key"));

        Assert.True(v1 > 0 && v2 > v1 && v3 > v2, $"versions {v1}, {v2}, {v3}");
        var table = await store.ReadIngestKeysAsync();
        Assert.Equal(v3, table.Version);
        var final = Assert.Single(table.Keys);
        Assert.Equal((true, "bob", "phone lost", true), (final.Revoked, final.RevokedBy, final.RevokedReason, final.RequireSignature));
        Assert.Empty(final.Contests);
        Assert.Equal(revoked.RevokedAt, final.RevokedAt);
        var actions = await store.ReadActionsAsync(0, 10);
        Assert.Equal(["ingest-key-create", "ingest-key-change", "ingest-key-revoke"], actions.Select(a => a.Action));
        Assert.Equal(["alice", "bob", "bob"], actions.Select(a => a.Operator));
        Assert.Equal(["new counting app", "signing only", "phone lost"], actions.Select(a => a.Reason));
    }

    [Fact]
    public async Task ASignatureIsAcceptedOnceWithinABatchAndAcrossAppendsAndItsRequestStoresNothingTheSecondTime()
    {
        var store = CreateEmptyStore();
        var one = RandomNumberGenerator.GetBytes(32);
        var two = RandomNumberGenerator.GetBytes(32);

        var batch = await store.AppendAsync([Signed(one, Form("3.1", 1, 2)), Signed(one, Form("3.2", 1, 2)), Signed(two, Form("3.3", 1, 2))]);
        var later = await store.AppendAsync([Signed(two, Form("3.3", 5, 5))]);
        var keyedFirst = await store.AppendAsync([Signed(RandomNumberGenerator.GetBytes(32), Form("3.4", 1, 1)) with { IdempotencyKey = "k" }]);
        var keyedReplay = await store.AppendAsync([Signed(one, Form("3.4", 1, 1)) with { IdempotencyKey = "k" }]);

        Assert.Equal([AppendOutcome.Stored, AppendOutcome.SignatureReplayed, AppendOutcome.Stored], batch.Select(r => r.Outcome));
        Assert.Equal(AppendOutcome.SignatureReplayed, later[0].Outcome);
        Assert.Equal(AppendOutcome.Stored, keyedFirst[0].Outcome);
        Assert.Equal(AppendOutcome.SignatureReplayed, keyedReplay[0].Outcome);
        Assert.Empty(await store.ReadStationAsync("ppwp", "3.2"));
        var kept = Assert.Single(await store.ReadStationAsync("ppwp", "3.3"));
        Assert.Equal([1, 2], kept.Numbers.Votes);
    }

    [Fact]
    public async Task ADatabaseWithTheFirstShapeOfSeenSignaturesIsUpgradedOnOpening()
    {
        var store = CreateStoreOverFirstShapeOfSeenSignatures();
        var signature = RandomNumberGenerator.GetBytes(32);

        var first = await store.AppendAsync([Signed(signature, Form("5.1", 1, 2))]);
        var replay = await store.AppendAsync([Signed(signature, Form("5.1", 2, 1))]);

        Assert.Equal([AppendOutcome.Stored, AppendOutcome.SignatureReplayed], [first[0].Outcome, replay[0].Outcome]);
    }

    /// <summary>A store opened on a database whose <c>seen_signatures</c> has its first shape (keyed by the signature, with keep_until), one row in it.</summary>
    protected abstract FormStore CreateStoreOverFirstShapeOfSeenSignatures();

    [Fact]
    public async Task AnExpiredSignatureIsForgottenOnceItCouldNoLongerBeAccepted()
    {
        var store = CreateEmptyStore();
        var expired = RandomNumberGenerator.GetBytes(32);
        var request = Request(null, Form("4.1", 1, 2)) with { Signature = new RequestSignature(expired, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 700, 600) };

        // The first append of a store prunes expired signatures (then at most once a minute), after remembering its own.
        await store.AppendAsync([request]);
        var again = await store.AppendAsync([request with { Forms = [Form("4.1", 3, 4)] }]);

        Assert.Equal(AppendOutcome.Stored, again[0].Outcome);
        Assert.Equal(2, (await store.ReadStationAsync("ppwp", "4.1")).Count);
    }
}
