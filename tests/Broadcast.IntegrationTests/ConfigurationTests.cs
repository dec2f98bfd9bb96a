using Broadcast.IntegrationTests.Support;

namespace Broadcast.IntegrationTests;

/// <summary>A misconfigured node refuses to start, says what to fix, and never echoes a secret.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Cluster:Redis", "127.0.0.1:6399", "Set Storage:Provider=postgres")]
    [InlineData("Cluster:ChannelPrefix", "two words", "Cluster:ChannelPrefix must be")]
    [InlineData("Cluster:FollowInterval", "00:10:00", "Cluster:FollowInterval must be")]
    [InlineData("Storage:Provider", "mysql", "Storage:Provider must be 'sqlite'")]
    [InlineData("Aggregation:MinRunInterval", "00:05:00", "Aggregation:MinRunInterval must be")]
    [InlineData("Ingest:SignatureWindow", "00:00:01", "Ingest:SignatureWindow must be between")]
    [InlineData("Ingest:SignatureWindow", "1.00:00:00", "Ingest:SignatureWindow must be between")]
    [InlineData("Ingest:KeyRefreshInterval", "00:10:00", "Ingest:KeyRefreshInterval must be between")]
    public void A_node_with_a_wrong_setting_refuses_to_start_and_names_it(string key, string value, string message)
    {
        using var server = new BroadcastFactory(new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => server.ServerAddress);
        Assert.Contains(message, Messages(error));
    }

    [Fact]
    public void A_connection_string_that_does_not_parse_is_refused_without_echoing_its_password()
    {
        using var server = new BroadcastFactory(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:PostgresConnectionString"] = "Host=db;Password=hunter2-secret;Nonsense",
        });
        var error = Assert.ThrowsAny<Exception>(() => server.ServerAddress);
        Assert.Contains("Storage:PostgresConnectionString is not a valid", Messages(error));
        Assert.DoesNotContain("hunter2", Messages(error));
    }

    [Fact]
    public void A_configured_ingest_key_named_env_is_refused_it_is_BROADCAST_INGEST_KEYs()
    {
        using var server = new BroadcastFactory(new Dictionary<string, string?>
        {
            ["Ingest:Keys:0:Id"] = "env",
            ["Ingest:Keys:0:SecretSha256"] = new string('a', 64),
        });
        var error = Assert.ThrowsAny<Exception>(() => server.ServerAddress);
        Assert.Contains("the id 'env' names BROADCAST_INGEST_KEY's key", Messages(error));
    }

    private static string Messages(Exception error)
    {
        var all = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException) all.Add(e.Message);
        if (error is AggregateException aggregate) all.AddRange(aggregate.Flatten().InnerExceptions.Select(e => e.Message));
        return string.Join(" | ", all);
    }
}
