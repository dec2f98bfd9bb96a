using Broadcast.Elections;
using Broadcast.Storage;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

/// <summary>A station's audit trail: every revision ever stored, and which one is counted.</summary>
/// <param name="RegisteredVoters">The station's DPT; null where the data does not have it (abroad, most of 2024).</param>
/// <param name="BallotLimit">The most ballots the station may report before R3 (at home) or R4 (abroad) holds its form.</param>
/// <param name="Rules">Every problem code of the revisions, in words.</param>
public sealed record StationFormsView(string Station, string Contest, RegionInfo Village, int? Counted, bool Pending,
    IReadOnlyList<RevisionView> Revisions, int? RegisteredVoters, long BallotLimit, IReadOnlyDictionary<string, string> Rules);

public sealed record RegionInfo(string Id, string Name);

/// <summary>One revision in a station's public trail: who sent it (an ingest key id or
/// <c>operator:&lt;id&gt;</c>, never a secret), an operator's reason, and its link in the chain.</summary>
/// <param name="Votes">As the form gave them: per choice a count, or per party <c>{party, candidates}</c>.</param>
public sealed record RevisionView(int Revision, long Seq, string Status, IReadOnlyList<string> Problems,
    object Votes, int Valid, int Invalid, int Total, DateTimeOffset ReceivedAt, int? Accepts,
    string Submitter, string? Reason, string? Hash);

internal static class StationForms
{
    public static async Task<IResult> Read(string station, string contest, Election election, FormStore store, IOptions<RulesOptions> rules)
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
            revisions.Select(r => View(r, ballot)).ToList(),
            election.Stations.RegisteredVoters[index] is var dpt and >= 0 ? dpt : null,
            FormRules.VoterLimit(index, election, rules.Value).Limit,
            FormRules.Describe(revisions.SelectMany(r => r.Problems))));
    }

    public static RevisionView View(StoredRevision r, Ballot? ballot) => new(r.Revision, r.Seq, FormReceipt.StatusOf(r.Status), r.Problems,
        ballot is not null && ballot.Width == r.Numbers.Votes.Length ? FormVotes.Of(ballot, r.Numbers.Votes) : r.Numbers.Votes,
        r.Numbers.Valid, r.Numbers.Invalid, r.Numbers.Total, r.ReceivedAt, r.Accepts,
        r.Submitter, r.Reason, r.Hash is null ? null : Convert.ToHexStringLower(r.Hash));

    /// <summary>The regions a station is in, from the province down to its village.</summary>
    public static IReadOnlyList<RegionInfo> RegionsOf(Election election, int station)
    {
        var regions = new List<RegionInfo>();
        for (var r = election.Stations.Village[station]; r > 0; r = election.Regions.Parent[r])
            regions.Add(new RegionInfo(election.Regions.Id[r], election.Regions.Name[r]));
        regions.Reverse();
        return regions;
    }
}
