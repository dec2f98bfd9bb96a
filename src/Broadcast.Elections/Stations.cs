namespace Broadcast.Elections;

/// <summary>Polling stations (TPS) as parallel arrays, sorted by village then number.</summary>
public sealed class StationTable
{
    internal StationTable(StationIdFormat format, int[] village, int[] number, int[] registeredVoters, StationKind[] kind)
    {
        Format = format; Village = village; Number = number; RegisteredVoters = registeredVoters; Kind = kind;
    }

    public int Count => Village.Length;
    public StationIdFormat Format { get; }
    public int[] Village { get; }
    public int[] Number { get; }
    /// <summary>Registered voters (DPT); -1 where the data does not say.</summary>
    public int[] RegisteredVoters { get; }
    public StationKind[] Kind { get; }
}

/// <summary>
/// How a station takes votes. At home every station is a polling station (TPS). Abroad there are
/// three kinds, of very different sizes (2019's largest: TPS 2,163 ballots, postal 3,214, mobile
/// box 959), so their plausibility bounds differ (rule R4).
/// </summary>
public enum StationKind : byte
{
    /// <summary>TPS (TPSLN abroad): voters come to the station.</summary>
    PollingStation,
    /// <summary>POS: votes sent by post to a mission abroad.</summary>
    Postal,
    /// <summary>KSK (kotak suara keliling): a ballot box taken to voters abroad.</summary>
    MobileBox,
}

/// <summary>
/// How a station's public id is made from its village id and number:
/// 2019 <c>25830.2</c> (<see cref="Dotted"/>), 2024 the 13-digit code <c>1101012001001</c> (<see cref="Fixed3"/>).
/// </summary>
public enum StationIdFormat { Dotted, Fixed3 }

public static class StationIdFormats
{
    public static string Format(this StationIdFormat format, string villageId, int number) =>
        format == StationIdFormat.Dotted ? $"{villageId}.{number}" : $"{villageId}{number:D3}";

    public static bool TryParse(this StationIdFormat format, string id, out string villageId, out int number)
    {
        villageId = "";
        number = 0;
        if (format == StationIdFormat.Dotted)
        {
            var dot = id.LastIndexOf('.');
            if (dot <= 0 || !int.TryParse(id.AsSpan(dot + 1), System.Globalization.NumberStyles.None, null, out number))
                return false;
            villageId = id[..dot];
            return true;
        }
        if (id.Length != 13 || !int.TryParse(id.AsSpan(10), System.Globalization.NumberStyles.None, null, out number))
            return false;
        villageId = id[..10];
        return true;
    }
}
