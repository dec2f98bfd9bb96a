using MessagePack;

namespace Broadcast.Results;

// The shapes every client sees, over HTTP (JSON) and the hub (JSON or MessagePack). MessagePack
// keys are the same camelCase names as JSON, so a client handles both protocols alike.
// Votes are keyed by choice id ("01", "02", ...): no fixed number of choices is assumed.

/// <summary>How many polling stations a region has, how many are in the totals, how many hold a quarantined form.</summary>
[MessagePackObject]
public sealed record StationCounts(
    [property: Key("total")] long Total,
    [property: Key("reported")] long Reported,
    [property: Key("quarantined")] long Quarantined);

[MessagePackObject]
public sealed record RegionRef(
    [property: Key("id")] string Id,
    [property: Key("name")] string Name,
    [property: Key("level")] string Level);

/// <summary>A child row of a snapshot or delta: a region, or (under a village) a polling station with level <c>tps</c>.</summary>
[MessagePackObject]
public sealed record ChildResults(
    [property: Key("id")] string Id,
    [property: Key("name")] string Name,
    [property: Key("level")] string Level,
    [property: Key("stations")] StationCounts Stations,
    [property: Key("votes")] IReadOnlyDictionary<string, long> Votes,
    [property: Key("valid")] long Valid,
    [property: Key("invalid")] long Invalid);

/// <summary>
/// A (contest, region) group's totals and all its children, at <see cref="Version"/>.
/// <see cref="Version"/> is the checkpoint of the aggregation run that last changed the group
/// (0 = nothing counted yet); it is only comparable within one <see cref="Epoch"/>.
/// </summary>
[MessagePackObject]
public sealed record ResultsSnapshot(
    [property: Key("contest")] string Contest,
    [property: Key("region")] RegionRef Region,
    [property: Key("parents")] IReadOnlyList<RegionRef> Parents,
    [property: Key("epoch")] string Epoch,
    [property: Key("version")] long Version,
    [property: Key("stations")] StationCounts Stations,
    [property: Key("votes")] IReadOnlyDictionary<string, long> Votes,
    [property: Key("valid")] long Valid,
    [property: Key("invalid")] long Invalid,
    [property: Key("children")] IReadOnlyList<ChildResults> Children);

/// <summary>
/// Pushed after an aggregation run changed a group: its new totals and the children that changed.
/// A client holding <see cref="PrevVersion"/> applies it; one holding less has missed a delta and resumes.
/// </summary>
[MessagePackObject]
public sealed record TotalsChanged(
    [property: Key("contest")] string Contest,
    [property: Key("region")] string Region,
    [property: Key("epoch")] string Epoch,
    [property: Key("prevVersion")] long PrevVersion,
    [property: Key("version")] long Version,
    [property: Key("stations")] StationCounts Stations,
    [property: Key("votes")] IReadOnlyDictionary<string, long> Votes,
    [property: Key("valid")] long Valid,
    [property: Key("invalid")] long Invalid,
    [property: Key("children")] IReadOnlyList<ChildResults> Children);

/// <summary>Totals were rebuilt from scratch under a new epoch: every subscriber takes a fresh snapshot.</summary>
[MessagePackObject]
public sealed record TotalsRebuilt([property: Key("epoch")] string Epoch);

/// <summary>What <c>Resume</c> answers: the missed deltas in order, or a snapshot when history no longer reaches.</summary>
[MessagePackObject]
public sealed record ResumeResult(
    [property: Key("deltas")] IReadOnlyList<TotalsChanged> Deltas,
    [property: Key("snapshot")] ResultsSnapshot? Snapshot);
