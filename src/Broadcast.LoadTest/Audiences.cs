using System.Globalization;

namespace Broadcast.LoadTest;

/// <summary>The level of the region tree an audience watches: the nation, a random province or a random regency.</summary>
public enum GroupLevel { National, Province, Regency }

/// <summary>
/// How an audience subscribes (docs/api.md, "Push"): <c>legacy</c> is <c>Subscribe</c> (a full
/// <c>TotalsChanged</c> per aggregation run), <c>full</c> and <c>headline</c> are
/// <c>SubscribeWith(contest, group, { view, maxPerSecond })</c> (<c>Delta</c> or <c>Headline</c> frames).
/// </summary>
public enum ViewKind { Legacy, Full, Headline }

/// <summary>
/// One kind of viewer: a name for the report, the level of its group, its share of the viewers,
/// how it subscribes, its frame cap, and optionally a read throttle (a slow phone: its socket is
/// read at most this many bytes a second) and its own poll interval for the polling mode.
/// </summary>
public sealed record Audience(string Name, GroupLevel Level, double Weight, ViewKind View, double? MaxPerSecond = null,
    double? ReadBytesPerSecond = null, TimeSpan? Poll = null)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Level.ToString().ToLowerInvariant()}, {View.ToString().ToLowerInvariant()}{(MaxPerSecond is { } m ? $" at most {m:0.##}/s" : "")}" +
        $"{(ReadBytesPerSecond is { } r ? $", reads {r / 1024:0.##} KB/s" : "")}{(Poll is { } p ? $", polls every {p.TotalSeconds:0.##} s" : "")}");
}

/// <summary>
/// The audiences of a run (<c>--mix</c>). Syntax, comma-separated audiences:
/// <c>name:level:weight:view[:maxPerSecond][:key=value...]</c>, e.g.
/// <c>ticker:national:60:headline:1,province:province:30:full,regency:regency:10:full</c>;
/// level national|province|regency; view legacy|full|headline; keys <c>read=&lt;KB/s&gt;</c>
/// (throttled reader) and <c>poll=&lt;duration&gt;</c> (this audience's interval in the polling mode).
/// The older <c>national=0.6,province=0.3,regency=0.1</c> still works: one legacy audience per level.
/// Weights need not sum to anything.
/// </summary>
public sealed record AudienceMix(Audience[] Audiences)
{
    public static AudienceMix Default { get; } = Parse("national=0.6,province=0.3,regency=0.1");

    public double TotalWeight => Audiences.Sum(a => a.Weight);

    public static AudienceMix Parse(string s)
    {
        var parts = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException("--mix: empty");
        var audiences = parts.Select(p => p.Contains(':') ? ParseAudience(p) : ParseLegacyLevel(p)).Where(a => a.Weight > 0).ToArray();
        if (audiences.Length == 0) throw new ArgumentException("--mix: all weights are zero");
        if (audiences.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != audiences.Length)
            throw new ArgumentException("--mix: audience names must differ");
        return new AudienceMix(audiences);
    }

    /// <summary>The same audiences subscribing with the legacy <c>Subscribe</c> (the "before" runs).</summary>
    public AudienceMix AsLegacy() => new(Audiences.Select(a => a with { View = ViewKind.Legacy, MaxPerSecond = null }).ToArray());

    public int IndexOf(string name) => Array.FindIndex(Audiences, a => a.Name == name);

    /// <summary>An audience drawn by the weights.</summary>
    public int Pick(Random random)
    {
        var x = random.NextDouble() * TotalWeight;
        for (var i = 0; i < Audiences.Length; i++)
        {
            x -= Audiences[i].Weight;
            if (x < 0) return i;
        }
        return Audiences.Length - 1;
    }

    /// <summary>Round-trips through <see cref="Parse"/> (the children get the mix as text).</summary>
    public override string ToString() => string.Join(",", Audiences.Select(Format));

    private static string Format(Audience a)
    {
        var s = string.Create(CultureInfo.InvariantCulture,
            $"{a.Name}:{a.Level.ToString().ToLowerInvariant()}:{a.Weight:R}:{a.View.ToString().ToLowerInvariant()}");
        if (a.MaxPerSecond is { } m) s += string.Create(CultureInfo.InvariantCulture, $":{m:R}");
        if (a.ReadBytesPerSecond is { } r) s += string.Create(CultureInfo.InvariantCulture, $":read={r / 1024:R}");
        if (a.Poll is { } p) s += string.Create(CultureInfo.InvariantCulture, $":poll={(long)p.TotalMilliseconds}ms");
        return s;
    }

    private static Audience ParseLegacyLevel(string part)
    {
        if (part.Split('=') is not [var name, var value] || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || w < 0)
            throw new ArgumentException($"--mix: expected name:level:weight:view[:rate] or level=weight, got '{part}'");
        return new Audience(name, Level(name, part), w, ViewKind.Legacy);
    }

    private static Audience ParseAudience(string part)
    {
        var f = part.Split(':');
        if (f.Length < 4)
            throw new ArgumentException($"--mix: expected name:level:weight:view[:maxPerSecond][:read=KB/s][:poll=t], got '{part}'");
        var name = f[0].Length > 0 && f[0].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? f[0] : throw new ArgumentException($"--mix: an audience name is letters, digits, '-' or '_', got '{f[0]}'");
        var level = Level(f[1], part);
        if (!double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || weight < 0 || !double.IsFinite(weight))
            throw new ArgumentException($"--mix: weight must be a number >= 0 in '{part}'");
        var view = f[3] switch
        {
            "legacy" => ViewKind.Legacy,
            "full" => ViewKind.Full,
            "headline" => ViewKind.Headline,
            _ => throw new ArgumentException($"--mix: view is legacy, full or headline, got '{f[3]}' in '{part}'"),
        };
        double? rate = null, read = null;
        TimeSpan? poll = null;
        foreach (var extra in f.Skip(4))
        {
            if (extra.StartsWith("read=", StringComparison.Ordinal))
                read = Positive(extra[5..], part) * 1024;
            else if (extra.StartsWith("poll=", StringComparison.Ordinal))
                poll = LoadOptions.ParseDuration("--mix poll=", extra[5..]);
            else if (rate is null && extra is not "max")
                rate = Positive(extra, part);
            else if (extra is not "max")
                throw new ArgumentException($"--mix: unexpected '{extra}' in '{part}'");
        }
        if (rate is not null && view == ViewKind.Legacy)
            throw new ArgumentException($"--mix: a frame cap needs SubscribeWith (view full or headline), in '{part}'");
        return new Audience(name, level, weight, view, rate, read, poll);
    }

    private static GroupLevel Level(string s, string part) => s switch
    {
        "national" => GroupLevel.National,
        "province" => GroupLevel.Province,
        "regency" => GroupLevel.Regency,
        _ => throw new ArgumentException($"--mix: level is national, province or regency, got '{s}' in '{part}'"),
    };

    private static double Positive(string s, string part) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"--mix: expected a number > 0, got '{s}' in '{part}'");
}
