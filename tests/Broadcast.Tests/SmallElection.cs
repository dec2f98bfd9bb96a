using System.IO.Compression;
using System.Text;
using Broadcast.Elections;

namespace Broadcast.Tests;

/// <summary>
/// A miniature 2024 election with all five contests, written as a data folder and loaded by
/// the real <see cref="ElectionLoader"/>, so unit tests need not load 822k stations:
/// <list type="bullet">
/// <item>ACEH (11): regencies 1101 (districts 110101, 110102) and 1171 (117101); Aceh's local party 18 is on its DPRD kab/kota ballots.</item>
/// <item>KALIMANTAN TIMUR (64): BERAU 6405 (640501, 640502) and KOTA BALIKPAPAN 6471 (647101).</item>
/// <item>LUAR NEGERI (99): one post abroad with a polling station (001), a postal one (002) and a mobile box (003), voting in DPR dapil 6401.</item>
/// </list>
/// Two villages per district except 110102 and 640502 (one), two stations per village with 300 registered voters.
/// Parties 1 PKB, 2 GERINDRA, 3 PDIP on every party list with as many candidates as seats; 18 PNA in Aceh's DPRK.
/// </summary>
public static class SmallElection
{
    private static readonly Lazy<Election> Loaded = new(() =>
    {
        var folder = Write();
        try { return ElectionLoader.Load(folder); }
        finally { Directory.Delete(folder, recursive: true); } // the loader reads everything at once
    });

    public static Election Election => Loaded.Value;

    public static readonly string[] Villages =
    [
        "1101012001", "1101012002", "1101022001", "1171012001", "1171012002",
        "6405012001", "6405012002", "6405022001", "6471012001", "6471012002",
    ];

    /// <summary>A domestic station's id: its village's code and number.</summary>
    public static string Station(string village, int number = 1) => $"{village}{number:D3}";

    public const string AbroadPolling = "9901010001001", AbroadPostal = "9901010001002", AbroadMobileBox = "9901010001003";

