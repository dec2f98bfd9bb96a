using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broadcast.LoadTest;

/// <summary>The part of an ingest receipt the driver needs (docs/api.md, Ingest).</summary>
public sealed record Receipt(long Seq, string Status);

public sealed record BatchAnswer(Receipt[] Receipts);

/// <summary>A viewer process's line on stdout, every second.</summary>
public sealed record ViewerProgress(int Index, long Held, long Deliveries, long Failures);

/// <summary>
/// A viewer process's last line on stdout. <see cref="Probes"/> holds, per probe viewer, the
/// flattened (version, timestamp) pairs of the deltas it received; the coordinator matches them
/// with the receipts.
/// </summary>
public sealed record ViewerReport(
    int Index, int Requested, long Joined, long HeldAtWindowStart, long HeldAtEnd,
    long ConnectFailures, long SubscribeFailures, long ServerCloses, long Drops, long CloseMessages, long Rebuilds, long UnexpectedMessages,
    long Deliveries, long WindowDeliveries, long Gaps, long Stale, double CpuSeconds, long PeakRssKb,
    Dictionary<string, long> Reasons, long[][] Probes,
    AudienceReport[]? Audiences = null, string[]? ProbeGroups = null, int[]? ProbeAudiences = null);

public sealed record IngestReport(
    double FormsPerSecond, int Batch, long RequestsDue, long RequestsSent, long RequestsSkipped, long RequestsUnfinished,
    long FormsAccepted, Dictionary<string, long> Statuses, Dictionary<string, long> Errors, Percentiles HttpLatencyMs);

/// <summary>
/// Form accepted (receipt received) to the first frame (or poll) covering its seq at a probe viewer
/// of a group holding the form: one sample per (form, probe). <see cref="ReceiptsMatched"/> counts
/// the (form, probe) pairs tried.
/// </summary>
public sealed record LatencyReport(Percentiles LatencyMs, long ProbeViewers, long Unmatched, long DeltaBeforeReceipt, Percentiles FanOutSpreadMs,
    long ReceiptsMatched = 0);

/// <summary>
/// One audience over the window: what it received (frames, their kinds and sizes; or its polls),
/// what crossed its sockets, and form accepted → on its screens.
/// </summary>
public sealed record AudienceFigures(
    string Name, string Description, long Viewers, long HeldAtWindowStart, long HeldAtEnd,
    long Frames, double FramesPerSecond, double FramesPerViewerPerSecond, long TotalsChanged, long Deltas, long Headlines,
    double MessageBytesPerSecond, double WireBytesPerSecond, double WireBytesWrittenPerSecond, double WireBytesPerFrame,
    SizeSummary FrameSizes, long Gaps, long Stale, long Overlaps,
    double RequestsPerSecond, long Ok, long NotModified, double BodyBytesPerSecond, double WireBytesPerRequest, long PollErrors,
    LatencyReport Latency, Percentiles? BareLatencyMs, long Verified = 0, long VerifyFailed = 0, long VerifyApplied = 0, long PollsMissed = 0);

/// <summary>
/// The server processes (--server-pid) summed: CPU over the window, RSS before the viewers connect and
/// at window start; per connection = (after - before) / connections held at window start, as in the
/// one-node runs. <see cref="Nodes"/> holds each pid's own figures when there are several.
/// </summary>
public sealed record ServerReport(
    int? Pid, double CpuSecondsInWindow, double CpuMsPer1000Frames, double CpuMsPer1000Forms,
    long RssKbBeforeViewers, long RssKbAfterViewers, double RssKbPerConnection,
    int[] Pids, double TotalRssKbPerConnection, NodeProcess[] Nodes);

/// <summary>One server process: CPU in the window, RSS before the viewers and at window start and end.</summary>
public sealed record NodeProcess(int Pid, double CpuSecondsInWindow, long RssKbBeforeViewers, long RssKbAfterViewers, long RssKbWindowEnd);

public sealed record LoadReport(
    string Servers, int Connections, int Processes, string Mix, double RampSeconds, double WindowSeconds,
    long HeldAtWindowStart, long HeldAtEnd, long ConnectFailures, long SubscribeFailures, long ServerCloses, long Drops,
    long CloseMessages, long Rebuilds, long UnexpectedMessages, long Gaps, long Stale,
    long WindowDeliveries, double DeliveriesPerSecond, IngestReport? Ingest, double FormsAcceptedPerSecond,
    LatencyReport Latency, ServerReport Server, double GeneratorCpuSeconds, long MaxGeneratorRssKb, Dictionary<string, long> Failures,
    MetricsReport? Metrics, OriginReport Origin, AudienceFigures[]? Audiences = null, bool Polling = false);

/// <summary>
/// What the origin served in the window: for push viewers, hub message bytes (and no requests
/// after the Subscribe); for the polling baseline (--poll), GET requests and response bytes.
/// </summary>
/// <remarks>
/// <see cref="BytesPerSecond"/> is what crossed the viewers' sockets towards them (headers included);
/// <see cref="BodyBytesPerSecond"/> the response bodies alone (polling) or hub messages (push).
/// Through a caching proxy (--origin-log), <see cref="OriginRequests"/> counts the requests the proxy
/// passed to the origin; -1 otherwise.
/// </remarks>
public sealed record OriginReport(string Mode, double RequestsPerSecond, double BytesPerSecond, long Requests, long Bytes, long Errors,
    double BodyBytesPerSecond = 0, double UpstreamBytesPerSecond = 0, long OriginRequests = -1, double OriginRequestsPerSecond = 0);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false)]
[JsonSerializable(typeof(BatchAnswer))]
[JsonSerializable(typeof(ViewerProgress))]
[JsonSerializable(typeof(ViewerReport))]
[JsonSerializable(typeof(LoadReport))]
[JsonSerializable(typeof(FrameSizes.Row[]))]
internal sealed partial class LoadJson : JsonSerializerContext
{
    /// <summary>The same contract, indented: the report file is read by people too.</summary>
    public static LoadJson Indented { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
}
