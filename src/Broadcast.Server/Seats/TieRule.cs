namespace Broadcast.Seats;

// The tie rule of every projection in this folder.
//
//   Parties (Sainte-Laguë):  the larger quotient wins; equal quotients go to the party with
//                            more votes in the dapil; then to the smaller ballot number.
//   Candidates (party list,  more votes win; equal votes go to the smaller number (list
//   DPD):                    number within a party, ballot number for DPD).
//
// Indonesian law settles such ties differently (by the spread of the votes across the dapil,
// or by lot), which the count in progress cannot give. A projection must show the same seats
// for the same numbers on every node and after every run, so this deterministic rule is ours.
// Numbers are distinct within a ballot, so no tie survives the last step. The "votes needed"
// figures in this folder are computed against this same rule, equality cases included.

/// <summary>The deterministic order of equal claims (see the comment block above).</summary>
internal static class TieRule
{
    /// <summary>Whether a party's claim beats another's: quotient, then votes in the dapil, then the smaller ballot number.</summary>
    public static bool Outranks(Quotient claim, long votes, int ballotNumber, Quotient otherClaim, long otherVotes, int otherBallotNumber)
    {
        var byQuotient = claim.CompareTo(otherClaim);
        if (byQuotient != 0) return byQuotient > 0;
        return Outranks(votes, ballotNumber, otherVotes, otherBallotNumber);
    }

    /// <summary>Whether a candidate (or a party at an equal quotient) beats another: more votes, then the smaller number.</summary>
    public static bool Outranks(long votes, int number, long otherVotes, int otherNumber) =>
        votes != otherVotes ? votes > otherVotes : number < otherNumber;

    /// <summary>Throws unless every number appears once (the rule needs them distinct to be total); lists are short, so pairwise is cheap.</summary>
    public static void RequireDistinct(ReadOnlySpan<int> numbers, string parameterName)
    {
        for (var i = 1; i < numbers.Length; i++)
            for (var j = 0; j < i; j++)
                if (numbers[i] == numbers[j])
                    throw new ArgumentException($"Number {numbers[i]} appears twice (positions {j} and {i}); ties are settled by number, so numbers must be distinct.", parameterName);
    }
}
