using Broadcast.Client;
using Broadcast.Results;

namespace Broadcast.IntegrationTests.Support;

public static class FeedWaits
{
    /// <summary>The feed's first results that satisfy <paramref name="until"/> (its current ones, or a later change).</summary>
    public static async Task<ResultsSnapshot> WaitForAsync(this ResultsFeed feed, Func<ResultsSnapshot, bool> until, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var results in feed.WatchAsync(cancel.Token))
                if (until(results)) return results;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        throw new TimeoutException($"{feed.Contest} {feed.Region} stayed at {feed.Current.Epoch}.{feed.Current.Version} " +
            $"(live {feed.IsLive}, resyncs {feed.Resyncs})");
    }
}
