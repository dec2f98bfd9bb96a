using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Broadcast.Aggregation;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Broadcast.Storage;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests.Cluster;

/// <summary>
/// Three nodes on PostgreSQL and Redis (scripts/cluster.sh): deltas cross nodes, idempotency and
/// duplicates hold across nodes, and every fault of ../shared/docs/failure-modes.md that scale-out
/// adds ends with nothing lost, nothing counted twice, and every viewer equal to a from-scratch
/// sum over the database. Each fault test writes its figures to artifacts/cluster-faults.txt.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(LocalCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_viewer_on_node_2_receives_the_deltas_of_forms_posted_to_node_1_and_equals_the_read_API_of_node_3()
    {
        await using var viewer = await cluster.ViewerAsync(2);
        var ingest = new ClusterIngest(cluster, 1);
        for (var i = 0; i < 10; i++) await ingest.PostOneAsync(TestStations.Next());

        var converged = await ConvergeAsync([viewer]);
        Assert.True(viewer.Applied > 0, "the viewer on node 2 got the totals by deltas, not only by snapshot");
        var node3 = await ResultsAsync(3);
        Assert.Equal((node3.Epoch, node3.Version), (viewer.Epoch, viewer.Version));
        Assert.Equal(node3.Votes, viewer.Votes);
        Assert.Equal(node3.Stations, viewer.Stations);
        Report("cross-node", $"10 forms to node 1; viewer on node 2 applied {viewer.Applied} deltas; equal to node 3's read API; converged in {converged} ms");
    }

    [Fact]
    public async Task The_same_form_posted_to_two_nodes_at_once_counts_once_and_an_idempotency_key_answers_the_same_on_every_node()
    {
        var before = await cluster.DatabaseTotalsAsync();
        var stations = Enumerable.Range(0, 10).Select(_ => TestStations.Next()).ToList();
        var receipts = await Task.WhenAll(stations.Select(async station =>
        {
            var form = Forms.Body(station, 90, 60);
            using var one = cluster.Ingest(1);
            using var two = cluster.Ingest(2);
            return await Task.WhenAll(one.PostAsync(form), two.PostAsync(form));
        }));
        foreach (var pair in receipts)
        {
            Assert.Equal(1, pair.Count(r => r.Status == FormReceipt.Counted));
            Assert.Equal(1, pair.Count(r => r.Status == FormReceipt.Duplicate));
            Assert.All(pair, r => Assert.Equal(1, r.Revision));
        }

        var keyed = TestStations.Next();
        var keyedForm = Forms.Body(keyed, 70, 40);
        var answers = await Task.WhenAll(Enumerable.Range(1, LocalCluster.Nodes).Select(async node =>
        {
            using var client = cluster.Ingest(node);
            return await client.PostAsync(keyedForm, idempotencyKey: "same-key-" + keyed);
        }));
        Assert.All(answers, a => Assert.Equal((answers[0].Revision, answers[0].Seq, answers[0].Status), (a.Revision, a.Seq, a.Status)));

        var counts = await cluster.RevisionCountsAsync([.. stations, keyed]);
        Assert.All(counts.Values, n => Assert.Equal(1, n));
        Assert.Equal(11, counts.Count);
        var after = await cluster.DatabaseTotalsAsync();
        Assert.Equal((before.A + 10 * 90 + 70, before.B + 10 * 60 + 40, before.Reported + 11), after);
        await ConvergeAsync([]);
    }

    [Fact]
    public async Task Redis_killed_for_ten_seconds_during_ingest_loses_nothing_and_viewers_converge()
    {
        var viewers = await ViewersAsync(1, 2, 3);
        var (ingest, stop, running) = StartIngest(1, 2, 3);
        await Task.Delay(2000);
        await cluster.RunAsync("redis-stop");
        var ackedBefore = ingest.Acknowledged.Count;
        var ready = await ReadyStatusAsync(1);
        await Task.Delay(10_000);
        var ackedDuring = ingest.Acknowledged.Count - ackedBefore;
        await cluster.RunAsync("redis-start");
        await Task.Delay(3000);
        var (converged, lost, doubled) = await StopAndSettleAsync(ingest, stop, running, viewers);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.True(ackedDuring > 0, "ingest went on while Redis was down");
        Assert.Equal((0, 0), (ingest.Failures, ingest.Unavailable)); // no ingest error caused by Redis
        Report("redis killed 10 s", $"forms acknowledged {ingest.Acknowledged.Count} ({ackedDuring} while Redis was down, ingest errors 0); lost {lost}; " +
            $"double-counted {doubled}; /health/ready while down: {(int)ready}; viewers (3 nodes) equal to the database {converged} ms after ingest stopped");
        await DisposeAllAsync(viewers);
    }

    [Fact]
    public async Task Redis_restarted_empty_loses_nothing_and_viewers_converge()
    {
        var viewers = await ViewersAsync(1, 2, 3);
        var (ingest, stop, running) = StartIngest(1, 2, 3);
        await Task.Delay(2000);
        await cluster.RunAsync("redis-stop");
        await cluster.RunAsync("redis-start"); // no persistence: it comes back empty
        await Task.Delay(4000);
        var (converged, lost, doubled) = await StopAndSettleAsync(ingest, stop, running, viewers);
        Assert.Equal((0, 0), (ingest.Failures, ingest.Unavailable));
        Report("redis restarted empty", $"forms acknowledged {ingest.Acknowledged.Count}, ingest errors 0; lost {lost}; double-counted {doubled}; " +
            $"viewers equal to the database {converged} ms after ingest stopped; resumes {viewers.Sum(v => v.Resumes)}, " +
            $"older snapshots refused (a version going backwards) {viewers.Sum(v => v.StaleSnapshots)}");
        await DisposeAllAsync(viewers);
    }

    [Fact]
    public async Task Nodes_killed_with_SIGKILL_one_after_another_during_ingest_move_their_viewers_to_other_nodes_where_they_converge()
    {
        var onThree = await ViewersAsync(3, 3, 3, 3);
        var onTwo = await ViewersAsync(2, 2);
        var (ingest, stop, running) = StartIngest(1, 2, 3);
        await Task.Delay(1500);
        var firstKill = DateTime.UtcNow;
        await cluster.RunAsync("node-kill", "3");
        await Task.Delay(1500);
        await cluster.RunAsync("node-start", "3");
        var secondKill = DateTime.UtcNow;
        await cluster.RunAsync("node-kill", "2");
        await Task.Delay(2000);
        var (converged, lost, doubled) = await StopAndSettleAsync(ingest, stop, running, [.. onThree, .. onTwo], nodes: [1, 3]);
        Assert.All(onThree, v => Assert.True(v.Reconnects >= 1, "the viewer moved to another node"));
        Assert.All(onTwo, v => Assert.True(v.Reconnects >= 1, "the viewer moved to another node"));
        var moved = onThree.Select(v => v.ReconnectedAt - firstKill).Concat(onTwo.Select(v => v.ReconnectedAt - secondKill))
            .Select(t => t!.Value.TotalMilliseconds).ToList();
        Report("nodes SIGKILLed", $"node 3 then node 2 killed during ingest; forms acknowledged {ingest.Acknowledged.Count} " +
            $"({ingest.Failures} requests failed and were retried on another node); lost {lost}; double-counted {doubled}; " +
            $"{moved.Count(t => t < 10_000)}/{moved.Count} viewers of killed nodes reconnected elsewhere within 10 s (slowest {moved.Max():0} ms); " +
            $"all viewers equal to the database {converged} ms after ingest stopped");
        await DisposeAllAsync([.. onThree, .. onTwo]);
        await cluster.RunAsync("node-start", "2");
    }

    [Fact]
    public async Task The_node_running_the_aggregation_killed_mid_run_loses_nothing_and_another_node_takes_over()
    {
        var viewers = await ViewersAsync(1, 2, 3);
        var (ingest, stop, running) = StartIngest(1, 2, 3);
        int? victim = null;
        for (var i = 0; i < 200 && victim is null; i++)
        {
            victim = await cluster.AggregatingNodeAsync();
            if (victim is null) await Task.Delay(20);
        }
        Assert.NotNull(victim);
        await cluster.RunAsync("node-kill", victim.Value.ToString());
        var checkpoint = (await ResultsAsync(victim.Value % LocalCluster.Nodes + 1)).Version;
        await Task.Delay(4000);
        var survivors = Enumerable.Range(1, LocalCluster.Nodes).Where(n => n != victim).ToArray();
        var (converged, lost, doubled) = await StopAndSettleAsync(ingest, stop, running, viewers, survivors);
        var after = await ResultsAsync(survivors[0]);
        Assert.True(after.Version > checkpoint, "another node went on aggregating");
        Report("aggregation killed mid-run", $"node {victim} killed while holding the aggregation lock; forms acknowledged {ingest.Acknowledged.Count}; " +
            $"lost {lost}; double-counted {doubled}; viewers equal to the database {converged} ms after ingest stopped");
        await DisposeAllAsync(viewers);
        await cluster.RunAsync("node-start", victim.Value.ToString());
    }

    [Fact]
    public async Task Aggregation_runs_started_on_every_node_at_once_count_every_form_once()
    {
        var (ingest, stop, running) = StartIngest(1, 2, 3);
        var runs = new List<Task<HttpResponseMessage>>();
        for (var round = 0; round < 5; round++)
        {
            foreach (var node in Enumerable.Range(1, LocalCluster.Nodes))
                runs.Add(cluster.Operator(node).PostAsync("/api/v1/operator/aggregate", null));
            await Task.Delay(300);
        }
        Assert.All(await Task.WhenAll(runs), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var (_, lost, doubled) = await StopAndSettleAsync(ingest, stop, running, []);
        var drift = new List<int>();
        foreach (var node in Enumerable.Range(1, LocalCluster.Nodes))
        {
            using var op = cluster.Operator(node);
            var report = (await (await op.PostAsync("/api/v1/operator/reconcile", null)).Content.ReadFromJsonAsync<ReconciliationReport>())!;
            drift.Add(report.Drift.Count);
        }
        Assert.All(drift, d => Assert.Equal(0, d));
        Report("runs at once", $"15 runs requested on 3 nodes at once during ingest; forms acknowledged {ingest.Acknowledged.Count}; lost {lost}; " +
            $"double-counted {doubled}; reconcile drift per node {string.Join('/', drift)}");
    }

    [Fact]
    public async Task PostgreSQL_restarted_ingest_answers_503_with_Retry_After_meanwhile_then_every_acknowledged_form_is_counted_once()
    {
        var viewers = await ViewersAsync(1, 2);
        var (ingest, stop, running) = StartIngest(1, 2, 3);
        await Task.Delay(1500);
        await cluster.RunAsync("pg-stop");
        var down = Stopwatch.StartNew();
        await Task.Delay(3000);
        var ready = await ReadyStatusAsync(1);
        var unavailableWhileDown = ingest.Unavailable;
        await cluster.RunAsync("pg-start");
        var downFor = down.ElapsedMilliseconds;
        await Task.Delay(3000);
        var (converged, lost, doubled) = await StopAndSettleAsync(ingest, stop, running, viewers);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.True(unavailableWhileDown > 0, "ingest answered 503 while PostgreSQL was down");
        Assert.Equal(ingest.Unavailable, ingest.WithRetryAfter);
        Report("postgresql restarted", $"down {downFor} ms; ingest answered 503 {ingest.Unavailable} times, all with Retry-After; " +
            $"forms acknowledged {ingest.Acknowledged.Count}; lost {lost}; double-counted {doubled}; /health/ready while down: {(int)ready}; " +
            $"viewers equal to the database {converged} ms after ingest stopped");
        await DisposeAllAsync(viewers);
    }

    private (ClusterIngest Ingest, CancellationTokenSource Stop, Task Running) StartIngest(params int[] nodes)
    {
        var ingest = new ClusterIngest(cluster, nodes);
        var stop = new CancellationTokenSource();
        return (ingest, stop, ingest.RunAsync(stop.Token, workers: 2, pause: TimeSpan.FromMilliseconds(20)));
    }

    /// <summary>
    /// Stops the ingest (the forms in flight are carried to their acknowledgement), waits until
    /// every node and viewer equal the database and checks every acknowledged form is stored once.
    /// </summary>
    private async Task<(long Converged, int Lost, int Doubled)> StopAndSettleAsync(ClusterIngest ingest, CancellationTokenSource stop,
        Task running, IReadOnlyList<Viewer> viewers, int[]? nodes = null)
    {
        await stop.CancelAsync();
        await running;
        var converged = await ConvergeAsync(viewers, nodes);
        var (lost, doubled) = await ExactlyOnceAsync(ingest);
        return (converged, lost, doubled);
    }

    private async Task<List<Viewer>> ViewersAsync(params int[] nodes)
    {
        var viewers = new List<Viewer>();
        foreach (var node in nodes) viewers.Add(await cluster.ViewerAsync(node));
        return viewers;
    }

    private static async Task DisposeAllAsync(IEnumerable<Viewer> viewers)
    {
        foreach (var viewer in viewers) await viewer.DisposeAsync();
    }

    private async Task<ResultsSnapshot> ResultsAsync(int node)
    {
        using var client = cluster.Anonymous(node);
        return await client.ResultsAsync();
    }

    private async Task<HttpStatusCode> ReadyStatusAsync(int node)
    {
        using var client = cluster.Anonymous(node);
        // Checks time out after 3 s each; give the answer time to come.
        client.Timeout = TimeSpan.FromSeconds(15);
        return (await client.GetAsync("/health/ready")).StatusCode;
    }

    /// <summary>
    /// Every acknowledged form is stored exactly once: (acknowledged forms with no revision,
    /// acknowledged forms with more than one).
    /// </summary>
    private async Task<(int Lost, int Doubled)> ExactlyOnceAsync(ClusterIngest ingest)
    {
        var counts = await cluster.RevisionCountsAsync(ingest.Acknowledged.Keys);
        var lost = ingest.Acknowledged.Keys.Count(s => !counts.ContainsKey(s));
        var doubled = counts.Values.Count(n => n > 1);
        Assert.Equal(0, lost);
        Assert.Equal(0, doubled);
        Assert.NotEmpty(ingest.Acknowledged);
        return (lost, doubled);
    }

    /// <summary>
    /// Waits until the stored totals are aggregated and every node's read API and every viewer
    /// equal the from-scratch sum over the database; returns how long that took (ms).
    /// </summary>
    private async Task<long> ConvergeAsync(IReadOnlyList<Viewer> viewers, int[]? nodes = null)
    {
        nodes ??= [.. Enumerable.Range(1, LocalCluster.Nodes)];
        var watch = Stopwatch.StartNew();
        using (var op = cluster.Operator(nodes[0]))
        {
            op.Timeout = TimeSpan.FromSeconds(60);
            (await op.PostAsync("/api/v1/operator/aggregate", null)).EnsureSuccessStatusCode();
        }
        var truth = await cluster.DatabaseTotalsAsync();
        var deadline = TimeSpan.FromSeconds(30);
        string last = "";
        while (watch.Elapsed < deadline)
        {
            var behind = new List<string>();
            foreach (var node in nodes)
            {
                var r = await ResultsAsync(node);
                if ((r.Votes["01"], r.Votes["02"], r.Stations.Reported) != truth) behind.Add($"node {node} at {r.Version}");
            }
            for (var i = 0; i < viewers.Count; i++)
            {
                var v = viewers[i];
                if ((v.Votes.GetValueOrDefault("01"), v.Votes.GetValueOrDefault("02"), v.Stations.Reported) != truth)
                    behind.Add($"viewer {i} at {v.Version} (applied {v.Applied}, resumes {v.Resumes}, resyncs {v.Resyncs}, reconnects {v.Reconnects})");
            }
            if (behind.Count == 0) return watch.ElapsedMilliseconds;
            last = string.Join("; ", behind);
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"not converged to the database ({truth}) within {deadline.TotalSeconds} s: {last}");
    }

    private void Report(string fault, string figures)
    {
        var line = $"{fault}: {figures}";
        output.WriteLine(line);
        var artifacts = Path.Combine(LocalCluster.RepoRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.AppendAllText(Path.Combine(artifacts, "cluster-faults.txt"), line + Environment.NewLine);
    }
}
