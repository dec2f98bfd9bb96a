using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Ingest;

/// <summary>A station's audit trail: every revision ever stored, and which one is counted.</summary>
public sealed record StationFormsView(string Station, string Contest, RegionInfo Village, int? Counted, bool Pending,
    IReadOnlyList<RevisionView> Revisions);

public sealed record RegionInfo(string Id, string Name);

/// <param name="Votes">As the form gave them: per choice a count, or per party <c>{party, candidates}</c>.</param>
/// <summary>One revision in a station's public trail: who sent it (an ingest key id or
/// <c>operator:&lt;id&gt;</c>, never a secret), an operator's reason, and its link in the chain.</summary>
public sealed record RevisionView(int Revision, long Seq, string Status, IReadOnlyList<string> Problems,
    object Votes, int Valid, int Invalid, int Total, DateTimeOffset ReceivedAt, int? Accepts,
    string Submitter, string? Reason, string? Hash);

internal static class StationForms
{
    public static async Task<IResult> Read(string station, string contest, Election election, FormStore store)
    {
        if (election.FindContest(contest) is not { } c || election.FindStation(station) is not { } index)
            return Problems.NotFound($"No polling station '{FormErrors.Clip(station)}' with contest '{FormErrors.Clip(contest)}'.");
        // "32499.013" finds station 32499.13, whose revisions are stored under its canonical id.
        station = election.StationId(index);
        var revisions = await store.ReadStationAsync(c.Id, station);
        // The counted revision is the latest one not quarantined; the station is pending while its latest is quarantined.
        var counted = revisions.LastOrDefault(r => r.Status == FormStatus.Counted)?.Revision;
        var pending = revisions.Count > 0 && revisions[^1].Status == FormStatus.Quarantined;
        var village = election.Stations.Village[index];
        var ballot = c.BallotOfVillage(village);
        return TypedResults.Ok(new StationFormsView(station, c.Id,
            new RegionInfo(election.Regions.Id[village], election.Regions.Name[village]), counted, pending,
            revisions.Select(r => new RevisionView(r.Revision, r.Seq, FormReceipt.StatusOf(r.Status), r.Problems,
                ballot is not null && ballot.Width == r.Numbers.Votes.Length ? FormVotes.Of(ballot, r.Numbers.Votes) : r.Numbers.Votes,
                r.Numbers.Valid, r.Numbers.Invalid, r.Numbers.Total, r.ReceivedAt, r.Accepts,
                r.Submitter, r.Reason, r.Hash is null ? null : Convert.ToHexStringLower(r.Hash))).ToList()));
    }
}
