using System.IO.Compression;
using System.Text;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.Storage;

namespace Broadcast.Benchmarks;

/// <summary>A real 2019 form as the demo replays it: Situng's numbers, or a volunteer's correction.</summary>
internal sealed record DemoForm(string Station, int[] Votes, int Valid, int Invalid, int Total)
{
    public string ToJson() =>
        $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":{{Votes[0]}},"02":{{Votes[1]}}},"valid":{{Valid}},"invalid":{{Invalid}},"total":{{Total}}}""";
}

/// <summary>
/// The shipped pilpres2019 election and its demo night (803,012 Situng forms in upload order,
/// then 6,182 corrections), loaded once per benchmark process.
/// </summary>
internal static class BenchData
{
    public const int Corrections = 6_182;

    private static readonly Lazy<Election> LazyElection = new(() =>
        ElectionLoader.Load(Path.Combine(AppContext.BaseDirectory, "data", "pilpres2019")));

    private static readonly Lazy<DemoForm[]> LazyNight = new(ReadNight);

    public static Election Election => LazyElection.Value;

    /// <summary>Every form of the night in replay order; the last <see cref="Corrections"/> are corrections.</summary>
    public static DemoForm[] Night => LazyNight.Value;

    public static readonly RulesOptions Rules = new();

    /// <summary>
    /// <paramref name="count"/> revisions in seq order: first forms spread evenly over the night,
    /// then <paramref name="corrections"/> volunteer corrections of stations among them
    /// (revision 2), with each form's status from the rules as ingest would set it.
    /// </summary>
    public static StoredRevision[] SpreadRevisions(int count, int corrections)
    {
        var night = Night;
        var firstForms = night.Length - Corrections;
        var corrected = night[firstForms..].Take(corrections).ToArray();
        var correctedStations = corrected.Select(f => f.Station).ToHashSet(StringComparer.Ordinal);
        // A few stations were sent twice by Situng; each keeps its first form here.
        var originals = night[..firstForms].Where(f => correctedStations.Contains(f.Station)).DistinctBy(f => f.Station);
        var step = firstForms / (count - 2 * corrections);
        var others = Enumerable.Range(0, count - 2 * corrections).Select(i => night[i * step])
            .Where(f => !correctedStations.Contains(f.Station)).DistinctBy(f => f.Station);
        var forms = originals.Concat(others).Select(f => (Form: f, Revision: 1))
            .Concat(corrected.Select(f => (Form: f, Revision: 2)));
        return forms.Select((f, i) => ToRevision(f.Form, i + 1, f.Revision)).ToArray();
    }

    public static StoredRevision ToRevision(DemoForm form, long seq, int revision = 1)
    {
        var election = Election;
        var station = election.FindStation(form.Station) ?? throw new InvalidDataException($"unknown station {form.Station}");
        var numbers = new FormNumbers(form.Votes, form.Valid, form.Invalid, form.Total);
        var (status, problems) = FormRules.Check(new SubmittedForm(form.Station, station, election.Contests[0], election.Contests[0].Ballots[0], numbers), election, Rules);
        return new StoredRevision(seq, election.Contests[0].Id, form.Station, revision, numbers, status, problems, null,
            DateTimeOffset.UnixEpoch);
    }

    /// <summary>A JSON array of <paramref name="count"/> forms for stations spread over the whole election.</summary>
    public static byte[] BatchJson(int count)
    {
        var election = Election;
        var night = new Dictionary<string, DemoForm>(StringComparer.Ordinal);
        foreach (var form in Night.AsSpan(0, Night.Length - Corrections)) night.TryAdd(form.Station, form);
        var step = election.Stations.Count / count;
        var json = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            var station = election.StationId(i * step);
            // Stations with no Situng form get plausible numbers of the same shape.
            var form = night.GetValueOrDefault(station) ?? new DemoForm(station, [120, 95], 215, 4, 219);
            json.Append(i == 0 ? "" : ",").Append(form.ToJson());
        }
        return Encoding.UTF8.GetBytes(json.Append(']').ToString());
    }

    private static DemoForm[] ReadNight()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "pilpres2019", "demo-forms.csv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), Encoding.UTF8);
        reader.ReadLine(); // offset_s,station,v01,v02,valid,invalid,total
        var forms = new List<DemoForm>(810_000);
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            forms.Add(new DemoForm(f[1], [int.Parse(f[2]), int.Parse(f[3])], int.Parse(f[4]), int.Parse(f[5]), int.Parse(f[6])));
        }
        return forms.ToArray();
    }
}
