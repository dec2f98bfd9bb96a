namespace Broadcast.Elections;

public enum GroupKind : byte { Region, Dapil, Parliament }

/// <summary>
/// What viewers subscribe to and the read API serves: the totals of a region, of a dapil, or a
/// parliament's seat picture, in one contest. <see cref="Index"/> is the region, dapil or
/// parliament index within the contest. Its public name (<see cref="GroupIds"/>) is the region
/// id (<c>"0"</c>, <c>"6405"</c>), <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.
/// </summary>
public readonly record struct ResultsGroup(Contest Contest, GroupKind Kind, int Index)
{
    public static ResultsGroup Region(Contest contest, int region) => new(contest, GroupKind.Region, region);

    public Dapil Dapil => Contest.Dapils[Index];
    public Parliament Parliament => Contest.Parliaments[Index];
}

/// <summary>The prefixes that tell a dapil or a parliament from a region in a group's public id.</summary>
public static class GroupIds
{
    public const string Dapil = "dapil:";
    public const string Parliament = "parliament:";
}
