using System.Diagnostics;
using System.Net.Http.Json;
using Broadcast.Elections;
using Broadcast.Elections.Rehearsal;
using Broadcast.Ingest;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Broadcast.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests.Legislative;

/// <summary>
/// The whole 2024 DPR night through the HTTP API: the generated form of every station (822,116),
/// whose sums per dapil and party are the official ones. At 100 % every dapil's party votes and
/// the national seat table are the official figures, a viewer that only applied deltas holds the
/// same seats as the read API, and a correction of 26 votes flips Banten II's last seat.
/// </summary>
public sealed class DprNightTests(ITestOutputHelper output) : IDisposable
{
    private readonly BroadcastFactory _server = new(new() { ["Ingest:RequestsPerSecondPerKey"] = "100000" }, pemilu2024: true);

    [Fact]
    public async Task TheDprNightEndsAtTheOfficialVotesAndSeatsAndACorrectionFlipsBantenIIsLastSeat()
    {
        var election = BroadcastFactory.Pemilu2024;
        var dpr = election.FindContest("dpr")!;
        var night = RehearsalNight.Create(election, Path.Combine(AppContext.BaseDirectory, "data", "pemilu2024"));
        await using var parliament = await Viewer.ConnectAsync(_server, Protocols.MessagePack, "dpr", "parliament:0");
        await using var banten = await Viewer.ConnectAsync(_server, Protocols.Json, "dpr", "dapil:3602");

        var watch = Stopwatch.StartNew();
        var receipts = await PostAllAsync(night.Night([dpr]).Select(f => (object)new
        {
            station = election.StationId(f.Station), contest = "dpr", votes = FormVotes.Of(f.Ballot, f.Votes), valid = f.Valid, invalid = f.Invalid, total = f.Total,
        }));
        var posted = watch.Elapsed;
        var settled = await _server.SettledResultsAsync();
        output.WriteLine($"{receipts.Count:N0} DPR forms posted in {posted.TotalSeconds:F1} s ({receipts.Count / posted.TotalSeconds:N0} forms/s), settled after {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(dpr.StationCount[RegionTree.National], receipts.Count);
        Assert.All(receipts, r => Assert.Equal(FormReceipt.Counted, r.Status));

        // Every dapil's party votes and seats are the official ones.
        var anonymous = _server.Anonymous();
        var officialVotes = SharedData.Csv("pemilu2024-legislative/dpr2024_dapil_votes.csv").ToLookup(f => f[0], f => (Party: f[1], Votes: long.Parse(f[2])));
        var officialSeats = SharedData.Csv("pemilu2024-legislative/dpr2024_seats_official.csv").ToLookup(f => f[0], f => (Party: f[1], Seats: int.Parse(f[2])));
        var national = (await anonymous.GetFromJsonAsync<ResultsSnapshot>("/api/v1/results/dpr/parliament:0"))!;
        Assert.Equal(dpr.StationCount[RegionTree.National], national.Stations.Reported);
        foreach (var dapil in dpr.Dapils)
        {
            var snapshot = (await anonymous.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/dpr/{dapil.GroupId}"))!;
            foreach (var (party, votes) in officialVotes[dapil.Code]) Assert.Equal(votes, snapshot.Votes[party]);
            var won = national.Seats!.Dapils.Single(d => d.Id == dapil.GroupId).Won;
            Assert.Equal(officialSeats[dapil.Code].Where(s => s.Seats > 0).OrderBy(s => s.Party).Select(s => (s.Party, s.Seats)),
                won.OrderBy(w => w.Key).Select(w => (w.Key, w.Value)));
        }
        Assert.Equal(580, national.Seats!.Won.Values.Sum());
        Assert.Equal(new Dictionary<string, int> { ["3"] = 110, ["4"] = 102, ["2"] = 86, ["5"] = 69, ["1"] = 68, ["8"] = 53, ["12"] = 48, ["14"] = 44 },
            national.Seats.Won);

        // A viewer that only applied deltas holds the same seats.
        await parliament.WaitForVersionAsync(national.Version, TimeSpan.FromSeconds(60));
        Assert.Equal(national.Seats.Won.OrderBy(w => w.Key), parliament.Seats!.Won.OrderBy(w => w.Key));
        foreach (var dapil in national.Seats.Dapils)
        {
            var held = parliament.SeatDapils[dapil.Id];
            Assert.Equal(dapil.Won.OrderBy(w => w.Key), held.Won.OrderBy(w => w.Key));
            Assert.Equal((dapil.Last, dapil.RunnerUp), (held.Last, held.RunnerUp));
        }

        // Banten II: PDIP holds the last seat; Demokrat needs 26 votes to take it.
        var bantenII = dpr.FindDapil("3602")!;
        var before = national.Seats.Dapils.Single(d => d.Id == bantenII.GroupId);
        Assert.Equal(("3", "14", 26L), (before.Last!.Choice, before.RunnerUp!.Choice, before.RunnerUp.VotesNeeded));

        // One station's corrected form moves 26 votes from a third party to Demokrat's own votes.
        var (station, corrected) = CorrectionAtBantenII(night, dpr, bantenII);
        var correction = await _server.Ingest().PostAsync(corrected);
        Assert.Equal((FormReceipt.Counted, 2), (correction.Status, correction.Revision));
        await _server.Operator().PostAsync("/api/v1/operator/aggregate", null);
        await banten.WaitForVersionAsync(correction.Seq);
        await parliament.WaitForVersionAsync(correction.Seq);

        var after = (await anonymous.GetFromJsonAsync<ResultsSnapshot>("/api/v1/results/dpr/parliament:0"))!;
        var flipped = after.Seats!.Dapils.Single(d => d.Id == bantenII.GroupId);
        Assert.Equal("14", flipped.Last!.Choice);
        Assert.Equal(before.Won.GetValueOrDefault("14") + 1, flipped.Won["14"]);
        Assert.Equal(before.Won["3"] - 1, flipped.Won.GetValueOrDefault("3"));
        Assert.Equal((109, 45), (after.Seats.Won["3"], after.Seats.Won["14"]));
        // The delta says so: the dapil's viewer got a delta with the new seats, the parliament's with the dapil in it.
        var dapilDelta = banten.Received.Last(d => d.Version == correction.Seq || d.Version >= correction.Seq);
        Assert.Equal("14", dapilDelta.Seats!.Dapils.Single().Last!.Choice);
        var parliamentDelta = parliament.Received.Last();
        Assert.Contains(parliamentDelta.Seats!.Dapils, d => d.Id == bantenII.GroupId && d.Last!.Choice == "14");
        Assert.Equal((109, 45), (parliament.Seats!.Won["3"], parliament.Seats.Won["14"]));
        output.WriteLine($"correction at {station}: Banten II's last seat PDIP -> Demokrat; national PDIP 110 -> 109, Demokrat 44 -> 45");

        // What those deltas weigh on the wire.
        var protocols = _server.Services.GetRequiredService<IHubProtocolResolver>();
        foreach (var (name, delta) in new[] { ("dapil:3602", dapilDelta), ("parliament:0", parliamentDelta) })
            output.WriteLine($"{name} TotalsChanged after the correction: " + string.Join(", ", new[] { "messagepack", "json" }.Select(p =>
                $"{p} {protocols.GetProtocol(p, null)!.GetMessageBytes(new InvocationMessage("TotalsChanged", [delta])).Length:N0} bytes")));
    }

    /// <summary>A Banten II station's form, corrected: 26 votes of a party other than PDIP and Demokrat go to Demokrat's own votes.</summary>
    private static (string Station, object Form) CorrectionAtBantenII(RehearsalNight night, Contest dpr, Dapil dapil)
    {
        var election = night.Election;
        foreach (var stationId in Support.LegislativeForms.StationsOf(dapil))
        {
            var form = night.Form(dpr, election.FindStation(stationId)!.Value)!;
            var ballot = form.Ballot;
            var donor = ballot.Parties.FirstOrDefault(p => p.Party.Id is not "3" and not "14" &&
                form.Votes.Skip(p.Entry).Take(p.Width).Sum() >= 26);
            if (donor is null) continue;
            var votes = form.Votes.ToArray();
            var moved = 26;
            for (var e = donor.Entry; moved > 0; e++)
            {
                var take = Math.Min(votes[e], moved);
                votes[e] -= take;
                moved -= take;
            }
            votes[ballot.FindParty("14")!.Entry] += 26;
            return (stationId, new { station = stationId, contest = "dpr", votes = FormVotes.Of(ballot, votes), valid = form.Valid, invalid = form.Invalid, total = form.Total });
        }
        throw new InvalidOperationException("no Banten II station with 26 votes to move");
    }

    /// <summary>Posts the forms in batches of 2,000, four requests at a time; every receipt, in order.</summary>
    private async Task<List<FormReceipt>> PostAllAsync(IEnumerable<object> forms)
    {
        var ingest = _server.Ingest();
        var receipts = new List<FormReceipt>();
        var sending = new List<Task<BatchReceipts>>();
        async Task<BatchReceipts> Post(object[] batch)
        {
            var response = await ingest.PostAsJsonAsync("/api/v1/forms:batch", batch);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<BatchReceipts>())!;
        }
        foreach (var batch in forms.Chunk(2_000))
        {
            sending.Add(Post(batch));
            if (sending.Count < 4) continue;
            receipts.AddRange((await sending[0]).Receipts);
            sending.RemoveAt(0);
        }
        foreach (var pending in sending) receipts.AddRange((await pending).Receipts);
        return receipts;
    }

    public void Dispose() => _server.Dispose();
}
