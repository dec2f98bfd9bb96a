namespace Broadcast.Client;

/// <summary>Reconnect delays, as the web client's <c>backoff.ts</c>.</summary>
internal static class Backoff
{
    /// <summary>
    /// A delay in [cap/2, cap] where cap = min(<paramref name="max"/>, <paramref name="initial"/> × 2^attempt).
    /// The random half spreads a crowd of viewers that lost the server at the same moment.
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max)
    {
        var cap = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 30)));
        return TimeSpan.FromMilliseconds(cap / 2 + Random.Shared.NextDouble() * cap / 2);
    }
}
