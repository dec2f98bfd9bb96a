using System.Threading.Channels;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Client;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// A viewer as a real screen would be: subscribes to one group, then builds its state only
/// from pushed deltas, following the client rules of docs/api.md (ignore old, apply in order,
/// resume on a gap, resubscribe on a new epoch, never take an older snapshot of the same
/// epoch). Deltas are processed off the receive loop so that the viewer can call the hub while
/// handling them. When its connection closes (a node killed) it connects again, to the next
/// node its connection factory offers, and subscribes again, as the web client does.
/// </summary>
public sealed class Viewer : IAsyncDisposable
{
    private readonly Func<int, HubConnection> _connect;
    private HubConnection _hub;
    private int _attempt;
    private readonly string _contest;
    private readonly string _region;
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>();
    private readonly Lock _lock = new();
    private readonly List<(long Version, TaskCompletionSource Done)> _waiters = [];
    private Task? _processing;
    private bool _disposed;

    private sealed record ConnectionLost(HubConnection Hub);

    private Viewer(Func<int, HubConnection> connect, string contest, string region)
    {
        _connect = connect;
        _contest = contest;
        _region = region;
        _hub = Wire(connect(0));
    }

    private HubConnection Wire(HubConnection hub)
    {
        hub.On<TotalsChanged>("TotalsChanged", delta => _inbox.Writer.TryWrite(delta));
        hub.On<TotalsRebuilt>("TotalsRebuilt", rebuilt => _inbox.Writer.TryWrite(rebuilt));
        hub.Closed += _ =>
        {
            _inbox.Writer.TryWrite(new ConnectionLost(hub));
            return Task.CompletedTask;
        };
        return hub;
    }

    /// <summary>Times this viewer connected again after losing its connection, and when it last did.</summary>
    public int Reconnects { get; private set; }
    public DateTime? ReconnectedAt { get; private set; }

    /// <summary>Snapshots refused because they were older than what the viewer already showed.</summary>
    public int StaleSnapshots { get; private set; }

    public string Epoch { get; private set; } = "";
    public long Version { get; private set; }
    public StationCounts Stations { get; private set; } = new(0, 0, 0);
    public IReadOnlyDictionary<string, long> Votes { get; private set; } = new Dictionary<string, long>();
    public long Valid { get; private set; }
    public long Invalid { get; private set; }
    public Dictionary<string, ChildResults> Children { get; } = [];
    /// <summary>A dapil's candidates by id; a delta replaces the ones it lists.</summary>
    public Dictionary<string, CandidateResults> Candidates { get; } = [];
    /// <summary>A dapil's or parliament's seats; a delta replaces them but for its dapils, which replace by id in <see cref="SeatDapils"/>.</summary>
    public SeatsView? Seats { get; private set; }
    public Dictionary<string, DapilSeatsView> SeatDapils { get; } = [];
    public List<TotalsChanged> Received { get; } = [];
    public int Applied { get; private set; }
    public int Ignored { get; private set; }
    public int Resumes { get; private set; }
    public int Resyncs { get; private set; }

    public static Task<Viewer> ConnectAsync(BroadcastFactory server, string protocol, string contest = "ppwp", string region = "0") =>
        ConnectAsync(_ => server.Hub(protocol), contest, region);

    /// <summary>A viewer whose <paramref name="connect"/> gives its n-th connection (to another node after a failure).</summary>
    public static async Task<Viewer> ConnectAsync(Func<int, HubConnection> connect, string contest = "ppwp", string region = "0")
    {
        var viewer = new Viewer(connect, contest, region);
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
            try
            {
                await HandleAsync(message);
            }
            catch (Exception) when (_hub.State != HubConnectionState.Connected)
            {
                // The call failed with the connection: its Closed event queues the reconnect.
            }
        }
    }

    private async Task HandleAsync(object message)
    {
        if (message is ConnectionLost lost) { await ReconnectAsync(lost.Hub); return; }
        if (message is TotalsRebuilt) { await ResubscribeAsync(); return; }
        var delta = (TotalsChanged)message;
        lock (_lock) Received.Add(delta);
        if (delta.Epoch != Epoch) await ResubscribeAsync();
        else if (delta.Version <= Version) Ignored++;
        // A delta that starts at or before our version is whole from there (totals and children
        // are absolute, its children cover every change since its prevVersion).
        else if (delta.PrevVersion <= Version) Apply(delta);
        else await ResumeAsync();
    }

    private async Task ReconnectAsync(HubConnection lost)
    {
        if (_disposed || lost != _hub) return;
        await lost.DisposeAsync();
        while (!_disposed)
        {
            _hub = Wire(_connect(++_attempt));
            try
            {
                await _hub.StartAsync();
                Reconnects++;
                ReconnectedAt = DateTime.UtcNow;
                await ResubscribeAsync();
                return;
            }
            catch (Exception) when (!_disposed)
            {
                await _hub.DisposeAsync();
                await Task.Delay(200);
            }
        }
    }

    private async Task ResumeAsync()
    {
        Resumes++;
        var result = await _hub.InvokeAsync<ResumeResult>("Resume", _contest, _region, Version);
        if (result.Snapshot is not null) Load(result.Snapshot);
        foreach (var delta in result.Deltas)
            if (delta.PrevVersion <= Version && delta.Version > Version) Apply(delta);
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
            // An older snapshot of the same epoch (a node that has not taken in the latest run
            // yet) would move the screen backwards: keep what we have.
            if (snapshot.Epoch == Epoch && snapshot.Version < Version)
            {
                StaleSnapshots++;
                return;
            }
            Epoch = snapshot.Epoch;
            Stations = snapshot.Stations;
            Votes = snapshot.Votes;
            Valid = snapshot.Valid;
            Invalid = snapshot.Invalid;
            Children.Clear();
            foreach (var child in snapshot.Children) Children[child.Id] = child;
            Candidates.Clear();
            foreach (var candidate in snapshot.Candidates ?? []) Candidates[candidate.Id] = candidate;
            Seats = snapshot.Seats;
            SeatDapils.Clear();
            foreach (var dapil in snapshot.Seats?.Dapils ?? []) SeatDapils[dapil.Id] = dapil;
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
            foreach (var candidate in delta.Candidates ?? []) Candidates[candidate.Id] = candidate;
            if (delta.Seats is { } seats) Seats = seats;
            foreach (var dapil in delta.Seats?.Dapils ?? []) SeatDapils[dapil.Id] = dapil;
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
        _disposed = true;
        _inbox.Writer.TryComplete();
        await _hub.DisposeAsync();
        if (_processing is not null) await _processing;
    }
}
