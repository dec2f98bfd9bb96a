using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Broadcast.Replay;

namespace Broadcast.LoadTest;

/// <summary>A real 2019 station's Situng numbers (votes 01 and 02, valid, invalid, total).</summary>
public readonly record struct StationForm(string Station, int Pas1, int Pas2, int Valid, int Invalid, int Total);

/// <summary>Reads the real forms and cuts them into ready-made request bodies, so the run itself only sends.</summary>
public static class StationForms
{
    /// <summary>Every station with Situng numbers, shuffled by <paramref name="seed"/> (the file is in region order: a prefix would load one province).</summary>
    public static StationForm[] Load(string path, int seed)
    {
        using var csv = new GzCsvReader(path);
        if (!csv.TryReadLine(out var header))
            throw new InvalidDataException($"{path}: empty");
        var col = GzCsvReader.Columns(header, "desa_id", "tps_no", "kpu_pas1", "kpu_pas2", "kpu_sah", "kpu_tsah", "kpu_jum");
        Span<Range> f = stackalloc Range[64];
        var forms = new List<StationForm>(820_000);
        while (csv.TryReadLine(out var line))
        {
            GzCsvReader.Split(line, f);
            var pas1 = GzCsvReader.ParseLong(line[f[col[2]]]);
            if (pas1 < 0)
                continue; // no Situng numbers for this station
            var station = string.Create(CultureInfo.InvariantCulture, $"{GzCsvReader.ParseLong(line[f[col[0]]])}.{GzCsvReader.ParseLong(line[f[col[1]]])}");
            forms.Add(new StationForm(station, (int)pas1, Int(line[f[col[3]]]), Int(line[f[col[4]]]), Int(line[f[col[5]]]), Int(line[f[col[6]]])));
        }
        var array = forms.ToArray();
        new Random(seed).Shuffle(array);
        return array;
    }

    /// <summary>The village of every form of every body of <see cref="Bodies"/>, in the same order.</summary>
    public static long[][] Villages(StationForm[] forms, int skip, int count, int batch)
    {
        var villages = new long[(count + batch - 1) / batch][];
        for (var b = 0; b < villages.Length; b++)
        {
            var from = skip + b * batch;
            villages[b] = forms.AsSpan(from, Math.Min(batch, skip + count - from)).ToArray().Select(f => VillageOf(f.Station)).ToArray();
        }
        return villages;
    }

    /// <summary>The village of a station id <c>&lt;village&gt;.&lt;tps&gt;</c>.</summary>
    public static long VillageOf(string station) =>
        long.Parse(station.AsSpan(0, station.LastIndexOf('.')), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>JSON array bodies of <paramref name="batch"/> forms each, <paramref name="count"/> forms from <paramref name="skip"/> on.</summary>
    public static byte[][] Bodies(StationForm[] forms, int skip, int count, int batch)
    {
        if (skip + count > forms.Length)
            throw new ArgumentException($"{count:N0} forms after skipping {skip:N0} need more than the {forms.Length:N0} stations with numbers");
        var bodies = new byte[(count + batch - 1) / batch][];
        for (var b = 0; b < bodies.Length; b++)
        {
            var from = skip + b * batch;
            bodies[b] = Serialize(forms.AsSpan(from, Math.Min(batch, skip + count - from)));
        }
        return bodies;
    }

    public static byte[] Serialize(ReadOnlySpan<StationForm> forms)
    {
        var buffer = new ArrayBufferWriter<byte>(forms.Length * 128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var f in forms)
            {
                w.WriteStartObject();
                w.WriteString("station", f.Station);
                w.WriteString("contest", RegionCatalog.Contest);
                w.WriteStartObject("votes");
                w.WriteNumber("01", f.Pas1);
                w.WriteNumber("02", f.Pas2);
                w.WriteEndObject();
                w.WriteNumber("valid", f.Valid);
                w.WriteNumber("invalid", f.Invalid);
                w.WriteNumber("total", f.Total);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // An empty count in Situng is taken as 0: the server's rules then flag the form, as they would a real one.
    private static int Int(ReadOnlySpan<byte> s) => (int)Math.Max(0, GzCsvReader.ParseLong(s, 0));
}
