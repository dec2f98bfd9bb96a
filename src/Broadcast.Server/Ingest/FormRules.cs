using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Ingest;

public sealed class RulesOptions
{
    public const string Section = "Rules";

    /// <summary>R3 allowance above the DPT for transfer (DPTb) and special (DPK) voters, in percent of the DPT.</summary>
    public double VoterAllowancePercent { get; set; } = 2;

    /// <summary>R3 allowance above the DPT, in voters, added to the percentage.</summary>
    public int VoterAllowance { get; set; } = 10;

    /// <summary>The legal maximum of voters per domestic station, used by R3 where the DPT is unknown.</summary>
    public int MaxVotersPerStation { get; set; } = 300;

    /// <summary>
    /// R4: the most ballots a station abroad may report, by kind. Abroad the DPT per station is
    /// not known and stations are larger than at home; the defaults are about one and a half
    /// times the largest of 2019 (polling station 2,163 ballots, postal 3,214, mobile box 959).
    /// </summary>
    public OverseasBallotLimits OverseasMaxBallots { get; set; } = new();
}

public sealed class OverseasBallotLimits
{
    public int PollingStation { get; set; } = 3_000;
    public int Postal { get; set; } = 5_000;
    public int MobileBox { get; set; } = 1_500;

    public int For(StationKind kind) => kind switch
    {
        StationKind.Postal => Postal,
        StationKind.MobileBox => MobileBox,
        _ => PollingStation,
    };
}

/// <summary>
/// The arithmetic rules of a C1 form. Each has a stable code, returned in receipts and shown
/// to viewers. They catch the typing errors of 2024 (72 typed as 172, a stray leading digit,
/// the valid total typed into a candidate's box): each breaks R1 or R3.
/// </summary>
public static class FormRules
{
    /// <summary>Flat and DPD ballots: the sum of the choices' votes = valid votes. Fails: quarantined.</summary>
    public const string VotesAddUp = "R1";
    /// <summary>Valid + invalid = ballots used. Fails: counted, flagged.</summary>
    public const string BallotsAddUp = "R2";
    /// <summary>At home: ballots used (the larger of total and valid + invalid) within the registered voters plus allowance. Fails: quarantined.</summary>
    public const string WithinRegisteredVoters = "R3";
    /// <summary>Abroad: ballots used within the bound for the kind of station (<see cref="RulesOptions.OverseasMaxBallots"/>). Fails: quarantined.</summary>
    public const string WithinOverseasBound = "R4";
    /// <summary>Party lists: the parties' totals (each party's own votes plus its candidates') sum to the valid votes. Fails: quarantined.</summary>
    public const string PartyTotalsAddUp = "P1";

    /// <summary>A rule in words, for receipts, screens and the review queue.</summary>
    public static string Describe(string code) => code switch
    {
        VotesAddUp => "the choices' votes do not add up to the valid votes",
        BallotsAddUp => "valid plus invalid votes do not equal the ballots used",
        WithinRegisteredVoters => "more ballots than the station's registered voters allow",
        WithinOverseasBound => "more ballots than a station abroad of this kind can have",
        PartyTotalsAddUp => "the parties' totals do not add up to the valid votes",
        _ => code,
    };

    /// <summary>The codes that hold a form out of the totals.</summary>
    private static readonly string[] Quarantining = [VotesAddUp, WithinRegisteredVoters, WithinOverseasBound, PartyTotalsAddUp];

    /// <summary>Each of <paramref name="codes"/> with its words, as receipts and the audit trail carry them next to the codes.</summary>
    public static IReadOnlyDictionary<string, string> Describe(IEnumerable<string> codes)
    {
        var described = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var code in codes) described[code] = Describe(code);
        return described;
    }

    /// <summary>Whether a failed rule holds the form out of the totals (R2 only flags it).</summary>
    public static bool Quarantines(string code) => Quarantining.Contains(code);

    public static (FormStatus Status, IReadOnlyList<string> Problems) Check(SubmittedForm form, Election election, RulesOptions rules)
    {
        var problems = new List<string>(3);
        var numbers = form.Numbers;
        long sum = 0;
        foreach (var votes in numbers.Votes) sum += votes;
        // On a party list every entry (a party's own votes, a candidate's) adds to a party's total,
        // so the parties' totals add up exactly when all the entries do.
        if (sum != numbers.Valid) problems.Add(form.Ballot.Parties.Count > 0 ? PartyTotalsAddUp : VotesAddUp);
        if ((long)numbers.Valid + numbers.Invalid != numbers.Total) problems.Add(BallotsAddUp);
        // Ballots are counted twice on the form (total, and valid + invalid); a typo in either must not exceed the voters.
        var ballots = Math.Max(numbers.Total, (long)numbers.Valid + numbers.Invalid);
        var (limit, code) = VoterLimit(form.StationIndex, election, rules);
        if (ballots > limit) problems.Add(code);

        var quarantined = problems.Any(Quarantines);
        return (quarantined ? FormStatus.Quarantined : FormStatus.Counted, problems);
    }

    /// <summary>The most ballots a station may report, and the rule that says so (R3 at home, R4 abroad).</summary>
    public static (long Limit, string Rule) VoterLimit(int station, Election election, RulesOptions rules)
    {
        if (election.IsOverseas(election.Stations.Village[station]))
            return (rules.OverseasMaxBallots.For(election.Stations.Kind[station]), WithinOverseasBound);
        var registered = election.Stations.RegisteredVoters[station];
        var voters = registered >= 0 ? registered : rules.MaxVotersPerStation;
        return (voters + (long)Math.Ceiling(voters * rules.VoterAllowancePercent / 100) + rules.VoterAllowance, WithinRegisteredVoters);
    }
}
