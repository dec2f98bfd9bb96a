using System.Text.Json;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Ingest;

/// <summary>A structurally valid form for a known station and contest.</summary>
public sealed record SubmittedForm(string Station, int StationIndex, Contest Contest, FormNumbers Numbers);

/// <summary>
/// Problems per field name (<c>votes.03</c>, <c>[2].valid</c>), as problem+json <c>errors</c>. Bounded:
/// a hostile body can hold hundreds of thousands of mistakes, and the answer must stay smaller
/// than the request. At most <see cref="MaxListed"/> fields, each with at most three messages, are listed (the rest are only
/// counted, <see cref="Omitted"/>), and any text taken from the request is clipped to
/// <see cref="MaxEchoedLength"/> characters.
/// </summary>
public sealed class FormErrors
{
    public const int MaxListed = 100;
    public const int MaxEchoedLength = 64;
    private const int MaxPerField = 3;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0 || Omitted > 0;

    /// <summary>Problems found but not listed, beyond <see cref="MaxListed"/> fields.</summary>
    public int Omitted { get; private set; }

    public bool Has(string field) => _errors.ContainsKey(Clip(field));

    public void Add(string field, string message)
    {
        field = Clip(field);
        if (_errors.TryGetValue(field, out var list) ? list.Count < MaxPerField : _errors.Count < MaxListed)
        {
            if (list is null) _errors[field] = list = [];
            list.Add(message);
        }
        else Omitted++;
    }

    /// <summary>Adds every problem of <paramref name="other"/> with <paramref name="prefix"/> before its field names.</summary>
    public void AddAll(string prefix, FormErrors other)
    {
        foreach (var (field, messages) in other._errors)
            foreach (var message in messages) Add(prefix + field, message);
        Omitted += other.Omitted;
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    /// <summary>Text from the request as it may appear in an answer: at most <see cref="MaxEchoedLength"/> characters.</summary>
    public static string Clip(string text) => text.Length <= MaxEchoedLength ? text : string.Concat(text.AsSpan(0, MaxEchoedLength - 1), "…");
}

/// <summary>
/// Reads C1 forms strictly: exactly the documented fields, whole non-negative counts, every
/// choice of the contest and no other. Nothing is bound by name reflection, so a field such
/// as <c>"verified": true</c> can never slip into the model; it is an error.
/// </summary>
public static class FormParser
{
    /// <summary>No real station comes near: the largest 2019 station, a postal one abroad, counted 3,214 ballots.</summary>
    public const int MaxCount = 100_000;

    /// <summary>More choices than any ballot has: beyond it a <c>votes</c> object is not read further (bounded work).</summary>
    private const int MaxVoteEntries = 1_000;

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 };

