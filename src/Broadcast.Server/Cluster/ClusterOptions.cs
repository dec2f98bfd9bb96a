using StackExchange.Redis;

namespace Broadcast.Cluster;

/// <summary>
/// Scale-out: several identical nodes share PostgreSQL (the truth, and Hangfire's jobs) and
/// Redis (the SignalR backplane and the "run committed" notices). Setting <see cref="Redis"/>
/// turns it on; without it a node runs alone (the embedded default, or one node on PostgreSQL).
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis:6379,password=...</c>. May hold a password: never logged.</summary>
    public string? Redis { get; set; }

    /// <summary>Prefixes every Redis channel, so that two deployments can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "broadcast";

    /// <summary>This node's name in logs, metrics, the job dashboard and notices.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>
    /// How often a node looks in PostgreSQL for runs another node committed. Redis notices
    /// normally make it immediate; this is the fallback that keeps nodes current when Redis is down.
    /// </summary>
    public TimeSpan FollowInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);

    /// <summary>Whether <see cref="Redis"/> parses; only yes or no, the parser's message could echo a password.</summary>
    internal bool RedisParses()
    {
        try
        {
            _ = ConfigurationOptions.Parse(Redis!);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Letters, digits, '-', '_' and '.': it becomes part of Redis channel names.</summary>
    internal bool ChannelPrefixIsSimple() =>
        ChannelPrefix.Length is > 0 and <= 64 && ChannelPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
