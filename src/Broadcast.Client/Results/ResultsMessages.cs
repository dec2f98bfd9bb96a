using System.Text.Json.Serialization;
using MessagePack;

namespace Broadcast.Results;

// The shapes every client sees, over HTTP (JSON) and the hub (JSON or MessagePack), defined once
// here for the server and for .NET clients (the Broadcast.Client package); the web client mirrors
// them in web-client/src/types.ts. MessagePack keys are the same camelCase names as JSON, so a
// client handles both protocols alike: rename nothing here without the clients.
// Votes are keyed by choice id: pairs "01", "02"...; parties by ballot number "1".."24"; DPD
// candidates by ballot number. No fixed number of choices is assumed. A group is a region, a
// dapil ("dapil:<code>") or a parliament ("parliament:<region id>"); the legislative sections
// (candidates, seats) are absent from region groups (null in MessagePack, left out in JSON).

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
/// A group's totals and all its children, at <see cref="Version"/>. <see cref="Version"/> is the
/// checkpoint of the aggregation run that last changed the group (0 = nothing counted yet); it
/// is only comparable within one <see cref="Epoch"/>. A region's children are its regions (a
/// village's, its stations); a dapil's, the regions it is made of; a parliament's, its dapils.
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
    [property: Key("children")] IReadOnlyList<ChildResults> Children,
    [property: Key("candidates"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CandidateResults>? Candidates = null,
    [property: Key("seats"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeatsView? Seats = null,
    [property: Key("chain"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChainHead? Chain = null,
    [property: Key("held"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HeldView? Held = null)
{
    /// <summary>Only on the totals as of a past moment (<c>?asOf=</c> on the read API): which moment. Never pushed.</summary>
    [IgnoreMember, JsonPropertyOrder(-1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AsOfMoment? AsOf { get; init; }

    /// <summary>What a headline viewer holds of the group: its totals, without children, candidates or seats per dapil.</summary>
    public ResultsSnapshot ToHeadline() =>
        this with { Children = [], Candidates = null, Seats = Seats is { } seats ? seats with { Dapils = [] } : null };
}

/// <summary>
/// The group's publication is held by an operator (the freeze a TV desk asks for before going on
/// air): its numbers are those of <see cref="Seq"/>, held since <see cref="Since"/> (ISO 8601), until the
/// release. A snapshot taken during a hold has its own epoch (<c>&lt;epoch&gt;-held</c>): at the
/// release the viewer is told <c>TotalsRebuilt</c> and takes a fresh one.
/// </summary>
[MessagePackObject]
public sealed record HeldView(
    [property: Key("seq")] long Seq,
    [property: Key("since")] string Since);

/// <summary>
/// Pushed to a group's viewers when an operator holds its publication (<see cref="Held"/> true:
/// nothing more arrives until the release) or releases it (false: what moved meanwhile follows).
/// </summary>
[MessagePackObject]
public sealed record HeldNotice(
    [property: Key("contest")] string Contest,
    [property: Key("region")] string Region,
    [property: Key("held")] bool Held,
    [property: Key("seq")] long Seq,
    [property: Key("since")] string Since);

/// <summary>
/// The moment a snapshot of the past is of: every revision with seq ≤ <see cref="Seq"/> folded in
/// (0: none), the last of them received at <see cref="ReceivedAt"/> (null when none). <see cref="Final"/>:
/// no revision can still join the moment, so the answer never changes; false only for a time at
/// or after the latest revision received, whose answer is the latest totals and may still grow.
/// </summary>
public sealed record AsOfMoment(long Seq, DateTimeOffset? ReceivedAt, bool Final);

/// <summary>
/// Pushed after an aggregation run changed a group: its new totals, the children that changed
/// and, for a dapil, the candidates whose votes or rank changed; for a dapil or parliament its
/// seats (in a parliament's, only the dapils that changed). A client holding
/// <see cref="PrevVersion"/> applies it; one holding less has missed a delta and resumes.
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
    [property: Key("children")] IReadOnlyList<ChildResults> Children,
    [property: Key("candidates"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CandidateResults>? Candidates = null,
    [property: Key("seats"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeatsView? Seats = null,
    [property: Key("chain"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChainHead? Chain = null) : IResultsFrame;

/// <summary>
/// A pushed change of one group (<see cref="TotalsChanged"/>, <see cref="Headline"/> or
/// <see cref="Delta"/>): whose it is and the versions it spans. How a client applies each is in
/// docs/api.md ("Applying deltas", "Packed frames").
/// </summary>
public interface IResultsFrame
{
    string Contest { get; }
    /// <summary>The group: a region id, <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.</summary>
    string Region { get; }
    long PrevVersion { get; }
    long Version { get; }
}

/// <summary>
/// The link of the tamper-evident revision chain a group's numbers come from: the hash of the
/// revision at <see cref="Seq"/> (the group's version), which covers every revision up to it.
/// Anyone holding an export of the log (<c>/api/v1/chain/export</c>) can check that the log
/// passes through it (<c>scripts/verify-chain.py --expect seq:hash</c>).
/// </summary>
[MessagePackObject]
public sealed record ChainHead(
    [property: Key("seq")] long Seq,
    [property: Key("hash")] string Hash);

/// <summary>Totals were rebuilt from scratch under a new epoch: every subscriber takes a fresh snapshot.</summary>
[MessagePackObject]
public sealed record TotalsRebuilt([property: Key("epoch")] string Epoch);

/// <summary>What <c>Resume</c> answers: the missed deltas in order, or a snapshot when history no longer reaches.</summary>
[MessagePackObject]
public sealed record ResumeResult(
    [property: Key("deltas")] IReadOnlyList<TotalsChanged> Deltas,
    [property: Key("snapshot")] ResultsSnapshot? Snapshot);

/// <summary>
/// A candidate of a dapil: <see cref="Id"/> is <c>&lt;party&gt;.&lt;list number&gt;</c> on a party list
/// (<c>"3.1"</c>), the ballot number for DPD (<c>"7"</c>). <see cref="Rank"/> is within the party
/// (DPD: the province); the first <see cref="Elected"/> ones take the party's projected seats.
/// </summary>
[MessagePackObject]
public sealed record CandidateResults(
    [property: Key("id")] string Id,
    [property: Key("party")] string? Party,
    [property: Key("number")] int Number,
    [property: Key("name")] string Name,
    [property: Key("votes")] long Votes,
    [property: Key("rank")] int Rank,
    [property: Key("elected")] bool Elected);

/// <summary>
/// Projected seats of a dapil or a parliament: <see cref="Won"/> per party (DPD parliament: empty;
/// a DPD dapil: 1 per elected candidate), the DPR threshold, and per dapil the seat picture
/// (a dapil's own group: its one dapil; a parliament's snapshot: all its dapils; its deltas: those that changed).
/// </summary>
[MessagePackObject]
public sealed record SeatsView(
    [property: Key("total")] int Total,
    [property: Key("won")] IReadOnlyDictionary<string, int> Won,
    [property: Key("threshold")] ThresholdView? Threshold,
    [property: Key("dapils")] IReadOnlyList<DapilSeatsView> Dapils);

/// <summary>The DPR's 4 % threshold on the valid votes counted so far: how many votes that is, and who passes.</summary>
[MessagePackObject]
public sealed record ThresholdView(
    [property: Key("percent")] int Percent,
    [property: Key("valid")] long Valid,
    [property: Key("votes")] long Votes,
    [property: Key("passing")] IReadOnlyList<string> Passing);

/// <summary>
/// One dapil's seat picture: seats won per party (DPD: per candidate), who holds them, who took
/// the last seat and who needs the fewest votes to take it (<see cref="SeatClaim.VotesNeeded"/>).
/// </summary>
[MessagePackObject]
public sealed record DapilSeatsView(
    [property: Key("id")] string Id,
    [property: Key("name")] string Name,
    [property: Key("seats")] int Seats,
    [property: Key("won")] IReadOnlyDictionary<string, int> Won,
    [property: Key("elected")] IReadOnlyList<ElectedView> Elected,
    [property: Key("last")] SeatClaim? Last,
    [property: Key("runnerUp")] SeatClaim? RunnerUp);

/// <summary>A claim on a dapil's last seat: the party (DPD: candidate), its votes and divisor (its quotient is votes / divisor).</summary>
[MessagePackObject]
public sealed record SeatClaim(
    [property: Key("choice")] string Choice,
    [property: Key("votes")] long Votes,
    [property: Key("divisor")] int Divisor,
    [property: Key("votesNeeded")] long VotesNeeded);

/// <summary>A candidate holding a projected seat.</summary>
[MessagePackObject]
public sealed record ElectedView(
    [property: Key("id")] string Id,
    [property: Key("party")] string? Party,
    [property: Key("name")] string Name,
    [property: Key("votes")] long Votes);
