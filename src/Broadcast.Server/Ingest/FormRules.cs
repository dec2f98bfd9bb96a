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
}

/// <summary>
/// The arithmetic rules of a C1 form. Each has a stable code, returned in receipts and shown
/// to viewers. They catch the typing errors of 2024 (72 typed as 172, a stray leading digit,
/// the valid total typed into a candidate's box): each breaks R1 or R3.
/// </summary>
public static class FormRules
{
    /// <summary>Sum of the choices' votes = valid votes. Fails: quarantined.</summary>
    public const string VotesAddUp = "R1";
    /// <summary>Valid + invalid = ballots used. Fails: counted, flagged.</summary>
    public const string BallotsAddUp = "R2";
    /// <summary>Ballots used (the larger of total and valid + invalid) within the registered voters plus allowance. Fails: quarantined.</summary>
    public const string WithinRegisteredVoters = "R3";

    public static (FormStatus Status, IReadOnlyList<string> Problems) Check(SubmittedForm form, Election election, RulesOptions rules)
    {
        var problems = new List<string>(3);
        var numbers = form.Numbers;
        long sum = 0;
        foreach (var votes in numbers.Votes) sum += votes;
        if (sum != numbers.Valid) problems.Add(VotesAddUp);
        if ((long)numbers.Valid + numbers.Invalid != numbers.Total) problems.Add(BallotsAddUp);
        // Ballots are counted twice on the form (total, and valid + invalid); a typo in either must not exceed the voters.
        var ballots = Math.Max(numbers.Total, (long)numbers.Valid + numbers.Invalid);
        if (VoterLimit(form.StationIndex, election, rules) is { } limit && ballots > limit) problems.Add(WithinRegisteredVoters);

        var quarantined = problems.Contains(VotesAddUp) || problems.Contains(WithinRegisteredVoters);
        return (quarantined ? FormStatus.Quarantined : FormStatus.Counted, problems);
    }

    /// <summary>The most ballots a station may report, or null where no limit can be known.</summary>
    public static long? VoterLimit(int station, Election election, RulesOptions rules)
    {
        var registered = election.Stations.RegisteredVoters[station];
        if (registered >= 0)
            return registered + (long)Math.Ceiling(registered * rules.VoterAllowancePercent / 100) + rules.VoterAllowance;
        // Abroad the DPT per station is not in the data and stations are larger than at home
        // (346 of 2019's overseas polling stations counted more than 316 ballots; postal ones thousands).
        if (election.IsOverseas(election.Stations.Village[station])) return null;
        return rules.MaxVotersPerStation + (long)Math.Ceiling(rules.MaxVotersPerStation * rules.VoterAllowancePercent / 100) + rules.VoterAllowance;
    }
}
