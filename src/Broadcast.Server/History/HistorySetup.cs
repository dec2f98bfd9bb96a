using System.Diagnostics;
using Broadcast.Aggregation;
using Microsoft.Extensions.Options;

namespace Broadcast.History;

public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>
    /// Memory for the numbers of past revisions (the totals as of a past moment): contests are kept
    /// in memory, in the election's order, while their estimate fits; the others are folded from the
    /// store when asked (a read of the whole log up to the moment: seconds for 2019's night). The
    /// log of 2019's presidential night takes 38 MB in all.
    /// </summary>
    public int IndexMegabytes { get; set; } = 256;
}

public static partial class HistorySetup
{
    public static IHostApplicationBuilder AddHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section)
            .Validate(o => o.IndexMegabytes is >= 0 and <= 1 << 20, "History:IndexMegabytes must be between 0 and 1048576")
            .ValidateOnStart();
        builder.Services.AddSingleton<RevisionHistory>();
        builder.Services.AddSingleton<AsOfTotals>();
        builder.Services.AddSingleton<AsOfResults>();
        builder.Services.AddHostedService<HistoryLoader>();
        return builder;
    }

    /// <summary>
    /// Reads the log into memory once the live totals are loaded (so start-up is not slowed and
    /// readiness does not wait for it): the first look into the past is then as fast as the next.
    /// </summary>
    private sealed partial class HistoryLoader(RevisionHistory history, TallyHolder holder, ILogger<HistoryLoader> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await holder.ReadyAsync(stoppingToken);
            var watch = Stopwatch.StartNew();
            try
            {
                await history.CatchUpAsync(stoppingToken);
                LogLoaded(logger, history.Count, history.Bytes >> 20, watch.ElapsedMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not fatal: the next look into the past reads the log again.
                LogFailed(logger, e);
            }
        }

        [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "Revision history read: {Revisions} revisions, {Megabytes} MB, in {ElapsedMs} ms")]
        private static partial void LogLoaded(ILogger logger, int revisions, long megabytes, long elapsedMs);

        [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "The revision history could not be read at start-up; it is read when first asked for")]
        private static partial void LogFailed(ILogger logger, Exception exception);
    }
}