    private static string Write()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"broadcast-small-election-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "election.json"), """
            {
              "id": "kecil2024", "name": "Pemilu kecil", "stationIdFormat": "fixed3", "overseasRegion": "99",
              "contests": [
                { "id": "ppwp", "name": "Presiden", "choices": [ { "id": "01", "name": "Pair one" }, { "id": "02", "name": "Pair two" } ] },
                { "id": "dpr", "name": "DPR", "ballot": "partyList", "thresholdPercent": 4, "parliament": "DPR RI" },
                { "id": "dpd", "name": "DPD", "ballot": "candidateList", "parliament": "DPD RI" },
                { "id": "dprd_prov", "name": "DPRD Provinsi", "ballot": "partyList", "parliament": "DPRD Provinsi {region}" },
                { "id": "dprd_kab", "name": "DPRD Kabupaten/Kota", "ballot": "partyList", "parliament": "DPRD {region}" }
              ]
            }
            """);
        var regions = new List<string> { "0,,national,Indonesia", "11,0,province,ACEH", "64,0,province,KALIMANTAN TIMUR", "99,0,province,LUAR NEGERI" };
        regions.AddRange(["1101,11,regency,ACEH SELATAN", "1171,11,regency,KOTA BANDA ACEH", "6405,64,regency,BERAU",
            "6471,64,regency,KOTA BALIKPAPAN", "9901,99,regency,KUALA LUMPUR"]);
        regions.AddRange(["110101,1101,district,SATU", "110102,1101,district,DUA", "117101,1171,district,KOTA",
            "640501,6405,district,TANJUNG REDEB", "640502,6405,district,SAMBALIUNG", "647101,6471,district,BALIKPAPAN SELATAN",
            "990101,9901,district,KBRI"]);
        regions.AddRange(Villages.Select(v => $"{v},{v[..6]},village,DESA {v[^4..]}"));
        regions.Add("9901010001,990101,village,KBRI KUALA LUMPUR");
        WriteGz(folder, "regions.csv.gz", "id,parent_id,level,name", regions);
        var stations = Villages.SelectMany(v => new[] { $"{v},1,300,", $"{v},2,300," }).ToList();
        stations.AddRange(["9901010001,1,,", "9901010001,2,,pos", "9901010001,3,,ksk"]);
        WriteGz(folder, "stations.csv.gz", "village_id,tps_no,dpt,kind", stations);

        File.WriteAllText(Path.Combine(folder, "parties.csv"), """
            number,short_name,name,aceh_only,colour
            1,PKB,Partai Kebangkitan Bangsa,0,#00a651
            2,GERINDRA,Partai Gerakan Indonesia Raya,0,#8b1a1a
            3,PDIP,Partai Demokrasi Indonesia Perjuangan,0,#e31e24
            18,PNA,Partai Nanggroe Aceh,1,#f7941d
            """);
        (string Contest, string Code, string Name, int Seats, string Region, string[] Members)[] dapils =
        [
            ("dpr", "1101", "ACEH I", 3, "0", ["11"]),
            ("dpr", "6401", "KALIMANTAN TIMUR", 4, "0", ["64", "99"]),
            ("dpd", "11", "Aceh", 4, "11", []),
            ("dpd", "64", "Kalimantan Timur", 4, "64", []),
            ("dprd_prov", "110001", "ACEH 1", 3, "11", ["1101"]),
            ("dprd_prov", "110002", "ACEH 2", 2, "11", ["1171"]),
            ("dprd_prov", "640001", "KALIMANTAN TIMUR 1", 3, "64", ["6405"]),
            ("dprd_prov", "640002", "KALIMANTAN TIMUR 2", 2, "64", ["6471"]),
            ("dprd_kab", "110101", "ACEH SELATAN 1", 2, "1101", ["110101"]),
            ("dprd_kab", "110102", "ACEH SELATAN 2", 2, "1101", ["110102"]),
            ("dprd_kab", "117101", "BANDA ACEH 1", 2, "1171", ["117101"]),
            ("dprd_kab", "640501", "BERAU 1", 3, "6405", ["6405012001", "6405012002"]),
            ("dprd_kab", "640502", "BERAU 2", 2, "6405", ["640502"]),
            ("dprd_kab", "647101", "BALIKPAPAN 1", 3, "6471", ["647101"]),
        ];
        File.WriteAllLines(Path.Combine(folder, "dapils.csv"),
            ["contest,code,name,seats,region", .. dapils.Select(d => $"{d.Contest},{d.Code},{d.Name},{d.Seats},{d.Region}")]);
        File.WriteAllLines(Path.Combine(folder, "dapil_regions.csv"),
            ["contest,dapil,region", .. dapils.SelectMany(d => d.Members.Select(m => $"{d.Contest},{d.Code},{m}"))]);
        var candidates = new List<string>();
        foreach (var d in dapils)
        {
            if (d.Contest == "dpd")
            {
                for (var n = 1; n <= (d.Code == "11" ? 5 : 6); n++) candidates.Add($"dpd,{d.Code},,{n},CALON DPD {d.Code}-{n},L");
                continue;
            }
            int[] parties = d.Contest == "dprd_kab" && d.Code.StartsWith("11", StringComparison.Ordinal) ? [1, 2, 3, 18] : [1, 2, 3];
            foreach (var party in parties)
                for (var n = 1; n <= (party == 18 ? 2 : d.Seats); n++)
                    candidates.Add($"{d.Contest},{d.Code},{party},{n},\"CALON {party}-{n}, S.H.\",{(n % 2 == 0 ? 'P' : 'L')}");
        }
        WriteGz(folder, "candidates.csv.gz", "contest,dapil,party,number,name,gender", candidates);
        return folder;
    }

    private static void WriteGz(string folder, string name, string header, IEnumerable<string> lines)
    {
        using var file = new GZipStream(File.Create(Path.Combine(folder, name)), CompressionLevel.Fastest);
        file.Write(Encoding.UTF8.GetBytes(string.Join('\n', [header, .. lines]) + "\n"));
    }
}
