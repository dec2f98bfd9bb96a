using Broadcast.Elections;

namespace Broadcast.Tests;

/// <summary>The shipped elections, loaded once per test run (they are immutable).</summary>
public static class TestElection
{
    private static readonly Lazy<Election> Pilpres = new(() => Load("pilpres2019"));
    private static readonly Lazy<Election> Pemilu = new(() => Load("pemilu2024"));

    public static Election Pilpres2019 => Pilpres.Value;
    public static Election Pemilu2024 => Pemilu.Value;

    private static Election Load(string name) => ElectionLoader.Load(Path.Combine(AppContext.BaseDirectory, "data", name));

    /// <summary>A station with at least <paramref name="minVoters"/> registered voters, the n-th such one.</summary>
    public static int Station(this Election election, int n, int minVoters = 250) =>
        Enumerable.Range(0, election.Stations.Count).Where(s => election.Stations.RegisteredVoters[s] >= minVoters).Skip(n * 101).First();
}
