namespace Broadcast.Push;

/// <summary>Every hub group name is made here, so that all nodes and the history agree on them.</summary>
public static class GroupNames
{
    public static string Results(string contest, string region) => $"results:{contest}:{region}";
}
