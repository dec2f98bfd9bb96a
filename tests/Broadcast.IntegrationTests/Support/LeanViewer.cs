using System.Diagnostics;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Client;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// A viewer that subscribes with <c>SubscribeWith</c> on the real .NET client and applies the
/// lean frames as docs/api.md says (totals absolute, a Delta child merges its present fields),
/// recording every frame and whether each one chained on what it held.
/// </summary>
public sealed class LeanViewer : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public sealed record Received(string Kind, long PrevVersion, long Version, TimeSpan At, int Children);

    private LeanViewer(HubConnection hub)
    {
        _hub = hub;
        hub.On<Headline>("Headline", frame => Apply("Headline", frame.Epoch, frame.PrevVersion, frame.Version, frame.Stations, frame.Votes,
            frame.Valid, frame.Invalid, []));
        hub.On<Delta>("Delta", frame => Apply("Delta", frame.Epoch, frame.PrevVersion, frame.Version, frame.Stations, frame.Votes,
            frame.Valid, frame.Invalid, frame.Children));
        hub.On<TotalsChanged>("TotalsChanged", _ => { lock (_lock) LegacyFrames++; });
    }

    public string Epoch { get; private set; } = "";
    public long Version { get; private set; }
    public StationCounts Stations { get; private set; } = new(0, 0, 0);
    public IReadOnlyDictionary<string, long> Votes { get; private set; } = new Dictionary<string, long>();
    public long Valid { get; private set; }
    public long Invalid { get; private set; }
    public Dictionary<string, ChildResults> Children { get; } = [];
    public List<Received> Frames { get; } = [];
    /// <summary>Frames that did not start at or before the held version: gaps (there must be none).</summary>
    public int Gaps { get; private set; }
    public int LegacyFrames { get; private set; }

    public static async Task<(LeanViewer Viewer, ResultsSnapshot Snapshot)> ConnectAsync(BroadcastFactory server, string protocol,
        string contest, string group, SubscribeOptions options)
    {
        var viewer = new LeanViewer(server.Hub(protocol));
        await viewer._hub.StartAsync();
        var snapshot = await viewer._hub.InvokeAsync<ResultsSnapshot>("SubscribeWith", contest, group, options);
        lock (viewer._lock)
        {
            viewer.Epoch = snapshot.Epoch;
            viewer.Version = snapshot.Version;
            viewer.Stations = snapshot.Stations;
            viewer.Votes = snapshot.Votes;
            viewer.Valid = snapshot.Valid;
            viewer.Invalid = snapshot.Invalid;
            foreach (var child in snapshot.Children) viewer.Children[child.Id] = child;
        }
        return (viewer, snapshot);
    }

    private void Apply(string kind, string epoch, long prev, long version, StationCounts stations, IReadOnlyDictionary<string, long> votes,
        long valid, long invalid, IReadOnlyList<ChildChange> children)
    {
        lock (_lock)
        {
            Frames.Add(new Received(kind, prev, version, _clock.Elapsed, children.Count));
            if (epoch != Epoch || version <= Version) return;
            if (prev > Version) { Gaps++; return; }
            (Stations, Votes, Valid, Invalid, Version) = (stations, votes, valid, invalid, version);
            foreach (var change in children)
            {
                var held = Children[change.Id];
                var merged = new Dictionary<string, long>(held.Votes);
                foreach (var (choice, count) in change.Votes ?? new Dictionary<string, long>()) merged[choice] = count;
                Children[change.Id] = held with
                {
                    Stations = held.Stations with
                    {
                        Reported = change.Reported ?? held.Stations.Reported,
                        Quarantined = change.Quarantined ?? held.Stations.Quarantined,
                    },
                    Votes = merged,
                    Valid = change.Valid ?? held.Valid,
                    Invalid = change.Invalid ?? held.Invalid,
                };
            }
        }
    }

    public async Task WaitForVersionAsync(long version, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (_lock) if (Version >= version) return;
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(20))) throw new TimeoutException($"viewer at {Version}, waiting for {version}");
            await Task.Delay(20);
        }
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();
}
