using System.Text.Json.Serialization;
using MessagePack;

namespace Broadcast.Results;

// The frames of SubscribeWith (docs/api.md, "Say what you need"). Absent (null) fields are left
// out of the frame in both protocols (JSON: JsonIgnore; MessagePack: the server's
// OmitNullFormatter, registered on its hub in Push/PushSetup.cs), which is what makes "only what
// changed" cost nothing for what did not. Readers take a missing key as null.

/// <summary>What a viewer asks for with <c>SubscribeWith</c>.</summary>
[MessagePackObject]
public sealed record SubscribeOptions(
    [property: Key("view")] string? View = null,
    [property: Key("maxPerSecond")] double? MaxPerSecond = null)
{
    public const string Headline = "headline";
    public const string Full = "full";
}

/// <summary>
/// A group's totals and nothing else (a ticker, a lower third): a few hundred bytes whatever the
/// group. <see cref="PrevVersion"/> is the version the server last sent this viewer.
/// </summary>
[MessagePackObject]
public sealed record Headline(
    [property: Key("contest")] string Contest,
    [property: Key("region")] string Region,
    [property: Key("epoch")] string Epoch,
    [property: Key("prevVersion")] long PrevVersion,
    [property: Key("version")] long Version,
    [property: Key("stations")] StationCounts Stations,
    [property: Key("votes")] IReadOnlyDictionary<string, long> Votes,
    [property: Key("valid")] long Valid,
    [property: Key("invalid")] long Invalid,
    [property: Key("seats"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeatsView? Seats = null) : IResultsFrame
{
    // Headlines leave the chain out to stay small (docs/api.md, "The chain"). An explicit
    // implementation is no member of the frame: neither protocol writes it.
    ChainHead? IResultsFrame.Chain => null;
}

/// <summary>
/// A full view's change: the group's totals, and per changed child only what changed since
/// <see cref="PrevVersion"/>, without names (they are in the snapshot).
/// </summary>
[MessagePackObject]
public sealed record Delta(
    [property: Key("contest")] string Contest,
    [property: Key("region")] string Region,
    [property: Key("epoch")] string Epoch,
    [property: Key("prevVersion")] long PrevVersion,
    [property: Key("version")] long Version,
    [property: Key("stations")] StationCounts Stations,
    [property: Key("votes")] IReadOnlyDictionary<string, long> Votes,
    [property: Key("valid")] long Valid,
    [property: Key("invalid")] long Invalid,
    [property: Key("children")] IReadOnlyList<ChildChange> Children,
    [property: Key("candidates"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CandidateChange>? Candidates = null,
    [property: Key("seats"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeatsView? Seats = null,
    [property: Key("chain"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChainHead? Chain = null) : IResultsFrame;

/// <summary>What changed in a child: absent fields did not; <see cref="Votes"/> holds only the choices whose count changed.</summary>
[MessagePackObject]
public sealed record ChildChange(
    [property: Key("id")] string Id,
    [property: Key("reported"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Reported = null,
    [property: Key("quarantined"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Quarantined = null,
    [property: Key("votes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, long>? Votes = null,
    [property: Key("valid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Valid = null,
    [property: Key("invalid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Invalid = null);

/// <summary>What changed for a dapil's candidate: absent fields did not.</summary>
[MessagePackObject]
public sealed record CandidateChange(
    [property: Key("id")] string Id,
    [property: Key("votes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Votes = null,
    [property: Key("rank"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Rank = null,
    [property: Key("elected"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Elected = null);
