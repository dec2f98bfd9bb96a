using System.Security.Cryptography;
using System.Text;
using Broadcast.Ingest;

namespace Broadcast.Tests;

/// <summary>The signing scheme against the worked example in docs/api.md ("Signed requests"), computed there with openssl.</summary>
public sealed class IngestSignatureTests
{
    private const string Body = """{"station":"25830.2","contest":"ppwp","votes":{"01":115,"02":132},"valid":247,"invalid":4,"total":251}""";
    private static readonly byte[] Key = IngestSignature.SigningKey("example-secret-do-not-use");

    private static byte[] Digest(string body) => SHA256.HashData(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void TheDocumentedExampleSignsAsDocumented()
    {
        Assert.Equal("39be0ef9abd5084aa21a2102f81816bebe4d64a50f37790feebea011b644f844", Convert.ToHexStringLower(Key));
        Assert.Equal("broadcast-ingest-v1\nPOST\n/api/v1/forms\n1713340800\nc1-25830.2-first\n09144acccb894a372d5a526b598cdb9e6100914dfe12416e0f880927f2f76f1f",
            IngestSignature.Canonical("post", "/api/v1/forms", 1713340800, "c1-25830.2-first", Digest(Body)));
        var signature = IngestSignature.Sign(Key, "POST", "/api/v1/forms", 1713340800, "c1-25830.2-first", Digest(Body));
        Assert.Equal("24b446d51bbcb964a101a4fb7f605551db0878c4289a766b143df56fc122e162", Convert.ToHexStringLower(signature));
    }

    [Theory]
    [InlineData("PUT", "/api/v1/forms", 1713340800, "c1-25830.2-first", Body)]
    [InlineData("POST", "/api/v1/forms:batch", 1713340800, "c1-25830.2-first", Body)]
    [InlineData("POST", "/api/v1/forms", 1713340801, "c1-25830.2-first", Body)]
    [InlineData("POST", "/api/v1/forms", 1713340800, "", Body)]
    [InlineData("POST", "/api/v1/forms", 1713340800, "c1-25830.2-first", Body + " ")]
    public void AnyPartChangedAfterSigningFailsTheCheck(string method, string target, long timestamp, string idempotencyKey, string body)
    {
        var signature = IngestSignature.Sign(Key, "POST", "/api/v1/forms", 1713340800, "c1-25830.2-first", Digest(Body));
        Assert.True(IngestSignature.Verify(Key, "POST", "/api/v1/forms", 1713340800, "c1-25830.2-first", Digest(Body), signature));
        Assert.False(IngestSignature.Verify(Key, method, target, timestamp, idempotencyKey, Digest(body), signature));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("24b446d51bbcb964a101a4fb7f605551db0878c4289a766b143df56fc122e16")]
    [InlineData("24b446d51bbcb964a101a4fb7f605551db0878c4289a766b143df56fc122e16z")]
    [InlineData("JLRG1Ru8uWShAaH7f2BVUdsIeMQomnZrFD31b8EiwWI=")]
    public void ASignatureHeaderThatIsNot64HexDigitsIsMalformed(string? header) => Assert.Null(IngestSignature.ParseSignature(header));

    [Theory]
    [InlineData("1713340800", 1713340800L)]
    [InlineData("-1", null)]
    [InlineData("1713340800.5", null)]
    [InlineData("2024-04-17T08:00:00Z", null)]
    [InlineData("", null)]
    public void ATimestampIsWholeUnixSeconds(string header, long? expected) => Assert.Equal(expected, IngestSignature.ParseTimestamp(header));
}
