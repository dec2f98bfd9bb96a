using System.Text.Json;
using System.Text.Json.Serialization;

namespace Broadcast.Replay;

/// <summary>The server's answer to one form (docs/api.md, Ingest).</summary>
public sealed record Receipt(string Station, string Contest, int Revision, long Seq, string Status, string[]? Problems);

/// <summary>The answer to POST /api/v1/forms:batch: one receipt per form, in order.</summary>
public sealed record BatchAnswer(Receipt[] Receipts);

public sealed record LatencyMs(double P50, double P95, double P99);

/// <summary>A form the server refused as bad (422), with what it said about it.</summary>
public sealed record RejectedForm(string Station, string Problem);

/// <summary>
/// What a replay did; printed at the end and written by --json. <see cref="Data"/> says what was sent when it was not the real 2019 night.
/// Rejected and quarantined forms are the data's (a typo on a real tally form): counted and named, not failures.
/// <see cref="Failed"/> forms and <see cref="Aborted"/> are: <see cref="Ok"/> is false and the tool exits 1.
/// </summary>
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
    IReadOnlyList<RejectedForm> RejectedForms,
    long CorrectionsSent,
    IReadOnlyDictionary<string, long> Problems,
    long Requests,
    long Retries,
    double ElapsedSeconds,
    double FormsPerSecond,
    LatencyMs Latency,
    string? Aborted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data = null)
{
    /// <summary>Every form was answered and nothing unexpected happened: the exit code is 0.</summary>
    public bool Ok => Failed == 0 && Aborted is null;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(Receipt))]
[JsonSerializable(typeof(BatchAnswer))]
[JsonSerializable(typeof(ReplaySummary))]
internal sealed partial class ReplayJson : JsonSerializerContext;
