using System.Text;
using BenchmarkDotNet.Attributes;
using Broadcast.Elections;
using Broadcast.Ingest;

namespace Broadcast.Benchmarks;

/// <summary>Ingest's first step: strict parsing of one form (POST /api/v1/forms) and of a full batch.</summary>
[MemoryDiagnoser]
public class FormParserBenchmarks
{
    public const int BatchSize = 2_000;

    private Election _election = null!;
    private byte[] _one = null!;
    private byte[] _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _election = BenchData.Election;
        _one = Encoding.UTF8.GetBytes(BenchData.Night[0].ToJson());
        _batch = BenchData.BatchJson(BatchSize);
        if (FormParser.ParseBatch(_batch, false, BatchSize, _election, new FormErrors()) is not { Count: BatchSize })
            throw new InvalidOperationException("the benchmark batch does not parse");
    }

    [Benchmark]
    public SubmittedForm? ParseOne() => FormParser.ParseOne(_one, _election, new FormErrors());

    [Benchmark]
    public int ParseBatch2000() => FormParser.ParseBatch(_batch, false, BatchSize, _election, new FormErrors())!.Count;
}
