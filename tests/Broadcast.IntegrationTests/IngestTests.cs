using System.Net;
using System.Net.Http.Json;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests;

public sealed class IngestTests(BroadcastFactory server) : IClassFixture<BroadcastFactory>
{
    [Fact]
    public async Task CorrectionReplacesEarlierRevisionInTotals()
    {
        await using var viewer = await Viewer.ConnectAsync(server, Protocols.Json);
        var ingest = server.Ingest();
        var station = TestStations.Next();
        var before = await server.SettledResultsAsync();

        var first = await ingest.PostAsync(Forms.Body(station, 120, 80));
        await viewer.WaitForVersionAsync(first.Seq);
        var corrected = await ingest.PostAsync(Forms.Body(station, 110, 95, invalid: 2));
        await viewer.WaitForVersionAsync(corrected.Seq);
        var after = await ingest.ResultsAsync();

        Assert.Equal((1, 2), (first.Revision, corrected.Revision));
        Assert.Equal(FormReceipt.Counted, corrected.Status);
        Assert.Equal(before.Votes["01"] + 110, after.Votes["01"]);
        Assert.Equal(before.Votes["02"] + 95, after.Votes["02"]);
        Assert.Equal(before.Valid + 205, after.Valid);
        Assert.Equal(before.Invalid + 2, after.Invalid);
        Assert.Equal(before.Stations.Reported + 1, after.Stations.Reported);
        Assert.Equal(after.Votes, viewer.Votes);

        var trail = await ingest.GetFromJsonAsync<Ingest.StationFormsView>($"/api/v1/stations/{station}/forms/ppwp");
        Assert.Equal([1, 2], trail!.Revisions.Select(r => r.Revision));
        Assert.Equal(2, trail.Counted);
    }

    [Fact]
    public async Task SameFormThreeTimesTwoAtOnceWithOneKeyIsStoredAndCountedOnce()
    {
        await using var viewer = await Viewer.ConnectAsync(server, Protocols.MessagePack);
        var ingest = server.Ingest();
        var station = TestStations.Next();
        var form = Forms.Body(station, 100, 50);
        var before = await server.SettledResultsAsync();
        var lastSeqBefore = await server.Store.ReadLastSeqAsync();

        var first = await ingest.PostAsync(form, idempotencyKey: "c1-" + station);
        var concurrent = await Task.WhenAll(
            ingest.PostAsync(form, idempotencyKey: "c1-" + station), ingest.PostAsync(form, idempotencyKey: "c1-" + station));
        await viewer.WaitForVersionAsync(first.Seq);
        await server.Operator().PostAsync("/api/v1/operator/aggregate", null);
        var after = await ingest.ResultsAsync();

        Assert.All(concurrent, r => Assert.Equal((first.Revision, first.Seq, first.Status), (r.Revision, r.Seq, r.Status)));
        Assert.Equal(lastSeqBefore + 1, await server.Store.ReadLastSeqAsync());
        Assert.Single(await server.Store.ReadStationAsync("ppwp", station));
        Assert.Equal(before.Votes["01"] + 100, after.Votes["01"]);
        Assert.Equal(before.Stations.Reported + 1, after.Stations.Reported);
    }

    [Fact]
    public async Task SameFormWithoutKeyIsADuplicateThatChangesNothing()
    {
        var ingest = server.Ingest();
        var station = TestStations.Next();
        var first = await ingest.PostAsync(Forms.Body(station, 30, 40));
        var again = await ingest.PostAsync(Forms.Body(station, 30, 40));

        Assert.Equal(FormReceipt.Duplicate, again.Status);
        Assert.Equal((first.Revision, first.Seq), (again.Revision, again.Seq));
        Assert.Single(await server.Store.ReadStationAsync("ppwp", station));
    }

