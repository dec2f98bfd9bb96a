using System.Text.Json.Serialization;
using MessagePack;

namespace Broadcast.Results;

// The frames of SubscribeWith (docs/api.md, "Say what you need" and "Packed frames"). They are
// pushed thousands of times a second, so they are positional in MessagePack (an array, integer
// keys; the server leaves trailing nils out) and carry the numbers in PackedFrame's bytes: no
// keys, no ids, no names, a child's counts as increments. JSON names the same fields, with the
// bytes in base64. Unlike TotalsChanged they carry no epoch: the server sends a subscription
// frames of its snapshot's epoch only, and announces a new one with TotalsRebuilt.

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
/// A group's totals and nothing else (a ticker, a lower third): about 60 bytes on the wire
/// whatever the group. Its totals are absolute, so it is whole: a viewer holding any version
/// below <see cref="Version"/> applies it. <see cref="PrevVersion"/> is the version the server
/// last sent this viewer. <see cref="Packed"/>: the group's totals (<see cref="PackedFrame"/>,
/// no hash, no children).
/// </summary>
[MessagePackObject]
public sealed record Headline(
    [property: Key(0)] string Contest,
    [property: Key(1)] string Region,
    [property: Key(2)] long PrevVersion,
    [property: Key(3)] long Version,
    [property: Key(4)] byte[] Packed,
    [property: Key(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeatsView? Seats = null) : IResultsFrame;

/// <summary>
/// A full view's change from <see cref="PrevVersion"/>: the group's totals, its chain link, and
/// per changed child what moved (increments, or its values where the server no longer knows
/// what the viewer holds). It applies on top of exactly <see cref="PrevVersion"/>.
/// <see cref="Packed"/>: totals, chain hash and changed children (<see cref="PackedFrame"/>);
/// <see cref="Candidates"/>: a dapil's candidates whose votes, rank or elected mark changed,
/// with only those fields.
/// </summary>
[MessagePackObject]
public sealed record Delta(
    [property: Key(0)] string Contest,
    [property: Key(1)] string Region,
    [property: Key(2)] long PrevVersion,
    [property: Key(3)] long Version,
    [property: Key(4)] byte[] Packed,
    [property: Key(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<CandidateChange>? Candidates = null,
    [property: Key(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeatsView? Seats = null) : IResultsFrame;

/// <summary>What changed for a dapil's candidate: absent fields did not.</summary>
[MessagePackObject]
public sealed record CandidateChange(
    [property: Key("id")] string Id,
    [property: Key("votes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Votes = null,
    [property: Key("rank"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Rank = null,
    [property: Key("elected"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Elected = null);
