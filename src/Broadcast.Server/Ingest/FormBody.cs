using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Broadcast.Ingest;

/// <summary>
/// A C1 form as a counting app posts it (docs/api.md, "Ingest"), for the OpenAPI document only:
/// <see cref="FormParser"/> reads the bytes itself, strictly, against the station's ballot (an
/// unknown field, a missing choice, a fraction or a count above 100,000 is a 422 naming the field).
/// </summary>
/// <param name="Station">The polling station (TPS): 2019 <c>&lt;village id&gt;.&lt;tps no&gt;</c> (<c>25830.2</c>), 2024 the 13-digit TPS code.</param>
/// <param name="Contest">The contest: <c>ppwp</c>, or (2024) <c>dpr</c>, <c>dpd</c>, <c>dprd_prov</c>, <c>dprd_kab</c>.</param>
/// <param name="Votes">Every choice of the station's ballot, 0 included: per choice id its votes (<c>{"01": 508, "02": 108}</c>), or on a party-list ballot per party number <c>{"party": 12, "candidates": {"1": 40}}</c>.</param>
/// <param name="Valid">Valid votes.</param>
/// <param name="Invalid">Invalid votes.</param>
/// <param name="Total">Ballots used.</param>
public sealed record FormBody(string Station, string Contest, IReadOnlyDictionary<string, JsonElement> Votes,
    [property: Range(0, FormParser.MaxCount)] int Valid,
    [property: Range(0, FormParser.MaxCount)] int Invalid,
    [property: Range(0, FormParser.MaxCount)] int Total);
