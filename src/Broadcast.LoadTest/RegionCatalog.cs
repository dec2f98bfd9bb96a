using System.Text.Json;

namespace Broadcast.LoadTest;

/// <summary>The province and regency ids of the loaded election, read once from the results API.</summary>
public sealed class RegionCatalog(string[] provinces, string[] regencies)
{
    public const string Contest = "ppwp";
    public const string National = "0";

    public static async Task<RegionCatalog> LoadAsync(HttpClient http, Uri server, SubscriptionMix mix, CancellationToken ct)
    {
        var provinces = await ChildrenAsync(http, new Uri(server, $"/api/v1/results/{Contest}"), ct);
        var regencies = new List<string>();
        if (mix.Regency > 0)
            foreach (var province in provinces)
                regencies.AddRange(await ChildrenAsync(http, new Uri(server, $"/api/v1/results/{Contest}/{Uri.EscapeDataString(province)}"), ct));
        return new RegionCatalog(provinces, [.. regencies]);
    }

    /// <summary>A region drawn by the mix's weights: national, a random province or a random regency.</summary>
    public string Pick(SubscriptionMix mix, Random random)
    {
        var national = mix.National;
        var province = provinces.Length > 0 ? mix.Province : 0;
        var regency = regencies.Length > 0 ? mix.Regency : 0;
        var x = random.NextDouble() * (national + province + regency);
        if (x < national || province + regency == 0) return National;
        return x < national + province ? provinces[random.Next(provinces.Length)] : regencies[random.Next(regencies.Length)];
    }

    private static async Task<string[]> ChildrenAsync(HttpClient http, Uri uri, CancellationToken ct)
    {
        await using var body = await http.GetStreamAsync(uri, ct);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        return doc.RootElement.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToArray();
    }
}
