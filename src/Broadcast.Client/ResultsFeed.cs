using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Broadcast.Results;

namespace Broadcast.Client;

/// <summary>
/// One followed group (a contest and a region, dapil or parliament), kept current by its
/// <see cref="BroadcastClient"/>: <see cref="Current"/> is always a whole, consistent state, never
/// older than one shown before within an epoch. Dispose it to stop following.
/// </summary>
public sealed class ResultsFeed : IAsyncDisposable
{
    private readonly BroadcastClient _client;
    private readonly TaskCompletionSource _firstSnapshot = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<Channel<ResultsSnapshot>> _watchers = [];
    private ResultsSnapshot? _current;
    private bool _closed;

    internal ResultsFeed(BroadcastClient client, string contest, string region, FeedView view, double? maxPerSecond)
    {
        _client = client;
        Contest = contest;
        Region = region;
        View = view;
        MaxPerSecond = maxPerSecond;
        State = new FeedState(view);
    }

    public string Contest { get; }

    /// <summary>The group: a region id (<c>"0"</c> is national), <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.</summary>
    public string Region { get; }

    public FeedView View { get; }

    /// <summary>The most frames a second the server sends this feed; null: one per aggregation run.</summary>
    public double? MaxPerSecond { get; }

    /// <summary>
    /// The group's results now: totals, children, candidates, seats, <see cref="ResultsSnapshot.Version"/>,
    /// <see cref="ResultsSnapshot.Epoch"/> and the <see cref="ResultsSnapshot.Chain"/> link of that
    /// version (null after a headline frame, which leaves it out). A <see cref="FeedView.Headline"/>
    /// feed holds no children, candidates or seat dapils.
    /// </summary>
    public ResultsSnapshot Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("The feed has no results yet.");

    /// <summary>
    /// Set while an operator holds the group's publication (docs/api.md, "Publication holds"): the
    /// results stay those of <see cref="HeldView.Seq"/>, held since <see cref="HeldView.Since"/>,
    /// until the release. The same as <c>Current.Held</c>; null when not held (or no results yet).
    /// </summary>
    public HeldView? Held => Volatile.Read(ref _current)?.Held;

    /// <summary>Subscribed on a live connection; false while the client reconnects (<see cref="Current"/> then stands still).</summary>
    public bool IsLive { get; internal set; }

    /// <summary>Fresh snapshots taken other than on connecting: a new epoch, a frame missed, a frame that did not fit what was held.</summary>
    public int Resyncs { get; internal set; }

    /// <summary>
    /// Raised with the new results after each change, on the client's one processing loop: keep
    /// handlers short (the next frame waits for them), or use <see cref="WatchAsync"/>.
    /// </summary>
    public event EventHandler<ResultsSnapshot>? Changed;

    /// <summary>
    /// The current results, then each new one. A reader slower than the changes skips to the
    /// latest (no backlog builds up): what a screen or a data file wants. Ends when the feed or the
    /// client is disposed, or on <paramref name="cancellationToken"/>.
    /// </summary>
    public async IAsyncEnumerable<ResultsSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<ResultsSnapshot>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock)
        {
            if (_current is { } current) channel.Writer.TryWrite(current);
            if (_closed) channel.Writer.TryComplete();
            else _watchers.Add(channel);
        }
        try
        {
            await foreach (var results in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return results;
        }
        finally
        {
            lock (_lock) _watchers.Remove(channel);
        }
    }

    /// <summary>Stops following the group (the client unsubscribes); <see cref="WatchAsync"/> loops end.</summary>
    public ValueTask DisposeAsync()
    {
        Close(new ObjectDisposedException(nameof(ResultsFeed)));
        _client.Unfollow(this);
        return ValueTask.CompletedTask;
    }

    internal FeedState State { get; }

    /// <summary>Backoff tries of a failing call, counted from the last success.</summary>
    internal int Failures { get; set; }

    /// <summary>A call failed: a fresh snapshot is due, by a retry or on reconnecting.</summary>
    internal bool NeedsResync { get; set; }

    internal Task FirstSnapshot => _firstSnapshot.Task;

    internal bool HasResults => Volatile.Read(ref _current) is not null;

    /// <summary>Publishes the state's results to readers; returns the handlers' error, if one threw.</summary>
    internal Exception? Publish()
    {
        var results = State.Current!;
        lock (_lock)
        {
            if (_closed) return null;
            Volatile.Write(ref _current, results);
            foreach (var watcher in _watchers) watcher.Writer.TryWrite(results);
        }
        _firstSnapshot.TrySetResult();
        try
        {
            Changed?.Invoke(this, results);
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    /// <summary>Ends the feed: watchers complete, and a subscribe still waiting for its first snapshot fails with <paramref name="error"/>.</summary>
    internal void Close(Exception error)
    {
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
            foreach (var watcher in _watchers) watcher.Writer.TryComplete();
        }
        IsLive = false;
        // Observed here: a subscribe that was cancelled or disposed no longer awaits it.
        if (_firstSnapshot.TrySetException(error)) _ = _firstSnapshot.Task.Exception;
    }
}
