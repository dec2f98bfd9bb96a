using System.Threading.Channels;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Client;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// A viewer as a real screen would be: subscribes to one group, then builds its state only
/// from pushed deltas, following the client rules of docs/api.md (ignore old, apply in order,
/// resume on a gap, resubscribe on a new epoch). Deltas are processed off the receive loop so
/// that the viewer can call the hub while handling them.
/// </summary>
public sealed class Viewer : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly string _contest;
    private readonly string _region;
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>();
    private readonly Lock _lock = new();
    private readonly List<(long Version, TaskCompletionSource Done)> _waiters = [];
    private Task? _processing;

    private Viewer(HubConnection hub, string contest, string region)
    {
        _hub = hub;
        _contest = contest;
        _region = region;
        hub.On<TotalsChanged>("TotalsChanged", delta => _inbox.Writer.TryWrite(delta));
        hub.On<TotalsRebuilt>("TotalsRebuilt", rebuilt => _inbox.Writer.TryWrite(rebuilt));
    }

    public string Epoch { get; private set; } = "";
    public long Version { get; private set; }
    public StationCounts Stations { get; private set; } = new(0, 0, 0);
    public IReadOnlyDictionary<string, long> Votes { get; private set; } = new Dictionary<string, long>();
    public long Valid { get; private set; }
    public long Invalid { get; private set; }
    public Dictionary<string, ChildResults> Children { get; } = [];
    public List<TotalsChanged> Received { get; } = [];
    public int Applied { get; private set; }
    public int Ignored { get; private set; }
    public int Resumes { get; private set; }
    public int Resyncs { get; private set; }

    public static async Task<Viewer> ConnectAsync(BroadcastFactory server, string protocol, string contest = "ppwp", string region = "0")
    {
        var viewer = new Viewer(server.Hub(protocol), contest, region);
        await viewer._hub.StartAsync();
        viewer.Load(await viewer._hub.InvokeAsync<ResultsSnapshot>("Subscribe", contest, region));
        viewer._processing = viewer.ProcessAsync();
        return viewer;
    }

    public HubConnection Connection => _hub;

    /// <summary>Feeds a delta as if it had been pushed (to test duplicates and reordering).</summary>
    public void Inject(TotalsChanged delta) => _inbox.Writer.TryWrite(delta);

    public async Task WaitForVersionAsync(long version, TimeSpan? timeout = null)
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            if (Version >= version) return;
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((version, done));
        }
        await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
    }

    private async Task ProcessAsync()
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync())
        {
            if (message is TotalsRebuilt) { await ResubscribeAsync(); continue; }
            var delta = (TotalsChanged)message;
            lock (_lock) Received.Add(delta);
            if (delta.Epoch != Epoch) await ResubscribeAsync();
            else if (delta.Version <= Version) Ignored++;
            else if (delta.PrevVersion == Version) Apply(delta);
            else await ResumeAsync();
        }
    }

    private async Task ResumeAsync()
    {
        Resumes++;
        var result = await _hub.InvokeAsync<ResumeResult>("Resume", _contest, _region, Version);
        if (result.Snapshot is not null) Load(result.Snapshot);
        foreach (var delta in result.Deltas)
            if (delta.PrevVersion == Version) Apply(delta);
    }

    private async Task ResubscribeAsync()
    {
        Resyncs++;
        Load(await _hub.InvokeAsync<ResultsSnapshot>("Subscribe", _contest, _region));
    }

    private void Load(ResultsSnapshot snapshot)
    {
        lock (_lock)
        {
            Epoch = snapshot.Epoch;
            Stations = snapshot.Stations;
            Votes = snapshot.Votes;
            Valid = snapshot.Valid;
            Invalid = snapshot.Invalid;
            Children.Clear();
            foreach (var child in snapshot.Children) Children[child.Id] = child;
            SetVersion(snapshot.Version);
        }
    }

    private void Apply(TotalsChanged delta)
    {
        lock (_lock)
        {
            Stations = delta.Stations;
            Votes = delta.Votes;
            Valid = delta.Valid;
            Invalid = delta.Invalid;
            foreach (var child in delta.Children) Children[child.Id] = child;
            Applied++;
            SetVersion(delta.Version);
        }
    }

    private void SetVersion(long version)
    {
        Version = version;
        foreach (var waiter in _waiters.Where(w => w.Version <= version).ToList())
        {
            waiter.Done.TrySetResult();
            _waiters.Remove(waiter);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        await _hub.DisposeAsync();
        if (_processing is not null) await _processing;
    }
}
