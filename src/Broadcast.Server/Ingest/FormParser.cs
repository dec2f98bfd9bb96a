using System.Text.Json;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Ingest;

/// <summary>A structurally valid form for a known station and contest, its numbers laid out as the station's <see cref="Ballot"/>.</summary>
public sealed record SubmittedForm(string Station, int StationIndex, Contest Contest, Ballot Ballot, FormNumbers Numbers);

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
        List<VoteInput>? votes = null;
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

        if (contest is null) return null;
        // The votes are checked against the station's ballot; a contest with one ballot for the
        // whole country (PPWP) checks them even when the station is unknown, so every problem is named at once.
        var ballot = stationIndex is { } s ? contest.BallotOfVillage(election.Stations.Village[s]) : contest.Ballots is [var only] ? only : null;
        if (stationIndex is not null && ballot is null)
            errors.Add(prefix + "contest", $"'{contest.Id}' is not voted on at station '{station}' ({NotVotedOn(contest)})");
        var counts = votes is null || ballot is null ? null : BallotVotes.Match(ballot, election, votes, prefix + "votes", errors);
        if (counts is null || stationIndex is null || valid is null || invalid is null || total is null) return null;
        return new SubmittedForm(station!, stationIndex.Value, contest, ballot!, new FormNumbers(counts, (int)valid, (int)invalid, (int)total));
    }

    private static string NotVotedOn(Contest contest) => contest.Kind == BallotKind.PartyList && contest.Dapils.All(d => d.Parliament.Region != RegionTree.National)
        ? "abroad only PPWP and DPR are voted on, and DKI Jakarta has no DPRD kabupaten/kota"
        : "abroad only PPWP and DPR are voted on";

    /// <summary>
    /// <c>votes</c>: per choice a count (<c>{"01": 508, "02": 108}</c>) or, on a party list, per party
    /// its own votes and its candidates' (<c>{"3": {"party": 12, "candidates": {"1": 40, "2": 7}}}</c>).
    /// Read as given; <see cref="BallotVotes.Match"/> then checks it against the station's ballot.
    /// </summary>
    private static List<VoteInput>? ReadVotes(ref Utf8JsonReader reader, string field, FormErrors errors)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors.Add(field, "must be an object of counts per choice, such as {\"01\": 508, \"02\": 108}");
            reader.Skip();
            return null;
        }
        var votes = new List<VoteInput>();
        var entries = ReadCounts(ref reader, field, errors, (ref Utf8JsonReader value, string key) =>
        {
            if (value.TokenType == JsonTokenType.StartObject) votes.Add(new VoteInput(key, null, ReadParty(ref value, $"{field}.{key}", errors)));
            else votes.Add(new VoteInput(key, ReadCount(ref value, $"{field}.{key}", errors), null));
        });
        return entries ? votes : null;
    }

    /// <summary>One party's votes: <c>{"party": 12, "candidates": {"1": 40, "2": 7}}</c>.</summary>
    private static PartyInput ReadParty(ref Utf8JsonReader reader, string field, FormErrors errors)
    {
        long? own = null;
        List<(string, long?)>? candidates = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = ReadName(ref reader, field + ".", errors);
            reader.Read();
            if (name is null) { reader.Skip(); continue; }
            if (!seen.Add(name)) { errors.Add($"{field}.{name}", "appears more than once"); reader.Skip(); continue; }
            switch (name)
            {
                case "party": own = ReadCount(ref reader, $"{field}.party", errors); break;
                case "candidates":
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        errors.Add($"{field}.candidates", "must be an object of counts per candidate number, such as {\"1\": 40, \"2\": 7}");
                        reader.Skip();
                        break;
                    }
                    var list = new List<(string, long?)>();
                    if (ReadCounts(ref reader, $"{field}.candidates", errors, (ref Utf8JsonReader value, string key) =>
                            list.Add((key, ReadCount(ref value, $"{field}.candidates.{key}", errors)))))
                        candidates = list;
                    break;
                default: errors.Add($"{field}.{name}", "is not a field of a party's votes (party, candidates)"); reader.Skip(); break;
            }
        }
        if (!seen.Contains("party")) errors.Add($"{field}.party", "is required: the votes for the party itself, 0 included");
        if (!seen.Contains("candidates")) errors.Add($"{field}.candidates", "is required: every candidate's votes, 0 included");
        return new PartyInput(own, candidates);
    }

    private delegate void ReadValue(ref Utf8JsonReader reader, string key);

    /// <summary>
    /// Reads an object's entries, each value by <paramref name="read"/>, refusing duplicate keys.
    /// False when it stopped reading: more entries than any ballot has (bounded work whatever the body holds).
    /// </summary>
    private static bool ReadCounts(ref Utf8JsonReader reader, string field, FormErrors errors, ReadValue read)
    {
        var depth = reader.CurrentDepth;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = ReadName(ref reader, field + ".", errors);
            reader.Read();
            if (key is null) { reader.Skip(); continue; }
            if (!seen.Add(key)) { errors.Add($"{field}.{key}", "appears more than once"); reader.Skip(); continue; }
            if (seen.Count > MaxVoteEntries)
            {
                errors.Add(field, $"has more than {MaxVoteEntries} entries; no ballot has that many choices");
                while ((reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth > depth) && reader.Read()) { }
                return false;
            }
            read(ref reader, key);
        }
        return true;
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
