using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Broadcast.Elections;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests.Legislative;

/// <summary>A server on the 2024 election, with its five contests.</summary>
public sealed class Pemilu2024Server : IDisposable
{
    public BroadcastFactory Factory { get; } = new([], pemilu2024: true);

    public void Dispose() => Factory.Dispose();
}

/// <summary>
/// Legislative forms through the HTTP API: every new class of bad input is a 422 naming the
/// field with nothing stored; good forms are counted into regions, the dapil and the parliament.
/// </summary>
public sealed class LegislativeIngestTests(Pemilu2024Server fixture) : IClassFixture<Pemilu2024Server>
{
    private static readonly Election Election = LegislativeForms.Election;
    private BroadcastFactory Server => fixture.Factory;

    private static readonly Dapil Berau1 = Election.FindContest("dprd_kab")!.FindDapil("640301")!;
    private static readonly string[] BerauStations = LegislativeForms.StationsOf(Berau1).ToArray();
    private static int _next = -1;
    private static string NextBerauStation() => BerauStations[Interlocked.Increment(ref _next)];

    private static string StationWhere(Func<int, bool> village) =>
        Election.StationId(Enumerable.Range(0, Election.Stations.Count).First(s => village(Election.Stations.Village[s])));

    private static bool Under(int village, string region) => Election.IsWithin(village, Election.FindRegion(region)!.Value);

    /// <summary>A valid form as JSON, then changed by <paramref name="mutate"/> into a bad one.</summary>
    private static string Mutated(string station, string contest, Action<JsonObject> mutate)
    {
        var form = JsonSerializer.SerializeToNode(LegislativeForms.Body(station, contest, e => e % 3), JsonSerializerOptions.Web)!.AsObject();
        mutate(form);
        return form.ToJsonString();
    }

