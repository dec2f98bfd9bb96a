using System.Diagnostics;
using System.Text.Json;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests;

/// <summary>The curl + openssl example of docs/api.md ("Signed requests"), run as written against a server by bash.</summary>
public sealed class SignedIngestDocsTests(BroadcastFactory server) : IClassFixture<BroadcastFactory>
{
    [Fact]
    public async Task The_documented_curl_and_openssl_snippet_posts_a_signed_form()
    {
        var secret = await server.Operator().CreateKeyAsync("docs-app", requireSignature: true);
        var station = TestStations.Next();
        var snippet = Snippet().Replace("\"station\":\"25830.2\"", $"\"station\":\"{station}\"", StringComparison.Ordinal);
        Assert.Contains(station, snippet);

        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", snippet])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SERVER"] = server.ServerAddress.ToString().TrimEnd('/'), ["KEY_ID"] = "docs-app", ["SECRET"] = secret },
        };
        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(bash.ExitCode == 0, $"exit {bash.ExitCode}: {await errors}");
        var receipt = JsonDocument.Parse(await output).RootElement;
        Assert.Equal((station, 1, "counted"), (receipt.GetProperty("station").GetString(), receipt.GetProperty("revision").GetInt32(),
            receipt.GetProperty("status").GetString()));
        var stored = Assert.Single(await server.Store.ReadStationAsync("ppwp", station));
        Assert.Equal(("docs-app", 115, 132), (stored.Submitter, stored.Numbers.Votes[0], stored.Numbers.Votes[1]));
    }

    /// <summary>The fenced block after the <c>signed-curl</c> marker in docs/api.md.</summary>
    private static string Snippet()
    {
        var lines = File.ReadAllLines(Path.Combine(LocalCluster.RepoRoot, "docs", "api.md"));
        var marker = Array.FindIndex(lines, l => l.StartsWith("<!-- signed-curl", StringComparison.Ordinal));
        Assert.True(marker >= 0 && lines[marker + 1] == "```sh", "docs/api.md has the signed-curl marker before a ```sh block");
        return string.Join('\n', lines.Skip(marker + 2).TakeWhile(l => l != "```"));
    }
}
