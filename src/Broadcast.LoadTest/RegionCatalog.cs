using System.Text.Json;

namespace Broadcast.LoadTest;

/// <summary>The province and regency ids of the loaded election, read once from the results API.</summary>
public sealed class RegionCatalog(string[] provinces, string[] regencies)
{
    public const string Contest = "ppwp";
    public const string National = "0";

    public static async Task<RegionCatalog> LoadAsync(HttpClient http, Uri server, AudienceMix mix, CancellationToken ct)
    {
        var provinces = await ChildrenAsync(http, new Uri(server, $"/api/v1/results/{Contest}"), ct);
        var regencies = new List<string>();
        if (mix.Audiences.Any(a => a.Level == GroupLevel.Regency))
            foreach (var province in provinces)
                regencies.AddRange(await ChildrenAsync(http, new Uri(server, $"/api/v1/results/{Contest}/{Uri.EscapeDataString(province)}"), ct));
        return new RegionCatalog(provinces, [.. regencies]);
    }

    /// <summary>A group of the level: the nation, a random province or a random regency.</summary>
    public string Pick(GroupLevel level, Random random) => level switch
    {
        GroupLevel.Province when provinces.Length > 0 => provinces[random.Next(provinces.Length)],
        GroupLevel.Regency when regencies.Length > 0 => regencies[random.Next(regencies.Length)],
        _ => National,
    };

    private static async Task<string[]> ChildrenAsync(HttpClient http, Uri uri, CancellationToken ct)
    {
        await using var body = await http.GetStreamAsync(uri, ct);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return doc.RootElement.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToArray();
    }
}
