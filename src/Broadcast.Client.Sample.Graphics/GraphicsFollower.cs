using System.Text.Json;
using Broadcast.Graphics;
using Microsoft.Extensions.Logging;

namespace Broadcast.Client.Sample.Graphics;

/// <summary>
/// The sample's core: follows one group with the .NET client and rewrites the data file whenever
/// its results change, for as long as it runs (the client reconnects and catches up by itself).
/// </summary>
public static partial class GraphicsFollower
{
    public static async Task RunAsync(GraphicsOptions options, ILoggerFactory logging, CancellationToken cancellationToken)
    {
        var logger = logging.CreateLogger(nameof(GraphicsFollower));
        await using var client = new BroadcastClient(options.Server, new BroadcastClientOptions
        {
            Protocol = options.Protocol,
            LoggerFactory = logging,
        });
        // A lower third needs the totals only. A dapil's last-seat keys come from its seat detail,
        // which only the full view carries.
        var view = options.Region.StartsWith("dapil:", StringComparison.Ordinal) ? FeedView.Full : FeedView.Headline;
        Log.Following(logger, options.Contest, options.Region, options.Server, Path.GetFullPath(options.Out), options.Format);
        await using var feed = await client.SubscribeAsync(options.Contest, options.Region, view, options.Rate, cancellationToken);
        Labels? labels = null;
        string? labelledEpoch = null;
        await foreach (var results in feed.WatchAsync(cancellationToken))
        {
            // Read again on a new epoch: the server was rebuilt, or reset, or restarted as a rehearsal.
            if (labels is null || labelledEpoch != results.Epoch)
                (labels, labelledEpoch) = (await LabelsAsync(options, logger, cancellationToken), results.Epoch);
            var values = GraphicsValues.Flatten(results, labels.Choices, labels.Notice);
            await ValueFile.WriteAsync(options.Out, ValueFile.Render(values, options.Format, options.Out), cancellationToken);
            Log.Wrote(logger, results.Epoch, results.Version, results.Stations.Reported, results.Stations.Total);
        }
    }

    /// <summary>What the numbers are labelled with: the group's columns and their names in ballot order, and the election's notice.</summary>
    private sealed record Labels(IReadOnlyList<(string Id, string Name)> Choices, string? Notice);

    /// <summary>
    /// The labels as the server's own graphics feed gives them (<c>choice_&lt;id&gt;_name</c>,
    /// <c>notice</c>): they do not change within an epoch; the numbers come from the hub. Tried
    /// until the server answers.
    /// </summary>
    private static async Task<Labels> LabelsAsync(GraphicsOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = options.Server, Timeout = TimeSpan.FromSeconds(10) };
        var path = $"api/v1/graphics/{Uri.EscapeDataString(options.Contest)}/{Uri.EscapeDataString(options.Region)}";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var feed = JsonDocument.Parse(await http.GetStringAsync(path, cancellationToken));
                var root = feed.RootElement;
                var choices = root.EnumerateObject()
                    .Where(p => p.Name.StartsWith("choice_", StringComparison.Ordinal) && p.Name.EndsWith("_name", StringComparison.Ordinal))
                    .Select(p => (p.Name["choice_".Length..^"_name".Length], p.Value.GetString() ?? ""))
                    .ToList();
                return new Labels(choices, root.TryGetProperty("notice", out var text) ? text.GetString() : null);
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(10, 1 << Math.Min(attempt, 4)));
                Log.NamesFailed(logger, error.Message, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Following {Contest} {Region} on {Server}; writing {Path} as {Format}")]
        public static partial void Following(ILogger logger, string contest, string region, Uri server, string path, ValueFormat format);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Wrote epoch {Epoch} version {Version}: {Reported} of {Total} stations")]
        public static partial void Wrote(ILogger logger, string epoch, long version, long reported, long total);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Cannot read the choices' names and the notice ({Reason}); trying again in {Delay:0.0} s")]
        public static partial void NamesFailed(ILogger logger, string reason, double delay);
    }
}
