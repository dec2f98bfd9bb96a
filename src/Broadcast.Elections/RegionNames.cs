namespace Broadcast.Elections;

/// <summary>
/// Region names as people write them. The data spells them in capitals ("KALIMANTAN TIMUR"),
/// sometimes letter by letter ("P A P U A"), and regencies without "Kabupaten".
/// </summary>
public static class RegionNames
{
    /// <summary>Abbreviations that stay in capitals.</summary>
    private static readonly HashSet<string> Acronyms = new(StringComparer.OrdinalIgnoreCase) { "DKI", "DI", "IDN" };

    public static string Display(RegionTree regions, int region)
    {
        if (region == RegionTree.National) return "Indonesia";
        var name = TitleCase(regions.Name[region]);
        return regions.Level[region] == RegionLevel.Regency && !name.StartsWith("Kota ", StringComparison.Ordinal)
            ? "Kabupaten " + name
            : name;
    }

    public static string TitleCase(string name)
    {
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // "P A P U A": letters spaced out for emphasis are one word.
        if (words.Length > 1 && words.All(w => w.Length == 1)) words = [string.Concat(words)];
        return string.Join(' ', words.Select(w => Acronyms.Contains(w) ? w.ToUpperInvariant()
            : string.Join('-', w.Split('-').Select(part => part.Length == 0 ? part
                : char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()))));
    }
}
