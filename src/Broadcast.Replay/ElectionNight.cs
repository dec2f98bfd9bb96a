using System.Text;
using System.Text.Json;

namespace Broadcast.Replay;

/// <summary>Five numbers of a C1 form (pair 01, pair 02, valid, invalid, total).</summary>
public readonly record struct Tally(int Pas1, int Pas2, int Valid, int Invalid, int Total);

/// <summary>One form to send: a station's Situng numbers, or later its volunteer correction.</summary>
/// <param name="At">When it arrives on the election-night clock, epoch ms UTC.</param>
/// <param name="Original">For a correction, the timeline index of the station's first form; -1 otherwise.</param>
public readonly record struct Form(int Village, int Tps, Tally Numbers, long At, int Original) : IOutgoingForm
{
    public bool IsCorrection => Original >= 0;
    public string Station => $"{Village}.{Tps}";

    /// <summary>The form as the API takes it: a presidential form with the two pairs.</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("station", Station);
        w.WriteString("contest", "ppwp");
        w.WriteStartObject("votes");
        w.WriteNumber("01", Numbers.Pas1);
        w.WriteNumber("02", Numbers.Pas2);
        w.WriteEndObject();
        w.WriteNumber("valid", Numbers.Valid);
        w.WriteNumber("invalid", Numbers.Invalid);
        w.WriteNumber("total", Numbers.Total);
        w.WriteEndObject();
    }
}

/// <summary>A tps.csv.gz row that has Situng numbers, kept compact (one struct, no strings) for 800k rows.</summary>
internal readonly record struct StationRow(
    int Village, int Tps, Tally Situng, Tally? Volunteer, long FirstPhotoMs, long UpdatedMs, int FileIndex)
{
    /// <summary>The volunteers read other votes for 01 or 02: their numbers are sent as a correction.</summary>
    public bool HasCorrection =>
        Volunteer is { } v && (v.Pas1 != Situng.Pas1 || v.Pas2 != Situng.Pas2);
}

/// <summary>The 2019 election night: reads tps.csv.gz and puts the forms in arrival order.</summary>
public sealed class ElectionNight
{
    private readonly StationRow[] _rows; // arrival order

    private ElectionNight(StationRow[] rows, int rowsRead)
    {
        _rows = rows;
        RowsRead = rowsRead;
    }

    /// <summary>Rows in the file (with or without Situng numbers).</summary>
    public int RowsRead { get; }
    public int SitungForms => _rows.Length;
    public int Corrections => _rows.Count(r => r.HasCorrection);
    public int WithoutPhotoTime => _rows.Count(r => r.FirstPhotoMs < 0);
    public long FirstArrivalMs => _rows.Length > 0 && _rows[0].FirstPhotoMs >= 0 ? _rows[0].FirstPhotoMs : -1;
    public long LastArrivalMs => _rows.Where(r => r.FirstPhotoMs >= 0).Select(r => r.FirstPhotoMs).DefaultIfEmpty(-1).Max();

    /// <summary>Reads the Situng rows, optionally only the villages in <paramref name="villages"/>, in arrival order.</summary>
    public static ElectionNight Load(string path, HashSet<long>? villages)
    {
        var rows = new List<StationRow>(capacity: 820_000);
        using var reader = new GzCsvReader(path);
        if (!reader.TryReadLine(out var header))
            throw new InvalidDataException($"{path} is empty");
        var col = GzCsvReader.Columns(header,
            "desa_id", "tps_no", "kpu_pas1", "kpu_pas2", "kpu_sah", "kpu_tsah", "kpu_jum",
            "kp_pas1", "kp_pas2", "kp_sah", "kp_tsah", "kp_jum", "kp_ts_ms", "kp_first_photo_ts_ms");
        var needed = col.Max() + 1;
        Span<Range> f = stackalloc Range[64];
        Span<long> v = stackalloc long[col.Length]; // the wanted columns of one row, -1 = empty
        var index = 0;
        for (; reader.TryReadLine(out var line); index++)
        {
            if (GzCsvReader.Split(line, f) < needed)
                throw new InvalidDataException($"{path} row {index + 1}: short line '{Encoding.UTF8.GetString(line)}'");
            if (line[f[col[2]]].IsEmpty)
                continue; // no Situng numbers: nothing to send
            for (var c = 0; c < col.Length; c++)
                v[c] = GzCsvReader.ParseLong(line[f[col[c]]]);
            if (villages is not null && !villages.Contains(v[0]))
                continue;
            rows.Add(new StationRow(checked((int)v[0]), checked((int)v[1]),
                ToTally(v[2..7]) ?? throw new InvalidDataException($"{path} row {index + 1}: incomplete Situng numbers"),
                ToTally(v[7..12]), FirstPhotoMs: v[13], UpdatedMs: v[12], FileIndex: index));
        }
        if (index >= 1 << 20)
            throw new InvalidDataException($"{path}: more than {1 << 20} rows"); // see ArrivalKey
        var sorted = rows.ToArray();
        Array.Sort(sorted.Select(ArrivalKey).ToArray(), sorted);
        return new ElectionNight(sorted, index);
    }

