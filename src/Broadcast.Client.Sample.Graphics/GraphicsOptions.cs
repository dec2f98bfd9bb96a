using System.Globalization;

namespace Broadcast.Client.Sample.Graphics;

/// <summary>The file's layout: the flat JSON object, or CasparCG's template data XML.</summary>
public enum ValueFormat
{
    Json,
    Xml,
}

/// <summary>Command-line options. Parsing is hand-written, as in the replay tool: a handful of flags do not justify a package.</summary>
public sealed record GraphicsOptions
{
    public Uri Server { get; init; } = new("http://127.0.0.1:5000");
    public string Contest { get; init; } = "ppwp";
    public string Region { get; init; } = "0";
    public string Out { get; init; } = "results.json";
    public ValueFormat Format { get; init; } = ValueFormat.Json;
    /// <summary>Writes a second at most; null: one per aggregation run.</summary>
    public double? Rate { get; init; } = 2;
    public BroadcastProtocol Protocol { get; init; } = BroadcastProtocol.MessagePack;
    public bool Help { get; init; }

    public const string Usage = """
        broadcast-graphics - keeps a data file for TV graphics (CasparCG, Vizrt DataReader, any template
        that reads a flat JSON or XML file) up to date with the live results of a Broadcast server.

        Usage: broadcast-graphics [options]

          --server <url>        the Broadcast server (default http://127.0.0.1:5000)
          --contest <id>        ppwp, dpr, dpd, dprd_prov, dprd_kab (default ppwp)
          --region <id>         a region id (0 = national, the default), dapil:<code> or parliament:<region id>
          --out <path>          the file to keep up to date (default results.json); replaced atomically at each change
          --format json|xml     json: the flat object of GET /api/v1/graphics/{contest}/{region};
                                xml: the same keys as CasparCG template data (<templateData><componentData ...>).
                                Default: xml if the path ends in .xml, else json
          --rate <n>|none       at most n writes a second (0.1 to 20, default 2); none: one per aggregation run
          --protocol messagepack|json   the hub protocol (default messagepack)
          --help                this text

        A path ending in .ftd is written with a UTF-8 byte order mark: CasparCG reads a data file without one
        as Latin-1. Stop with Ctrl+C.
        """;

    /// <summary>The options, or the reason they are wrong.</summary>
    public static (GraphicsOptions? Options, string? Error) Parse(string[] args)
    {
        var options = new GraphicsOptions();
        string? format = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h") return (options with { Help = true }, null);
            if (!name.StartsWith("--", StringComparison.Ordinal)) return (null, $"'{name}' is not an option (see --help).");
            if (i + 1 >= args.Length) return (null, $"{name} needs a value.");
            var value = args[++i];
            if (string.IsNullOrWhiteSpace(value)) return (null, $"{name} needs a value.");
            switch (name)
            {
                case "--server":
                    if (!Uri.TryCreate(value, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
                        return (null, $"--server must be an http or https address such as https://results.example, not '{value}'.");
                    options = options with { Server = server };
                    break;
                case "--contest":
                    options = options with { Contest = value };
                    break;
                case "--region":
                    options = options with { Region = value };
                    break;
                case "--out":
                    options = options with { Out = value };
                    break;
                case "--format":
                    if (value is not ("json" or "xml")) return (null, $"--format must be json or xml, not '{value}'.");
                    format = value;
                    break;
                case "--rate":
                    if (value == "none") options = options with { Rate = null };
                    else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0.1 and <= 20)
                        options = options with { Rate = rate };
                    else return (null, $"--rate must be a number from 0.1 to 20, or none, not '{value}'.");
                    break;
                case "--protocol":
                    if (value is not ("messagepack" or "json")) return (null, $"--protocol must be messagepack or json, not '{value}'.");
                    options = options with { Protocol = value == "json" ? BroadcastProtocol.Json : BroadcastProtocol.MessagePack };
                    break;
                default:
                    return (null, $"Unknown option {name} (see --help).");
            }
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.Out))!;
        if (!Directory.Exists(directory)) return (null, $"--out: the folder {directory} does not exist.");
        var chosen = format switch
        {
            "xml" => ValueFormat.Xml,
            "json" => ValueFormat.Json,
            _ => options.Out.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) ? ValueFormat.Xml : ValueFormat.Json,
        };
        return (options with { Format = chosen }, null);
    }
}
