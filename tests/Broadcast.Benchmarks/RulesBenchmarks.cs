using BenchmarkDotNet.Attributes;
using Broadcast.Ingest;
using Broadcast.Storage;

namespace Broadcast.Benchmarks;

/// <summary>R1–R3 on one real form (with the station's DPT lookup for R3).</summary>
[MemoryDiagnoser]
public class RulesBenchmarks
{
    private SubmittedForm _form = null!;

    [GlobalSetup]
    public void Setup()
    {
        var election = BenchData.Election;
        var demo = BenchData.Night[0];
        _form = new SubmittedForm(demo.Station, election.FindStation(demo.Station)!.Value, election.Contests[0],
            election.Contests[0].Ballots[0], new FormNumbers(demo.Votes, demo.Valid, demo.Invalid, demo.Total));
    }

    [Benchmark]
    public FormStatus Check() => FormRules.Check(_form, BenchData.Election, BenchData.Rules).Status;
}