    /// <summary>
    /// The forms to send, in sending order. As fast as possible: all Situng forms, then the corrections.
    /// Timed: one timeline by arrival time; a correction arrives at the volunteers' last update
    /// (kp_ts_ms), but never before the station's first form.
    /// </summary>
    public Form[] Timeline(bool timed, bool corrections, int? limit)
    {
        // Stations without a photo time come last: at the last photo time, i.e. right after the night.
        var lastPhoto = LastArrivalMs;
        var situng = new Form[_rows.Length];
        for (var i = 0; i < _rows.Length; i++)
        {
            var r = _rows[i];
            situng[i] = new Form(r.Village, r.Tps, r.Situng, r.FirstPhotoMs >= 0 ? r.FirstPhotoMs : lastPhoto, -1);
        }
        // Corrections refer to their original by its index in `situng` until merged.
        var fixes = new List<Form>();
        for (var i = 0; corrections && i < _rows.Length; i++)
        {
            if (_rows[i].HasCorrection)
                fixes.Add(new Form(_rows[i].Village, _rows[i].Tps, _rows[i].Volunteer!.Value,
                    Math.Max(_rows[i].UpdatedMs, situng[i].At), i));
        }
        // Stable order: by arrival time, then by the original's arrival order.
        var ordered = fixes.OrderBy(c => c.At).ThenBy(c => c.Original).ToArray();
        var timeline = timed ? Merge(situng, ordered) : [.. situng, .. ordered];
        return limit is int n && n < timeline.Length ? Relink(timeline[..n]) : Relink(timeline);
    }

    /// <summary>Merges by arrival time; on a tie the Situng form goes first, so an original always precedes its correction.</summary>
    private static Form[] Merge(Form[] situng, Form[] fixes)
    {
        var result = new Form[situng.Length + fixes.Length];
        int s = 0, c = 0;
        for (var k = 0; k < result.Length; k++)
            result[k] = c >= fixes.Length || (s < situng.Length && situng[s].At <= fixes[c].At) ? situng[s++] : fixes[c++];
        return result;
    }

    /// <summary>Rewrites each correction's Original from an arrival index to a timeline index.</summary>
    private static Form[] Relink(Form[] timeline)
    {
        var position = new List<int>(timeline.Length); // arrival index -> timeline index
        for (var k = 0; k < timeline.Length; k++)
        {
            if (!timeline[k].IsCorrection)
                position.Add(k);
            else
                timeline[k] = timeline[k] with { Original = position[timeline[k].Original] };
        }
        return timeline;
    }

    /// <summary>Five numbers as a form, or null when one is missing.</summary>
    private static Tally? ToTally(ReadOnlySpan<long> v) =>
        v.ContainsAnyInRange(long.MinValue, -1)
            ? null
            : new Tally(checked((int)v[0]), checked((int)v[1]), checked((int)v[2]), checked((int)v[3]), checked((int)v[4]));

    /// <summary>
    /// The sort key for arrival order: by first photo upload; rows without one last, by last update,
    /// then file order. Packed into one long (flag bit 61, a 41-bit ms time, a 20-bit file index) so
    /// 800k rows sort as primitives, several times faster than a comparison delegate.
    /// </summary>
    private static long ArrivalKey(StationRow r)
    {
        const long noTime = (1L << 41) - 1; // after any real time (2^41 ms is the year 2039)
        static long Time(long ms) => ms is >= 0 and < noTime ? ms : noTime;
        var (flag, time) = r.FirstPhotoMs >= 0 ? (0L, Time(r.FirstPhotoMs)) : (1L, Time(r.UpdatedMs));
        return flag << 61 | time << 20 | (uint)r.FileIndex;
    }
}