    public static TheoryData<string, string, string, string> BadForms()
    {
        var kabStation = BerauStations[^1];
        var kab = LegislativeForms.BallotOf(kabStation, "dprd_kab");
        var firstParty = kab.Parties[0];
        var lastCandidate = firstParty.Candidates[^1].Number;
        var prov = Election.FindContest("dprd_prov")!;
        var shortBallot = prov.Dapils.First(d => d.Ballot.Parties.Count < prov.Parties.Count);
        var absent = prov.Parties.First(p => shortBallot.Ballot.FindParty(p.Id) is null).Id;
        var provStation = LegislativeForms.StationsOf(shortBallot).First();
        var dpdStation = StationWhere(v => Under(v, "64"));
        var dpdCandidates = LegislativeForms.BallotOf(dpdStation, "dpd").Choices.Count;
        return new()
        {
            { "a party not on that dapil's ballot", provStation, Mutated(provStation, "dprd_prov", f => f["votes"]![absent] = new JsonObject { ["party"] = 1, ["candidates"] = new JsonObject() }), $"votes.{absent}" },
            { "an Aceh party outside Aceh", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]!["18"] = new JsonObject { ["party"] = 1, ["candidates"] = new JsonObject { ["1"] = 1 } }), "votes.18" },
            { "a candidate beyond the party's list", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]![firstParty.Party.Id]!["candidates"]![$"{lastCandidate + 1}"] = 5), $"votes.{firstParty.Party.Id}.candidates.{lastCandidate + 1}" },
            { "a candidate number written with a leading zero", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]![firstParty.Party.Id]!["candidates"]!["01"] = 0), $"votes.{firstParty.Party.Id}.candidates.01" },
            { "a candidate left out", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]![firstParty.Party.Id]!["candidates"]!.AsObject().Remove($"{lastCandidate}")), $"votes.{firstParty.Party.Id}.candidates.{lastCandidate}" },
            { "a party left out", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]!.AsObject().Remove(firstParty.Party.Id)), $"votes.{firstParty.Party.Id}" },
            { "the party's own votes left out", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]![firstParty.Party.Id]!.AsObject().Remove("party")), $"votes.{firstParty.Party.Id}.party" },
            { "a party's votes as a bare count", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]![firstParty.Party.Id] = 7), $"votes.{firstParty.Party.Id}" },
            { "an unknown field in a party's votes", kabStation, Mutated(kabStation, "dprd_kab", f => f["votes"]![firstParty.Party.Id]!["total"] = 7), $"votes.{firstParty.Party.Id}.total" },
            { "a DPD candidate of another province", dpdStation, Mutated(dpdStation, "dpd", f => f["votes"]![$"{dpdCandidates + 1}"] = 3), $"votes.{dpdCandidates + 1}" },
            { "DPRD kab/kota in DKI Jakarta, which has none", StationWhere(v => Under(v, "31")), $$"""{"station":"{{StationWhere(v => Under(v, "31"))}}","contest":"dprd_kab","votes":{},"valid":0,"invalid":0,"total":0}""", "contest" },
            { "DPD abroad, where only PPWP and DPR are voted on", StationWhere(v => Under(v, "99")), $$"""{"station":"{{StationWhere(v => Under(v, "99"))}}","contest":"dpd","votes":{},"valid":0,"invalid":0,"total":0}""", "contest" },
        };
    }

    [Theory]
    [MemberData(nameof(BadForms))]
    public async Task EveryNewClassOfBadLegislativeInputIsA422NamingTheFieldAndStoresNothing(string why, string station, string body, string field)
    {
        var contest = JsonNode.Parse(body)!["contest"]!.GetValue<string>();
        var before = await Server.SettledResultsAsync();
        var lastSeq = await Server.Store.ReadLastSeqAsync();

        using var response = await Server.Ingest().PostAsync("/api/v1/forms", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{why}: {(int)response.StatusCode} {problem}");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: {problem}");
        Assert.Equal(lastSeq, await Server.Store.ReadLastSeqAsync());
        Assert.Empty(await Server.Store.ReadStationAsync(contest, station));
        Assert.Equal(before.Votes, (await Server.SettledResultsAsync()).Votes);
    }

    [Fact]
    public async Task APartyListFormCountsIntoItsRegionsDapilAndParliament()
    {
        var station = NextBerauStation();
        var ballot = LegislativeForms.BallotOf(station, "dprd_kab");
        var anonymous = Server.Anonymous();
        var before = (await anonymous.GetFromJsonAsync<ResultsSnapshot>("/api/v1/results/dprd_kab/dapil:640301"))!;

        var receipt = await Server.Ingest().PostAsync(LegislativeForms.Body(station, "dprd_kab", e => e == ballot.Parties[1].Entry + 1 ? 40 : 1));
        await Server.Operator().PostAsync("/api/v1/operator/aggregate", null);
        var dapil = (await anonymous.GetFromJsonAsync<ResultsSnapshot>("/api/v1/results/dprd_kab/dapil:640301"))!;
        var regency = (await anonymous.GetFromJsonAsync<ResultsSnapshot>("/api/v1/results/dprd_kab/6403"))!;
        var parliament = (await anonymous.GetFromJsonAsync<ResultsSnapshot>("/api/v1/results/dprd_kab/parliament:6403"))!;
        var trail = await anonymous.GetFromJsonAsync<JsonElement>($"/api/v1/stations/{station}/forms/dprd_kab");

        Assert.Equal(FormReceipt.Counted, receipt.Status);
        var second = ballot.Parties[1];
        // The second party: its own vote, its first candidate's 40, its other candidates' 1 each.
        Assert.Equal(before.Votes[second.Party.Id] + 40 + second.Candidates.Count, dapil.Votes[second.Party.Id]);
        Assert.Equal(before.Stations.Reported + 1, dapil.Stations.Reported);
        Assert.Equal(dapil.Votes[second.Party.Id], regency.Votes[second.Party.Id]); // Berau 1 is the only dapil with forms here
        var candidate = dapil.Candidates!.Single(c => c.Id == $"{second.Party.Id}.{second.Candidates[0].Number}");
        Assert.True(candidate.Votes >= 40 && candidate.Rank == 1);
        Assert.Equal(30, parliament.Seats!.Total);
        Assert.Equal(4, parliament.Seats.Dapils.Count);
        Assert.Equal(8, parliament.Seats.Dapils.Single(d => d.Id == "dapil:640301").Won.Values.Sum());
        Assert.Equal(1, trail.GetProperty("revisions")[0].GetProperty("votes").GetProperty(second.Party.Id).GetProperty("party").GetInt32());
    }

    [Fact]
    public async Task PartyTotalsNotAddingUpToValidAreQuarantinedAsP1()
    {
        var station = NextBerauStation();
        var form = JsonSerializer.SerializeToNode(LegislativeForms.Body(station, "dprd_kab", e => e == 0 ? 172 : 0), JsonSerializerOptions.Web)!;
        form["valid"] = 72; // 72 typed as 172 in one box
        form["total"] = 72;

        var receipt = await Server.Ingest().PostAsync(form);

        Assert.Equal(FormReceipt.Quarantined, receipt.Status);
        Assert.Equal(["P1"], receipt.Problems);
    }
}
