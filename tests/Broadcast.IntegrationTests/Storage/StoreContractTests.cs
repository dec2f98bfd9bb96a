using Broadcast.Storage;

namespace Broadcast.IntegrationTests.Storage;

/// <summary>
/// What every store must do, whatever its engine. Each store implementation derives a class
/// that says how to create an empty store.
/// </summary>
public abstract partial class StoreContractTests
{
    protected abstract FormStore CreateEmptyStore();

    private static NewRevision Form(string station, int a, int b, FormStatus status = FormStatus.Counted, int? accepts = null) =>
        new("ppwp", station, new FormNumbers([a, b], a + b, 0, a + b), status, [], accepts);

    private static AppendRequest Request(string? key, params NewRevision[] forms) =>
        new("test", key, System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('|', forms.Select(f => $"{f.Station}:{f.Numbers.VotesText}")))), forms);

    [Fact]
    public async Task AppendedRevisionsGetIncreasingSeqsAndPerStationRevisionNumbers()
    {
        var store = CreateEmptyStore();
        var results = await store.AppendAsync([Request(null, Form("1.1", 1, 2), Form("1.2", 3, 4)), Request(null, Form("1.1", 5, 6))]);

        var receipts = results.SelectMany(r => r.Receipts).ToList();
        Assert.Equal([1, 1, 2], receipts.Select(r => r.Revision));
        Assert.True(receipts[0].Seq < receipts[1].Seq && receipts[1].Seq < receipts[2].Seq);
        Assert.Equal(receipts[2].Seq, await store.ReadLastSeqAsync());
        Assert.Equal([1, 2], (await store.ReadStationAsync("ppwp", "1.1")).Select(r => r.Revision));
    }

    [Fact]
    public async Task RevisionsReadNewestFirstAndBySeqAreTheStoredOnes()
    {
        var store = CreateEmptyStore();
        var receipts = (await store.AppendAsync([Request(null, Form("1.1", 1, 2), Form("1.2", 3, 4), Form("1.3", 5, 6))]))[0].Receipts;
        var seqs = receipts.Select(r => r.Seq).ToArray();

        var newest = await store.ReadRevisionsNewestFirstAsync(long.MaxValue, 2);
        var older = await store.ReadRevisionsNewestFirstAsync(newest[^1].Seq - 1, 10);
        var bySeq = await store.ReadRevisionsAsync([seqs[2], seqs[0], seqs[2] + 1000]);

        Assert.Equal([seqs[2], seqs[1]], newest.Select(r => r.Seq));
        Assert.Equal([seqs[0]], older.Select(r => r.Seq));
        Assert.Equal(["1.1", "1.3"], bySeq.Select(r => r.Station).Order());
        Assert.Equal([5, 6], bySeq.Single(r => r.Station == "1.3").Numbers.Votes);
    }

    [Fact]
    public async Task AFormEqualToTheLatestRevisionIsADuplicateAndStoresNothing()
    {
        var store = CreateEmptyStore();
        var first = (await store.AppendAsync([Request(null, Form("1.1", 1, 2))]))[0].Receipts[0];
        var again = (await store.AppendAsync([Request(null, Form("1.1", 1, 2))]))[0].Receipts[0];

        Assert.Equal((FormReceipt.Duplicate, first.Seq, first.Revision), (again.Status, again.Seq, again.Revision));
        Assert.Single(await store.ReadStationAsync("ppwp", "1.1"));
    }

    [Fact]
    public async Task AnIdempotencyKeyReplaysItsFirstAnswerAndRefusesAnotherBody()
    {
        var store = CreateEmptyStore();
        var first = (await store.AppendAsync([Request("k", Form("1.1", 1, 2))]))[0];
        var replay = (await store.AppendAsync([Request("k", Form("1.1", 1, 2))]))[0];
        var reused = (await store.AppendAsync([Request("k", Form("1.1", 9, 9))]))[0];

        Assert.Equal(AppendOutcome.Replayed, replay.Outcome);
        Assert.Equivalent(first.Receipts, replay.Receipts, strict: true);
        Assert.Equal(AppendOutcome.IdempotencyKeyReused, reused.Outcome);
        Assert.Single(await store.ReadStationAsync("ppwp", "1.1"));
    }

    [Fact]
    public async Task OnlyTheLatestQuarantinedRevisionCanBeAccepted()
    {
        var store = CreateEmptyStore();
        await store.AppendAsync([Request(null, Form("1.1", 1, 2, FormStatus.Quarantined))]);
        var wrong = (await store.AppendAsync([Request(null, Form("1.1", 1, 2, accepts: 5))]))[0];
        var right = (await store.AppendAsync([Request(null, Form("1.1", 1, 2, accepts: 1))]))[0];

        Assert.Equal(AppendOutcome.NotAcceptable, wrong.Outcome);
        Assert.Equal((FormReceipt.Counted, 2), (right.Receipts[0].Status, right.Receipts[0].Revision));
        Assert.Equal(1, (await store.ReadStationAsync("ppwp", "1.1"))[^1].Accepts);
    }

    [Fact]
    public async Task AnAggregationCommitAppliesOnlyFromTheExpectedState()
    {
        var store = CreateEmptyStore();
        var start = await store.ReadAggregationStateAsync();
        var row = new TotalsRow("ppwp", "0", 5, 1, 0, 3, 0, [1, 2]);

        Assert.True(await store.CommitAggregationAsync(start, start with { Checkpoint = 5 }, [row], replaceAll: false));
        Assert.False(await store.CommitAggregationAsync(start, start with { Checkpoint = 6 }, [row with { Valid = 99 }], replaceAll: false));
        Assert.Equal(start with { Checkpoint = 5 }, await store.ReadAggregationStateAsync());
        var stored = Assert.Single((await store.ReadTotalsAsync()).Rows);
        Assert.Equal(3L, stored.Valid);
        Assert.Equal([1L, 2L], stored.Votes);
    }

    [Fact]
    public async Task WhatRunsCommittedSinceACheckpointIsReadWithTheVersionOfEveryGroupTheyChanged()
    {
        var store = CreateEmptyStore();
        await store.AppendAsync([Request(null, Form("1.1", 1, 1), Form("1.2", 2, 2), Form("1.3", 3, 3))]);
        var start = await store.ReadAggregationStateAsync();
        var first = start with { Checkpoint = 2 };
        var second = start with { Checkpoint = 3 };
        Assert.True(await store.CommitAggregationAsync(start, first,
            [new TotalsRow("ppwp", "0", 2, 2, 0, 6, 0, [3, 3]), new TotalsRow("ppwp", "11", 2, 2, 0, 6, 0, [3, 3])], replaceAll: false));
        Assert.True(await store.CommitAggregationAsync(first, second, [new TotalsRow("ppwp", "0", 3, 3, 0, 12, 0, [6, 6])], replaceAll: false));

        var fromStart = await store.ReadCommittedSinceAsync(start, 100);
        var fromFirst = await store.ReadCommittedSinceAsync(first, 100);
        var current = await store.ReadCommittedSinceAsync(second, 100);
        var tooFar = await store.ReadCommittedSinceAsync(start, 2);
        var otherEpoch = await store.ReadCommittedSinceAsync(start with { Epoch = "other" }, 100);

        Assert.Equal(second, fromStart.State);
        Assert.Equal([1L, 2L, 3L], fromStart.Revisions!.Select(r => r.Seq));
        Assert.Equal([new GroupVersion("ppwp", "0", 3), new GroupVersion("ppwp", "11", 2)], fromStart.Versions.OrderBy(v => v.Region));
        Assert.Equal([3L], fromFirst.Revisions!.Select(r => r.Seq));
        Assert.Equal([new GroupVersion("ppwp", "0", 3)], fromFirst.Versions);
        Assert.Empty(current.Revisions!);
        Assert.Empty(current.Versions);
        Assert.Null(tooFar.Revisions);
        Assert.Null(otherEpoch.Revisions);
    }

    [Fact]
    public async Task RevisionsAreReadInSeqOrderWithinBounds()
    {
        var store = CreateEmptyStore();
        await store.AppendAsync([Request(null, Form("1.1", 1, 1), Form("1.2", 2, 2), Form("1.3", 3, 3), Form("1.4", 4, 4))]);
        var middle = await store.ReadRevisionsAsync(1, 3, 10);
        var limited = await store.ReadRevisionsAsync(0, long.MaxValue, 2);

        Assert.Equal([2L, 3L], middle.Select(r => r.Seq));
        Assert.Equal([1L, 2L], limited.Select(r => r.Seq));
    }

    [Fact]
    public async Task ConcurrentAppendsBecomeVisibleInSeqOrderWithoutGaps()
    {
        const int Writers = 8, AppendsEach = 25;
        var store = CreateEmptyStore();
        using var writing = new CancellationTokenSource();

        // Reads as the aggregator does: everything after the highest seq seen so far. A seq that
        // became visible after a higher one would be skipped for ever and missing at the end.
        var seen = new List<long>();
        var reader = Task.Run(async () =>
        {
            while (true)
            {
                var done = writing.IsCancellationRequested;
                var after = seen.Count == 0 ? 0 : seen[^1];
                seen.AddRange((await store.ReadRevisionsAsync(after, long.MaxValue, 10_000)).Select(r => r.Seq));
                if (done) return;
            }
        });
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var acknowledged = new List<long>();
            for (var i = 0; i < AppendsEach; i++)
            {
                var results = await store.AppendAsync([Request(null, Form($"{w}.{i}", w, i), Form($"{w}.{i}", i, w + 1))]);
                acknowledged.AddRange(results.SelectMany(r => r.Receipts).Select(r => r.Seq));
            }
            return acknowledged;
        })).ToList();
        var acknowledged = (await Task.WhenAll(writers)).SelectMany(s => s).Order().ToList();
        await writing.CancelAsync();
        await reader;

        var stored = (await store.ReadRevisionsAsync(0, long.MaxValue, 100_000)).Select(r => r.Seq).ToList();
        Assert.Equal(Writers * AppendsEach * 2, acknowledged.Distinct().Count());
        Assert.Equal(acknowledged, stored);
        Assert.Equal(acknowledged, seen);
        Assert.All(stored.Zip(stored.Skip(1)), pair => Assert.True(pair.First < pair.Second));
    }

    [Fact]
    public async Task TheSameFormSentTwiceAtOnceWithOneIdempotencyKeyIsStoredOnce()
    {
        var store = CreateEmptyStore();
        for (var i = 0; i < 10; i++)
        {
            var request = Request($"key-{i}", Form($"2.{i}", 10, i));
            var both = await Task.WhenAll(Task.Run(() => store.AppendAsync([request])), Task.Run(() => store.AppendAsync([request])));

            var outcomes = both.Select(r => r[0].Outcome).Order().ToList();
            Assert.Equal([AppendOutcome.Stored, AppendOutcome.Replayed], outcomes);
            Assert.Equivalent(both[0][0].Receipts, both[1][0].Receipts, strict: true);
            Assert.Single(await store.ReadStationAsync("ppwp", $"2.{i}"));
        }
    }
}

public sealed class SqliteStoreContractTests : StoreContractTests, IDisposable
{
    private readonly List<string> _files = [];

    protected override FormStore CreateEmptyStore()
    {
        var path = Path.Combine(Path.GetTempPath(), $"broadcast-contract-{Guid.NewGuid():N}.db");
        _files.Add(path);
        return new SqliteStore(path);
    }

    protected override FormStore CreateStoreOverFirstShapeOfSeenSignatures()
    {
        var path = Path.Combine(Path.GetTempPath(), $"broadcast-contract-{Guid.NewGuid():N}.db");
        _files.Add(path);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE seen_signatures (signature BLOB PRIMARY KEY, key_id TEXT NOT NULL, keep_until INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX seen_signatures_keep_until ON seen_signatures (keep_until);
                INSERT INTO seen_signatures VALUES (x'00', 'old', 1);
                """;
            command.ExecuteNonQuery();
        }
        return new SqliteStore(path);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in _files)
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(file + suffix);
    }
}