    public static SubmittedForm? ParseOne(ReadOnlySpan<byte> body, Election election, FormErrors errors)
    {
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                errors.Add("body", "must be one C1 form as a JSON object");
                return null;
            }
            var form = ReadForm(ref reader, election, "", errors);
            if (reader.Read()) errors.Add("body", "has content after the form");
            return errors.Any ? null : form;
        }
        catch (JsonException e)
        {
            errors.Add("body", $"is not valid JSON: {e.Message}");
            return null;
        }
    }

    /// <summary>A JSON array of forms, or NDJSON (one form per line). All valid, or null with every problem named.</summary>
    public static List<SubmittedForm>? ParseBatch(ReadOnlySpan<byte> body, bool ndjson, int maxForms, Election election, FormErrors errors)
    {
        var forms = new List<SubmittedForm>();
        if (ndjson)
        {
            var index = 0;
            foreach (var range in body.Split((byte)'\n'))
            {
                var line = body[range].TrimEnd((byte)'\r');
                if (line.IsEmpty) continue;
                var lineErrors = new FormErrors();
                if (ParseOne(line, election, lineErrors) is { } form) forms.Add(form);
                errors.AddAll($"[{index}].", lineErrors);
                if (++index > maxForms) break;
            }
        }
        else
        {
            try
            {
                var reader = new Utf8JsonReader(body, ReaderOptions);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    errors.Add("body", "must be a JSON array of C1 forms (or NDJSON with Content-Type application/x-ndjson)");
                    return null;
                }
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray && forms.Count <= maxForms)
                {
                    var prefix = $"[{forms.Count}].";
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        errors.Add($"[{forms.Count}]", "must be a C1 form object");
                        reader.Skip();
                        forms.Add(null!); // keeps indexes aligned; the batch is rejected anyway
                        continue;
                    }
                    forms.Add(ReadForm(ref reader, election, prefix, errors)!);
                }
            }
            catch (JsonException e)
            {
                errors.Add("body", $"is not valid JSON: {e.Message}");
            }
        }
        if (forms.Count > maxForms) errors.Add("body", $"holds more than {maxForms} forms; split the batch");
        else if (forms.Count == 0 && !errors.Any) errors.Add("body", "holds no forms");
        return errors.Any ? null : forms;
    }

    private static SubmittedForm? ReadForm(ref Utf8JsonReader reader, Election election, string prefix, FormErrors errors)
    {
        string? station = null, contestId = null;
        List<(string Choice, long? Count)>? votes = null;
        long? valid = null, invalid = null, total = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = ReadName(ref reader, prefix, errors);
            reader.Read();
            if (name is null) { reader.Skip(); continue; }
            var field = prefix + name;
            if (!seen.Add(name)) { errors.Add(field, "appears more than once"); reader.Skip(); continue; }
            switch (name)
            {
                case "station": station = ReadText(ref reader, field, errors); break;
                case "contest": contestId = ReadText(ref reader, field, errors); break;
                case "votes": votes = ReadVotes(ref reader, field, errors); break;
                case "valid": valid = ReadCount(ref reader, field, errors); break;
                case "invalid": invalid = ReadCount(ref reader, field, errors); break;
                case "total": total = ReadCount(ref reader, field, errors); break;
                default: errors.Add(field, "is not a field of a C1 form"); reader.Skip(); break;
            }
        }

        foreach (var (name, present) in new[] { ("station", station), ("contest", contestId) })
            if (present is null && !errors.Has(prefix + name)) errors.Add(prefix + name, "is required");
        foreach (var (name, present) in new[] { ("votes", (object?)votes), ("valid", valid), ("invalid", invalid), ("total", total) })
            if (present is null && !errors.Has(prefix + name)) errors.Add(prefix + name, "is required");

        var contest = contestId is null ? null : election.FindContest(contestId);
        if (contestId is not null && contest is null)
            errors.Add(prefix + "contest", $"'{contestId}' is not a contest of this election ({string.Join(", ", election.Contests.Select(c => c.Id))})");
        var stationIndex = station is null ? null : election.FindStation(station);
        if (station is not null && stationIndex is null)
            errors.Add(prefix + "station", $"'{station}' is not a polling station of this election");
        else if (stationIndex is { } known && election.StationId(known) is var canonical && canonical != station)
        {
            // One station, one id: "25830.02" would otherwise start a second revision chain for 25830.2.
            errors.Add(prefix + "station", $"'{station}' must be written '{canonical}'");
            stationIndex = null;
        }

        var counts = contest is null || votes is null ? null : MatchChoices(contest, votes, prefix + "votes", errors);
        if (counts is null || stationIndex is null || valid is null || invalid is null || total is null) return null;
        return new SubmittedForm(station!, stationIndex.Value, contest!, new FormNumbers(counts, (int)valid, (int)invalid, (int)total));
    }

    private static int[]? MatchChoices(Contest contest, List<(string Choice, long? Count)> votes, string field, FormErrors errors)
    {
        var counts = new int[contest.Choices.Count];
        var given = new bool[contest.Choices.Count];
        var ok = true;
        foreach (var (choice, count) in votes)
        {
            var index = contest.ChoiceIndex(choice);
            if (index < 0) { errors.Add($"{field}.{choice}", $"is not a choice of contest '{contest.Id}'"); ok = false; continue; }
            given[index] = true;
            if (count is null) ok = false;
            else counts[index] = (int)count;
        }
        for (var i = 0; i < given.Length; i++)
            if (!given[i]) { errors.Add($"{field}.{contest.Choices[i].Id}", "is required: every choice needs a count, 0 included"); ok = false; }
        return ok ? counts : null;
    }

    private static List<(string, long?)>? ReadVotes(ref Utf8JsonReader reader, string field, FormErrors errors)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors.Add(field, "must be an object of counts per choice, such as {\"01\": 508, \"02\": 108}");
            reader.Skip();
            return null;
        }
        var depth = reader.CurrentDepth;
        var votes = new List<(string, long?)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var choice = ReadName(ref reader, field + ".", errors);
            reader.Read();
            if (choice is null) { reader.Skip(); continue; }
            if (!seen.Add(choice)) { errors.Add($"{field}.{choice}", "appears more than once"); reader.Skip(); continue; }
            if (seen.Count > MaxVoteEntries)
            {
                // Bounded work and a bounded answer whatever the body holds: the rest is not read.
                errors.Add(field, $"has more than {MaxVoteEntries} entries; no ballot has that many choices");
                while ((reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth > depth) && reader.Read()) { }
                return null;
            }
            votes.Add((choice, ReadCount(ref reader, $"{field}.{choice}", errors)));
        }
        return votes;
    }

    private static string? ReadText(ref Utf8JsonReader reader, string field, FormErrors errors)
    {
        if (reader.TokenType == JsonTokenType.String && TryGetString(ref reader, out var text) is var valid)
        {
            if (!valid) errors.Add(field, "is not valid Unicode text");
            else if (text is { Length: > 0 and <= 64 }) return text;
            else errors.Add(field, "must be a non-empty string of at most 64 characters");
            return null;
        }
        errors.Add(field, "must be a non-empty string of at most 64 characters");
        reader.Skip();
        return null;
    }

    /// <summary>A property name, or null (and an error) when it is not valid Unicode: a lone surrogate such as <c>"\ud800"</c>, or bytes that are not UTF-8.</summary>
    private static string? ReadName(ref Utf8JsonReader reader, string prefix, FormErrors errors)
    {
        if (TryGetString(ref reader, out var name)) return name;
        // Named by its raw text, with anything undecodable shown as U+FFFD, so the client can find it.
        errors.Add(prefix + System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
            "is not valid Unicode text");
        return null;
    }

    private static bool TryGetString(ref Utf8JsonReader reader, out string text)
    {
        try
        {
            text = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader leaves invalid UTF-8 and lone surrogates to be found when the string is decoded.
            text = "";
            return false;
        }
    }

    private static long? ReadCount(ref Utf8JsonReader reader, string field, FormErrors errors)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            errors.Add(field, "must be a number");
            reader.Skip();
            return null;
        }
        var raw = reader.ValueSpan;
        // A sign is refused even on zero: "-0" is as much a mistyped count as "01" or "1.0".
        if (raw.StartsWith("-"u8)) { errors.Add(field, "must not be negative"); return null; }
        if (raw.IndexOfAny("."u8) >= 0 || raw.IndexOfAny("eE"u8) >= 0 || !reader.TryGetInt64(out var value))
        {
            errors.Add(field, "must be a whole number");
            return null;
        }
        if (value > MaxCount) { errors.Add(field, $"must be at most {MaxCount}"); return null; }
        return value;
    }
}