    [Fact]
    public async Task SameIdempotencyKeyWithDifferentBodyIsRefusedAndStoresNothing()
    {
        var ingest = server.Ingest();
        var station = TestStations.Next();
        await ingest.PostAsync(Forms.Body(station, 10, 20), idempotencyKey: "reused-" + station);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/forms") { Content = JsonContent.Create(Forms.Body(station, 11, 20)) };
        request.Headers.Add("Idempotency-Key", "reused-" + station);
        using var response = await ingest.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Idempotency-Key", await response.Content.ReadAsStringAsync());
        Assert.Single(await server.Store.ReadStationAsync("ppwp", station));
    }

    [Fact]
    public async Task QuarantinedFormIsHeldOutUntilACorrectedRevisionArrives()
    {
        await using var viewer = await Viewer.ConnectAsync(server, Protocols.Json);
        var ingest = server.Ingest();
        var station = TestStations.Next();
        var before = await server.SettledResultsAsync();

        // 72 typed as 172: the pair votes no longer add up to the valid votes (R1).
        var typo = await ingest.PostAsync(Forms.Body(station, 172, 50, valid: 122));
        await viewer.WaitForVersionAsync(typo.Seq);
        var held = await ingest.ResultsAsync();
        var fixedForm = await ingest.PostAsync(Forms.Body(station, 72, 50));
        await viewer.WaitForVersionAsync(fixedForm.Seq);
        var released = await ingest.ResultsAsync();

        Assert.Equal(FormReceipt.Quarantined, typo.Status);
        Assert.Equal(["R1"], typo.Problems);
        Assert.Equal(before.Votes, held.Votes);
        Assert.Equal(before.Stations.Quarantined + 1, held.Stations.Quarantined);
        Assert.Equal(before.Stations.Reported, held.Stations.Reported);
        Assert.Equal(before.Votes["01"] + 72, released.Votes["01"]);
        Assert.Equal(before.Stations.Quarantined, released.Stations.Quarantined);
        Assert.Equal(before.Stations.Reported + 1, released.Stations.Reported);
    }

