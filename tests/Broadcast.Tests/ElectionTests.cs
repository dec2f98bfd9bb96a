using Broadcast.Elections;

namespace Broadcast.Tests;

public sealed class ElectionTests
{
    [Fact]
    public void Pilpres2019HasEveryStationAndRegionOfTheSharedData()
    {
        var election = TestElection.Pilpres2019;
        Assert.Equal(91_540, election.Regions.Count);
        Assert.Equal(813_336, election.Stations.Count);
        Assert.Equal(813_336, election.Regions.StationCount[RegionTree.National]);
        Assert.Equal(["01", "02"], election.Contests[0].Ballots[0].Choices.Select(c => c.Id));
        Assert.Equal(35, election.Regions.Children[RegionTree.National].Length); // 34 provinces and overseas
    }

    [Fact]
    public void Pemilu2024HasThreePairsAndThirteenDigitStationCodes()
    {
        var election = TestElection.Pemilu2024;
        Assert.Equal(822_116, election.Stations.Count);
        Assert.Equal(3, election.Contests[0].Ballots[0].Choices.Count);
        var station = election.FindStation("1101012001001");
        Assert.NotNull(station);
        Assert.Equal("1101012001001", election.StationId(station.Value));
        Assert.Equal("1101012001", election.Regions.Id[election.Stations.Village[station.Value]]);
    }

    [Theory]
    [InlineData("25830.2")]
    [InlineData("-991304.1")]
    public void StationIdsOf2019RoundTrip(string id)
    {
        var election = TestElection.Pilpres2019;
        var station = election.FindStation(id);
        Assert.NotNull(station);
        Assert.Equal(id, election.StationId(station.Value));
    }

    [Theory]
    [InlineData("25823.99999")]
    [InlineData("25830")]
    [InlineData("nope.1")]
    [InlineData(".1")]
    [InlineData("25823.-1")]
    public void UnknownStationIdsAreNotFound(string id) => Assert.Null(TestElection.Pilpres2019.FindStation(id));

    [Fact]
    public void TreeComesFromParentLinksDownToVillages()
    {
        var election = TestElection.Pilpres2019;
        var village = election.Stations.Village[election.FindStation("25830.2")!.Value];
        var chain = election.Regions.SelfAndAncestors(village).Select(r => election.Regions.Level[r]).ToArray();
        Assert.Equal([RegionLevel.Village, RegionLevel.District, RegionLevel.Regency, RegionLevel.Province, RegionLevel.National], chain);
        Assert.True(election.IsOverseas(election.Stations.Village[election.FindStation("-991304.1")!.Value]));
    }
}
