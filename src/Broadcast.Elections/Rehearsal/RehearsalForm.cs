namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// One SYNTHETIC C1 form of the rehearsal night: a station's numbers in a legislative contest.
/// <see cref="Votes"/> are the ballot's entries in ballot order (per party its own votes, then its
/// candidates'; for DPD the candidates), as <see cref="FormVotes.Of"/> renders them.
/// </summary>
/// <param name="Arrival">When the form arrives, after the polls closed (<see cref="RehearsalNight.PollsClose"/>).</param>
public sealed record RehearsalForm(int Station, Contest Contest, Ballot Ballot, int[] Votes, int Valid, int Invalid, int Total, TimeSpan Arrival);

/// <summary>A form's place in the night, before its numbers are made: which station, which contest, when.</summary>
public readonly record struct RehearsalArrival(int Station, Contest Contest, TimeSpan Arrival);
