using System.Diagnostics;
using System.Threading.Channels;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broadcast.Client;

/// <summary>
/// A connection to a Broadcast server's results hub (<c>/hubs/results</c>) that keeps any number
/// of <see cref="ResultsFeed"/>s current (at most 20, the server's limit per connection).
/// It follows docs/api.md, "Packed frames": a snapshot, then frames applied in version order;
/// a frame missed, or a <c>TotalsRebuilt</c>, takes a fresh snapshot; a lost connection is made
/// again, with jittered backoff, for as long as the client is not disposed, and every feed
/// subscribed again.
/// </summary>
/// <remarks>
/// Everything that moves a feed happens on one processing loop, in arrival order: pushed frames,
/// subscribe answers, connection losses. SignalR's own receive loop only queues, so a
/// slow call never holds back what arrives meanwhile, and no feed needs a lock.
/// </remarks>
public sealed class BroadcastClient : IAsyncDisposable
{
    private const int MaxTriesPerFrame = 3;

    /// <summary>A connection that lasted this long was a good one: the next loss reconnects at once.</summary>
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(30);

    private readonly HubConnection _hub;
    private readonly BroadcastClientOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    /// <summary>The feeds followed, by (contest, group); touched by the processing loop only.</summary>
    private readonly Dictionary<(string Contest, string Region), ResultsFeed> _feeds = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Task? _loop;
    private int _disposed;
    private long _connectedAt;
    /// <summary>Connections in a row that were lost before they became stable.</summary>
    private int _shortLived;

    private sealed record Follow(ResultsFeed Feed);
    private sealed record Unfollowed(ResultsFeed Feed);
    private sealed record Retry(ResultsFeed Feed);
    private sealed record ConnectionLost(Exception? Error);

