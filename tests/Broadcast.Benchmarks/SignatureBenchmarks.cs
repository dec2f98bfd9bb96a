using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Broadcast.Ingest;

namespace Broadcast.Benchmarks;

/// <summary>
/// What a signed request costs the server over a bearer one: the body's SHA-256 (which ingest
/// computes for every request anyway, for the idempotency key) and one HMAC-SHA256 of the
/// ~150-byte canonical string. <see cref="BearerLookup"/> is the bearer's own check, for comparison.
/// </summary>
[MemoryDiagnoser]
public class SignatureBenchmarks
{
    public const int BatchSize = 1_000;
    private const string Secret = "a-counting-app-secret-of-43-characters-xxxx";

    private readonly byte[] _signingKey = IngestSignature.SigningKey(Secret);
    private byte[] _one = null!, _batch = null!, _oneSignature = null!, _batchSignature = null!;
    private readonly Dictionary<string, (byte[] Hash, string Value)> _bearers = new(StringComparer.Ordinal);

    [GlobalSetup]
    public void Setup()
    {
        _one = Encoding.UTF8.GetBytes(BenchData.Night[0].ToJson());
        _batch = BenchData.BatchJson(BatchSize);
        _oneSignature = IngestSignature.Sign(_signingKey, "POST", "/api/v1/forms", 1_713_340_800, "c1-0001", SHA256.HashData(_one));
        _batchSignature = IngestSignature.Sign(_signingKey, "POST", "/api/v1/forms:batch", 1_713_340_800, "batch-0001", SHA256.HashData(_batch));
        if (!VerifyOne() || !VerifyBatch1000()) throw new InvalidOperationException("the benchmark signatures do not verify");
        _bearers[Convert.ToHexStringLower(_signingKey)] = (_signingKey, "app");
    }

    /// <summary>A single form (about 100 bytes): body digest + HMAC + constant-time compare.</summary>
    [Benchmark]
    public bool VerifyOne() =>
        IngestSignature.Verify(_signingKey, "POST", "/api/v1/forms", 1_713_340_800, "c1-0001", SHA256.HashData(_one), _oneSignature);

    /// <summary>A batch of 1,000 forms (about 120 KB): the digest is nearly all of it.</summary>
    [Benchmark]
    public bool VerifyBatch1000() =>
        IngestSignature.Verify(_signingKey, "POST", "/api/v1/forms:batch", 1_713_340_800, "batch-0001", SHA256.HashData(_batch), _batchSignature);

    /// <summary>The HMAC alone: what signing adds per request once the body's digest is there (ingest hashes every body anyway).</summary>
    [Benchmark]
    public bool VerifyGivenDigest() => IngestSignature.Verify(_signingKey, "POST", "/api/v1/forms:batch", 1_713_340_800, "batch-0001",
        _batchDigest ??= SHA256.HashData(_batch), _batchSignature);

    private byte[]? _batchDigest;

    /// <summary>A bearer secret's check: its SHA-256 and a dictionary lookup.</summary>
    [Benchmark(Baseline = true)]
    public string? BearerLookup() => IngestKeys.Find(_bearers, "Bearer " + Secret);
}
