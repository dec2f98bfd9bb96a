using Microsoft.Extensions.Options;

namespace Broadcast.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The SQLite file of the embedded default; created if missing.</summary>
    public string SqlitePath { get; set; } = "broadcast.db";
}

public static class StorageSetup
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.SqlitePath), "Storage:SqlitePath must name the SQLite file to use")
            .Validate(o => Path.GetDirectoryName(Path.GetFullPath(o.SqlitePath)) is { } dir && Directory.Exists(dir),
                "Storage:SqlitePath points into a folder that does not exist")
            .ValidateOnStart();
        builder.Services.AddSingleton<FormStore>(sp => new SqliteStore(sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath));
        return builder;
    }
}
