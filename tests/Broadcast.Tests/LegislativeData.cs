namespace Broadcast.Tests;

/// <summary>One DPR dapil of 2024: its seats, and per party slot (file order) the ballot number, votes and official seats.</summary>
public sealed record DprDapil(string Code, int Seats, int[] PartyNumbers, long[] Votes, int[] OfficialSeats)
{
    public int Slot(int partyNumber) => Array.IndexOf(PartyNumbers, partyNumber);
}

/// <summary>
/// The official 2024 DPR votes and seats in ../shared/data/pemilu2024-legislative (CI clones the
/// repository beside shared/, so it is found by walking up from the test binaries).
/// </summary>
public static class LegislativeData
{
    private static readonly Lazy<string> FolderPath = new(Find);
    private static readonly Lazy<IReadOnlyList<DprDapil>> Dapils = new(ReadDprDapils);

    public static string Folder => FolderPath.Value;
    public static IReadOnlyList<DprDapil> Dpr2024 => Dapils.Value;

    private static string Find()
    {
        var relative = Path.Combine("shared", "data", "pemilu2024-legislative");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"{relative} was not found in any folder above {AppContext.BaseDirectory}; the seat tests need it (clone the repository beside shared/).");
    }

    private static IReadOnlyList<DprDapil> ReadDprDapils()
    {
        var seats = Rows("dapil.csv").Where(r => r["contest"] == "dpr").ToDictionary(r => r["dapil_code"], r => int.Parse(r["seats"]));
        var official = Rows("dpr2024_seats_official.csv").ToDictionary(r => (r["dapil_code"], int.Parse(r["party_no"])), r => int.Parse(r["seats"]));
        return Rows("dpr2024_dapil_votes.csv")
            .GroupBy(r => r["dapil_code"])
            .Select(g => new DprDapil(g.Key, seats[g.Key],
                g.Select(r => int.Parse(r["party_no"])).ToArray(),
                g.Select(r => long.Parse(r["votes"])).ToArray(),
                g.Select(r => official.GetValueOrDefault((g.Key, int.Parse(r["party_no"])))).ToArray()))
            .ToList();
    }

    private static IEnumerable<Dictionary<string, string>> Rows(string file)
    {
        using var reader = new StreamReader(Path.Combine(Folder, file));
        var header = reader.ReadLine()!.Split(',');
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var fields = line.Split(',');
            yield return header.Zip(fields).ToDictionary(p => p.First, p => p.Second);
        }
    }
}
