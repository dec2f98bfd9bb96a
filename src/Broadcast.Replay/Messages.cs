using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broadcast.Replay;

/// <summary>The server's answer to one form (docs/api.md, Ingest).</summary>
public sealed record Receipt(string Station, string Contest, int Revision, long Seq, string Status, string[]? Problems);

/// <summary>The answer to POST /api/v1/forms:batch: one receipt per form, in order.</summary>
public sealed record BatchAnswer(Receipt[] Receipts);

public sealed record LatencyMs(double P50, double P95, double P99);

/// <summary>What a replay did; printed at the end and written by --json. <see cref="Data"/> says what was sent when it was not the real 2019 night.</summary>
public sealed record ReplaySummary(
    string Server,
    string Mode,
    int FormsPlanned,
    long FormsSent,
    long Counted,
    long Quarantined,
    long Duplicates,
    long Rejected,
    long Failed,
    long CorrectionsSent,
    IReadOnlyDictionary<string, long> Problems,
    long Requests,
    long Retries,
    double ElapsedSeconds,
    double FormsPerSecond,
    LatencyMs Latency,
    string? Aborted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data = null);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(Receipt))]
[JsonSerializable(typeof(BatchAnswer))]
[JsonSerializable(typeof(ReplaySummary))]
internal sealed partial class ReplayJson : JsonSerializerContext;