    /// <param name="server">The server's address, e.g. <c>https://results.example</c> (the hub is at <c>/hubs/results</c> below it).</param>
    /// <param name="options">Protocol, reconnect delays, logging; the defaults suit most screens.</param>
    public BroadcastClient(Uri server, BroadcastClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        _options = options ?? new BroadcastClientOptions();
        _logger = (_options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<BroadcastClient>();
        HubUrl = new Uri(server.AbsoluteUri.TrimEnd('/') + "/hubs/results");
        var builder = new HubConnectionBuilder().WithUrl(HubUrl, http => _options.ConfigureConnection?.Invoke(http));
        if (_options.Protocol == BroadcastProtocol.MessagePack) builder.AddMessagePackProtocol();
        // No WithAutomaticReconnect: its retries end, and a graphic must not freeze. Every loss
        // reaches Closed, and the processing loop connects again itself, for as long as it runs.
        _hub = builder.Build();
        _hub.On<Headline>(nameof(Headline), Receive);
        _hub.On<Delta>(nameof(Delta), Receive);
        _hub.On<TotalsRebuilt>(nameof(TotalsRebuilt), rebuilt => Post(rebuilt));
        _hub.On<HeldNotice>("Held", notice => Post(notice));
        _hub.Closed += error =>
        {
            Post(new ConnectionLost(error));
            return Task.CompletedTask;
        };
    }

    public Uri HubUrl { get; }

    /// <summary>Times the connection was made again after it had been lost.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Frames dropped on arrival, as if lost on the way: tests make gaps with it.</summary>
    internal Func<IResultsFrame, bool>? LoseFrame { get; set; }

    /// <summary>
    /// Follows a group and returns once its first snapshot is held. Waits for the server if it
    /// cannot be reached yet (cancel with <paramref name="cancellationToken"/>); fails with the
    /// server's <see cref="HubException"/> if it refuses (an unknown contest or group, more than 20
    /// groups on one client).
    /// </summary>
    /// <param name="contest"><c>ppwp</c>, <c>dpr</c>, <c>dpd</c>, <c>dprd_prov</c>, <c>dprd_kab</c>.</param>
    /// <param name="region">A region id (<c>"0"</c>: national), <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.</param>
    /// <param name="view"><see cref="FeedView.Headline"/> for totals only (tickers, lower thirds).</param>
    /// <param name="maxPerSecond">At most this many frames a second (0.1 to 20); null: one per aggregation run.</param>
    /// <param name="cancellationToken">Gives up waiting for the first snapshot.</param>
    public async Task<ResultsFeed> SubscribeAsync(string contest, string region = "0", FeedView view = FeedView.Full,
        double? maxPerSecond = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contest);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        if (maxPerSecond is { } rate && !(rate is >= 0.1 and <= 20))
            throw new ArgumentOutOfRangeException(nameof(maxPerSecond), rate, "Between 0.1 and 20 frames a second, or null.");
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var feed = new ResultsFeed(this, contest, region, view, maxPerSecond);
        EnsureRunning();
        if (!_inbox.Writer.TryWrite(new Follow(feed))) throw new ObjectDisposedException(nameof(BroadcastClient));
        try
        {
            await feed.FirstSnapshot.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await feed.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return feed;
    }

    internal void Unfollow(ResultsFeed feed) => Post(new Unfollowed(feed));

    private void Receive<TFrame>(TFrame frame) where TFrame : IResultsFrame
    {
        if (LoseFrame?.Invoke(frame) != true) Post(frame);
    }

    private void Post(object message) => _inbox.Writer.TryWrite(message);

    private void EnsureRunning()
    {
        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            _loop ??= Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            await ConnectAsync(stopping).ConfigureAwait(false);
            await foreach (var message in _inbox.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await HandleAsync(message, stopping).ConfigureAwait(false);
                }
                catch (Exception error) when (!stopping.IsCancellationRequested)
                {
                    // Whatever it was, the loop must go on: a feed that stopped here is resynced by its
                    // next frame, which then does not start at the version it holds.
                    ClientLog.Unexpected(_logger, message.GetType().Name, error);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(object message, CancellationToken stopping)
    {
        switch (message)
        {
            case IResultsFrame frame when _feeds.TryGetValue((frame.Contest, frame.Region), out var feed):
                await OnFrameAsync(feed, frame, stopping).ConfigureAwait(false);
                break;
            case HeldNotice notice when _feeds.TryGetValue((notice.Contest, notice.Region), out var feed):
                if (feed.State.Hold(notice)) Publish(feed);
                break;
            case TotalsRebuilt rebuilt:
                foreach (var feed in _feeds.Values.Where(f => f.HasResults && f.State.Current?.Epoch != rebuilt.Epoch).ToList())
                    await ResyncAsync(feed, stopping).ConfigureAwait(false);
                break;
            case Follow { Feed: var feed }:
                if (!_feeds.TryAdd((feed.Contest, feed.Region), feed))
                    feed.Close(new InvalidOperationException($"This client already follows {feed.Contest} {feed.Region}: use that feed, or dispose it first."));
                else if (_hub.State == HubConnectionState.Connected)
                    await SubscribeFeedAsync(feed, stopping).ConfigureAwait(false);
                // else the reconnect under way subscribes it
                break;
            case Unfollowed { Feed: var feed }:
                if (_feeds.GetValueOrDefault((feed.Contest, feed.Region)) != feed) break;
                _feeds.Remove((feed.Contest, feed.Region));
                if (_hub.State == HubConnectionState.Connected)
                {
                    try { await _hub.InvokeAsync("Unsubscribe", feed.Contest, feed.Region, stopping).ConfigureAwait(false); }
                    catch (Exception) when (!stopping.IsCancellationRequested) { } // gone with the connection anyway
                }
                break;
            case Retry { Feed: var feed } when feed.NeedsResync && _feeds.GetValueOrDefault((feed.Contest, feed.Region)) == feed
                                               && _hub.State == HubConnectionState.Connected:
                await SubscribeFeedAsync(feed, stopping).ConfigureAwait(false);
                break;
            case ConnectionLost lost:
                await ReconnectAsync(lost.Error, stopping).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Applies a frame, first taking a fresh snapshot when the frame cannot apply to what is held.</summary>
    private async Task OnFrameAsync(ResultsFeed feed, IResultsFrame frame, CancellationToken stopping)
    {
        for (var tries = 0; tries < MaxTriesPerFrame; tries++)
        {
            var verdict = feed.State.Classify(frame);
            if (verdict == FrameVerdict.Ignore) return;
            if (verdict == FrameVerdict.Apply && feed.State.Apply(frame))
            {
                Publish(feed);
                return;
            }
            // A Delta that does not start at the version held (one was missed), or does not fit
            // what is held: a fresh snapshot, which also resets what the server believes this
            // viewer holds. The frame is then looked at again: it may apply, or it is already in
            // what was fetched. After a failed call, the retry or the reconnect brings the feed up
            // to date and the frame is let go.
            if (!await ResyncAsync(feed, stopping).ConfigureAwait(false)) return;
        }
    }

    private Task<bool> ResyncAsync(ResultsFeed feed, CancellationToken stopping)
    {
        feed.Resyncs++;
        return SubscribeFeedAsync(feed, stopping);
    }

    /// <summary>SubscribeWith: the group's snapshot, and the connection follows it in the feed's view from there.</summary>
    private async Task<bool> SubscribeFeedAsync(ResultsFeed feed, CancellationToken stopping)
    {
        ResultsSnapshot snapshot;
        try
        {
            var options = new SubscribeOptions(feed.View == FeedView.Headline ? SubscribeOptions.Headline : SubscribeOptions.Full, feed.MaxPerSecond);
            snapshot = await _hub.InvokeAsync<ResultsSnapshot>("SubscribeWith", feed.Contest, feed.Region, options, stopping).ConfigureAwait(false);
        }
        catch (HubException refused) when (!feed.HasResults)
        {
            // The server said no to a new subscription (an unknown group, too many): the caller hears why.
            _feeds.Remove((feed.Contest, feed.Region));
            feed.Close(refused);
            return false;
        }
        catch (Exception error) when (!stopping.IsCancellationRequested)
        {
            Failed(feed, "SubscribeWith", error);
            return false;
        }
        (feed.NeedsResync, feed.Failures, feed.IsLive) = (false, 0, true);
        if (feed.State.Load(snapshot)) Publish(feed);
        return true;
    }

    /// <summary>A call failed. Over a lost connection, the reconnect resubscribes; otherwise (refused, or failed on the server) it is tried again later.</summary>
    private void Failed(ResultsFeed feed, string call, Exception error)
    {
        feed.NeedsResync = true;
        if (_hub.State != HubConnectionState.Connected) return;
        var delay = Backoff.Delay(feed.Failures++, _options.ReconnectDelay, _options.MaxReconnectDelay);
        ClientLog.CallFailed(_logger, call, feed.Contest, feed.Region, error.Message, delay.TotalSeconds);
        _ = Task.Delay(delay, _stopping.Token).ContinueWith(_ => Post(new Retry(feed)), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private void Publish(ResultsFeed feed)
    {
        if (feed.Publish() is { } error) ClientLog.HandlerFailed(_logger, feed.Contest, feed.Region, error);
    }

    private async Task ReconnectAsync(Exception? error, CancellationToken stopping)
    {
        foreach (var feed in _feeds.Values) feed.IsLive = false;
        ClientLog.ConnectionLost(_logger, HubUrl, error?.Message ?? "closed by the server");
        // A server that closes every new connection (it found this client abusive, or it is failing)
        // must not get a tight loop: unless the last connection lasted, wait, longer each time.
        _shortLived = Stopwatch.GetElapsedTime(_connectedAt) < StableConnection ? _shortLived + 1 : 0;
        if (_shortLived > 1)
            await Task.Delay(Backoff.Delay(_shortLived - 2, _options.ReconnectDelay, _options.MaxReconnectDelay), stopping).ConfigureAwait(false);
        await ConnectAsync(stopping).ConfigureAwait(false);
        Reconnects++;
        // A new connection: the server knows none of our groups. The snapshots may be older than
        // what a feed holds (another node, behind): FeedState keeps the newer.
        foreach (var feed in _feeds.Values.ToList()) await SubscribeFeedAsync(feed, stopping).ConfigureAwait(false);
    }

    /// <summary>Connects, trying again with jittered backoff until it succeeds or the client is disposed.</summary>
    private async Task ConnectAsync(CancellationToken stopping)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _hub.StartAsync(stopping).ConfigureAwait(false);
                _connectedAt = Stopwatch.GetTimestamp();
                ClientLog.Connected(_logger, HubUrl);
                return;
            }
            catch (Exception error) when (!stopping.IsCancellationRequested)
            {
                var delay = Backoff.Delay(attempt, _options.ReconnectDelay, _options.MaxReconnectDelay);
                ClientLog.ConnectFailed(_logger, HubUrl, error.Message, delay.TotalSeconds);
                await Task.Delay(delay, stopping).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Closes the connection; every feed ends (its <see cref="ResultsFeed.WatchAsync"/> loops complete).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        Task? loop;
        lock (_startLock) loop = _loop;
        if (loop is not null) await loop.ConfigureAwait(false);
        await _hub.DisposeAsync().ConfigureAwait(false);
        var closed = new ObjectDisposedException(nameof(BroadcastClient));
        foreach (var feed in _feeds.Values) feed.Close(closed);
        while (_inbox.Reader.TryRead(out var message))
            if (message is Follow follow) follow.Feed.Close(closed);
        _stopping.Dispose();
    }
}