    [Fact]
    public async Task QuarantinedNewerRevisionLeavesTheLastCountedOneInTotalsUntilAnOperatorAcceptsIt()
    {
        await using var viewer = await Viewer.ConnectAsync(server, Protocols.Json);
        var ingest = server.Ingest();
        var station = TestStations.Next();
        var before = await server.SettledResultsAsync();

        var counted = await ingest.PostAsync(Forms.Body(station, 100, 100));
        var suspicious = await ingest.PostAsync(Forms.Body(station, 100, 100, valid: 210)); // R1
        await viewer.WaitForVersionAsync(suspicious.Seq);
        var held = await ingest.ResultsAsync();

        var anonymousAccept = await server.Anonymous().PostAsJsonAsync($"/api/v1/stations/{station}/forms/ppwp/2/accept", new { reason = "photo checked" });
        var accept = await server.Operator().PostAsJsonAsync($"/api/v1/stations/{station}/forms/ppwp/2/accept", new { reason = "photo checked" });
        var acceptReceipt = (await accept.Content.ReadFromJsonAsync<FormReceipt>())!;
        await viewer.WaitForVersionAsync(acceptReceipt.Seq);
        var accepted = await ingest.ResultsAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousAccept.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accept.StatusCode);
        Assert.Equal((FormReceipt.Counted, FormReceipt.Quarantined), (counted.Status, suspicious.Status));
        Assert.Equal(before.Valid + 200, held.Valid);
        Assert.Equal(before.Stations.Quarantined + 1, held.Stations.Quarantined);
        Assert.Equal(3, acceptReceipt.Revision);
        Assert.Equal(before.Valid + 210, accepted.Valid);
        Assert.Equal(before.Stations.Quarantined, accepted.Stations.Quarantined);
        Assert.Equal(before.Stations.Reported + 1, accepted.Stations.Reported);
    }

    [Fact]
    public async Task ReceiptsAndTheAuditTrailSayEachFailedRuleInWords()
    {
        var ingest = server.Ingest();
        var station = TestStations.Next();
        // 72 typed as 172 (R1), and the ballots no longer add up either (R2).
        var typo = await ingest.PostAsJsonAsync("/api/v1/forms", Forms.Body(station, 172, 50, valid: 122, total: 130));
        var receipt = await typo.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var clean = await (await ingest.PostAsJsonAsync("/api/v1/forms", Forms.Body(station, 72, 50))).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var trail = await ingest.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/stations/{station}/forms/ppwp");

        Assert.Equal(HttpStatusCode.Accepted, typo.StatusCode);
        Assert.Equal(["R1", "R2"], receipt.GetProperty("rules").EnumerateObject().Select(p => p.Name));
        Assert.Contains("do not add up to the valid votes", receipt.GetProperty("rules").GetProperty("R1").GetString());
        Assert.False(clean.TryGetProperty("rules", out _), "a receipt without problems has no rules");
        Assert.Contains("the ballots used", trail.GetProperty("rules").GetProperty("R2").GetString());
        Assert.Equal(2, trail.GetProperty("counted").GetInt32());
        // The station's own limit, so a screen can say by how much R3 was missed.
        Assert.True(trail.GetProperty("ballotLimit").GetInt64() > 0);
    }

    [Fact]
    public async Task BallotsNotAddingUpAreCountedButFlagged()
    {
        var receipt = await server.Ingest().PostAsync(Forms.Body(TestStations.Next(), 100, 100, invalid: 5, total: 210));
        Assert.Equal((FormReceipt.Counted, "R2"), (receipt.Status, Assert.Single(receipt.Problems)));
    }

    [Fact]
    public async Task MoreBallotsThanRegisteredVotersAreQuarantined()
    {
        // A stray leading digit: 211 ballots typed as 811, in a station of ~250-300 voters.
        var receipt = await server.Ingest().PostAsync(Forms.Body(TestStations.Next(), 700, 100, invalid: 11));
        Assert.Equal(FormReceipt.Quarantined, receipt.Status);
        Assert.Contains("R3", receipt.Problems);
    }

    [Fact]
    public async Task BatchOfJsonOrNdjsonAnswersOneReceiptPerFormInOrder()
    {
        var ingest = server.Ingest();
        var stations = Enumerable.Range(0, 4).Select(_ => TestStations.Next()).ToArray();
        var json = await ingest.PostAsJsonAsync("/api/v1/forms:batch", stations[..2].Select(s => Forms.Body(s, 5, 6)));
        var ndjsonBody = string.Join('\n', stations[2..].Select(s => System.Text.Json.JsonSerializer.Serialize(Forms.Body(s, 7, 8))));
        var ndjson = await ingest.PostAsync("/api/v1/forms:batch", new StringContent(ndjsonBody, System.Text.Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.Accepted, json.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, ndjson.StatusCode);
        var receipts = (await json.Content.ReadFromJsonAsync<Ingest.BatchReceipts>())!.Receipts
            .Concat((await ndjson.Content.ReadFromJsonAsync<Ingest.BatchReceipts>())!.Receipts).ToList();
        Assert.Equal(stations, receipts.Select(r => r.Station));
        Assert.All(receipts, r => Assert.Equal(FormReceipt.Counted, r.Status));
        Assert.True(receipts[0].Seq < receipts[1].Seq);
    }

    [Fact]
    public async Task BatchWithOneBadFormIsRejectedWholeNamingTheFormsIndex()
    {
        var good = TestStations.Next();
        var response = await server.Ingest().PostAsJsonAsync("/api/v1/forms:batch",
            new object[] { Forms.Body(good, 5, 6), Forms.Body("no-such-station", 5, 6) });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("[1].station", await response.Content.ReadAsStringAsync());
        Assert.Empty(await server.Store.ReadStationAsync("ppwp", good));
    }

    [Fact]
    public async Task WithoutAValidKeyNothingIsAccepted()
    {
        var form = Forms.Body(TestStations.Next(), 1, 2);
        var anonymous = await server.Anonymous().PostAsJsonAsync("/api/v1/forms", form);
        var wrong = server.Anonymous();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-secret");
        var wrongKey = await wrong.PostAsJsonAsync("/api/v1/forms", form);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
    }
}
