using System.Globalization;
using Broadcast.Results;

namespace Broadcast.Graphics;

/// <summary>
/// The flat key-value object TV graphics templates read (docs/api.md, "TV graphics feed"): the
/// server's <c>GET /api/v1/graphics/{contest}/{group}</c> answers it, and a .NET client builds the
/// same from the results it holds, so a data file written on a graphics machine carries the very
/// keys and numbers the server's feed does.
/// </summary>
public static class GraphicsValues
{
    /// <summary>
    /// The flat object: <c>choice_01_votes</c>, <c>choice_01_percent</c>, <c>reporting_percent</c>,
    /// <c>leader_id</c>... A choice is a pair, a party or a DPD candidate. Dapils and parliaments
    /// add <c>seats_total</c>, <c>choice_&lt;id&gt;_seats</c> and the last seat's holder and margin.
    /// Percentages are rounded to 2 decimals.
    /// </summary>
    /// <param name="results">The group's results (a headline view is enough but for a dapil's last-seat keys, which need its <c>seats.dapils</c>).</param>
    /// <param name="choices">The group's columns, in ballot order, with their names (the feed's <c>choice_&lt;id&gt;_name</c>).</param>
    /// <param name="notice">The election's notice (<c>GET /api/v1/election</c>), which must be shown with the numbers when set (a rehearsal's REHEARSAL / LATIHAN).</param>
    /// <param name="servedAt">The time written as <c>served_at</c> (default: now).</param>
    public static Dictionary<string, object> Flatten(ResultsSnapshot results, IReadOnlyList<(string Id, string Name)> choices,
        string? notice = null, DateTimeOffset? servedAt = null)
    {
        var s = results;
        var flat = new Dictionary<string, object>
        {
            ["contest"] = s.Contest,
            ["region_id"] = s.Region.Id,
            ["region_name"] = s.Region.Name,
            ["region_level"] = s.Region.Level,
            // Shown on air beside the numbers when set: a rehearsal says REHEARSAL / LATIHAN.
            ["notice"] = notice ?? "",
            ["epoch"] = s.Epoch,
            ["version"] = s.Version,
            ["served_at"] = (servedAt ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture),
            ["stations_total"] = s.Stations.Total,
            ["stations_reported"] = s.Stations.Reported,
            ["stations_quarantined"] = s.Stations.Quarantined,
            ["reporting_percent"] = Percent(s.Stations.Reported, s.Stations.Total),
            ["valid"] = s.Valid,
            ["invalid"] = s.Invalid,
        };
        var sum = s.Votes.Values.Sum();
        foreach (var (id, name) in choices)
        {
            var votes = s.Votes.GetValueOrDefault(id);
            flat[$"choice_{id}_name"] = name;
            flat[$"choice_{id}_votes"] = votes;
            flat[$"choice_{id}_percent"] = Percent(votes, sum);
            if (s.Seats is { } seats) flat[$"choice_{id}_seats"] = seats.Won.GetValueOrDefault(id);
        }
        var ranked = choices.OrderByDescending(choice => s.Votes.GetValueOrDefault(choice.Id)).ToList();
        (string Id, string Name)? leading = sum > 0 ? ranked[0] : null;
        flat["leader_id"] = leading?.Id ?? "";
        flat["leader_name"] = leading?.Name ?? "";
        flat["leader_margin_percent"] = leading is null || ranked.Count < 2
            ? 0
            : Percent(s.Votes.GetValueOrDefault(ranked[0].Id) - s.Votes.GetValueOrDefault(ranked[1].Id), sum);
        if (s.Seats is { } projected)
        {
            flat["seats_total"] = projected.Total;
            if (projected.Threshold is { } threshold) flat["threshold_votes"] = threshold.Votes;
            if (projected.Dapils is [var one] && s.Region.Level == "dapil")
            {
                flat["last_seat_id"] = one.Last?.Choice ?? "";
                flat["runner_up_id"] = one.RunnerUp?.Choice ?? "";
                flat["runner_up_votes_needed"] = one.RunnerUp?.VotesNeeded ?? 0;
            }
        }
        return flat;
    }

    private static double Percent(long part, long whole) => whole == 0 ? 0 : Math.Round(part * 100.0 / whole, 2);
}
