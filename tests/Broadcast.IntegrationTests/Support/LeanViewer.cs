using System.Diagnostics;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Client;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// A viewer that subscribes with <c>SubscribeWith</c> on the real .NET SignalR client and applies
/// the packed frames as docs/api.md says (totals absolute; a Delta's children by their place in
/// the snapshot, increments added or values replaced), recording every frame and whether each one
/// started at the version it held.
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
        hub.On<Headline>("Headline", frame => Apply("Headline", frame.PrevVersion, frame.Version, frame.Packed));
        hub.On<Delta>("Delta", frame => Apply("Delta", frame.PrevVersion, frame.Version, frame.Packed));
        hub.On<TotalsChanged>("TotalsChanged", _ => { lock (_lock) LegacyFrames++; });
    }

    public string Epoch { get; private set; } = "";
    public long Version { get; private set; }
    public StationCounts Stations { get; private set; } = new(0, 0, 0);
    public IReadOnlyDictionary<string, long> Votes { get; private set; } = new Dictionary<string, long>();
    public long Valid { get; private set; }
    public long Invalid { get; private set; }
    public Dictionary<string, ChildResults> Children { get; } = [];
    /// <summary>The children's ids in snapshot order: frames name a child by its place here.</summary>
    private readonly List<string> _order = [];
    public List<Received> Frames { get; } = [];
    /// <summary>Frames that did not start at the held version (there must be none: frames chain exactly).</summary>
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
            foreach (var child in snapshot.Children)
            {
                viewer.Children[child.Id] = child;
                viewer._order.Add(child.Id);
            }
        }
        return (viewer, snapshot);
    }

    private void Apply(string kind, long prev, long version, byte[] packed)
    {
        lock (_lock)
        {
            var (totals, _, children) = PackedFrame.Read(packed, i => i < _order.Count ? Children[_order[i]].Votes.Count : -1);
            Frames.Add(new Received(kind, prev, version, _clock.Elapsed, children.Count));
            if (version <= Version) return;
            if (prev != Version) { Gaps++; return; }
            (Stations, Votes, Valid, Invalid, Version) =
                (new StationCounts(totals.Total, totals.Reported, totals.Quarantined), Named(Votes, totals.Votes, absolute: true), totals.Valid, totals.Invalid, version);
            foreach (var change in children)
            {
                var held = Children[_order[change.Index]];
                long Now(long value, long packedValue) => change.Absolute ? packedValue : value + packedValue;
                Children[held.Id] = held with
                {
                    Stations = held.Stations with
                    {
                        Reported = Now(held.Stations.Reported, change.Reported),
                        Quarantined = Now(held.Stations.Quarantined, change.Quarantined),
                    },
                    Votes = Named(held.Votes, change.Votes, change.Absolute),
                    Valid = Now(held.Valid, change.Valid),
                    Invalid = Now(held.Invalid, change.Invalid),
                };
            }
        }
    }

    /// <summary>Packed counts (in the ordinal order of the choice ids held) as votes: set, or added to those held.</summary>
    private static Dictionary<string, long> Named(IReadOnlyDictionary<string, long> held, long[] counts, bool absolute)
    {
        var ids = held.Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ids.Length, counts.Length);
        return ids.Select((id, i) => (id, count: absolute ? counts[i] : held[id] + counts[i])).ToDictionary(v => v.id, v => v.count);
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
