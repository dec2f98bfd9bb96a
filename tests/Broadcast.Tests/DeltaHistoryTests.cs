using Broadcast.Push;
using Broadcast.Results;

namespace Broadcast.Tests;

public sealed class DeltaHistoryTests
{
    private static GroupChange Delta(string region, long prev, long version) =>
        new("ppwp", region, "e", prev, version, new StationCounts(1, 0, 0), new Dictionary<string, long>(), 0, 0,
            new Dictionary<string, ChildUpdate>(), null, null, null);

    [Fact]
    public void ReturnsTheDeltasAfterAVersionInOrder()
    {
        var history = new DeltaHistory();
        history.Add([Delta("0", 0, 3), Delta("1", 0, 3)]);
        history.Add([Delta("0", 3, 7)]);
        history.Add([Delta("0", 7, 9)]);

        Assert.Equal([7L, 9L], history.Since("results:ppwp:0", 3)!.Select(d => d.Version));
        Assert.Equal([3L, 7L, 9L], history.Since("results:ppwp:0", 0)!.Select(d => d.Version));
        Assert.Null(history.Since("results:ppwp:0", 5)); // not a version this group ever had
        Assert.Null(history.Since("results:ppwp:0", 9)); // nothing after the latest
    }

    [Fact]
    public void IsBoundedPerGroupAndInTotal()
    {
        var history = new DeltaHistory(perGroup: 2, total: 3);
        history.Add([Delta("0", 0, 1), Delta("0", 1, 2), Delta("0", 2, 3)]);
        Assert.Null(history.Since("results:ppwp:0", 0)); // evicted by the per-group cap
        Assert.Equal([3L], history.Since("results:ppwp:0", 2)!.Select(d => d.Version));

        history.Add([Delta("1", 0, 4), Delta("2", 0, 4)]);
        Assert.Null(history.Since("results:ppwp:0", 1)); // the oldest overall went first
        Assert.NotNull(history.Since("results:ppwp:2", 0));
    }

    [Fact]
    public void ClearForgetsEverything()
    {
        var history = new DeltaHistory();
        history.Add([Delta("0", 0, 1)]);
        history.Clear();
        Assert.Null(history.Since("results:ppwp:0", 0));
    }
}
