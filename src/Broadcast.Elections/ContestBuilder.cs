namespace Broadcast.Elections;

/// <summary>Builds contests from the manifest and, for the legislative ones, from <see cref="LegislativeData"/>.</summary>
internal static class ContestBuilder
{
    /// <summary>PPWP: one ballot of choices, voted on everywhere; every region carries the choices.</summary>
    public static Contest Flat(int index, ContestManifest manifest, RegionTree regions, StationTable stations)
    {
        var choices = manifest.Choices!.Select(c => new Choice(c.Id, c.Name)).ToArray();
        var villageBallot = new int[regions.Count];
        for (var r = 0; r < regions.Count; r++) villageBallot[r] = regions.Level[r] == RegionLevel.Village ? 0 : -1;
        return new Contest(index, manifest.Id, manifest.Name, BallotKind.Flat, manifest.ThresholdPercent, [choices],
            [Ballot.OfChoices(0, null, choices, 0)], [], [], new int[regions.Count], villageBallot, regions.StationCount);
    }

    /// <summary>A party-list contest (DPR, DPRD) or DPD: a ballot per dapil, villages mapped to their dapil.</summary>
    public static Contest Lists(int index, ContestManifest manifest, RegionTree regions, StationTable stations, LegislativeData data)
    {
        var rows = data.Dapils.Where(d => d.Contest == manifest.Id).ToList();
        if (rows.Count == 0) throw new InvalidDataException($"contest '{manifest.Id}' has no dapils in dapils.csv");
        var dapils = rows.Select((row, i) => new Dapil(i, row.Code, row.Name, row.Seats,
            manifest.Ballot == BallotKind.CandidateList ? [row.Region] : data.Members(manifest.Id, row.Code))).ToList();

        var villageDapil = manifest.Ballot == BallotKind.CandidateList
            ? VillagesByProvince(regions, dapils)
            : VillagesByMembership(manifest.Id, regions, dapils);

        List<IReadOnlyList<Choice>> columnSets;
        var regionColumnSet = new int[regions.Count];
        if (manifest.Ballot == BallotKind.PartyList)
        {
            // One column per party that has a list anywhere in this contest, by ballot number.
            var parties = data.Parties.Where(p => data.HasLists(manifest.Id, p)).ToList();
            var column = parties.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i);
            columnSets = [parties.Select(p => new Choice(p.Id, p.ShortName)).ToArray()];
            foreach (var dapil in dapils)
                dapil.Ballot = Ballot.OfParties(dapil.Index, dapil, data.Lists(manifest.Id, dapil.Code), p => column[p]);
        }
        else
        {
            // DPD: each province's candidates are the columns of every region inside it.
            columnSets = [];
            foreach (var dapil in dapils)
            {
                var choices = data.Lists(manifest.Id, dapil.Code).Single().Candidates
                    .Select(c => new Choice(c.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Name)).ToArray();
                dapil.Ballot = Ballot.OfChoices(dapil.Index, dapil, choices, columnSets.Count);
                columnSets.Add(choices);
            }
        }

        // Stations per region and per dapil that vote on this contest.
        var stationCount = new int[regions.Count];
        var dapilStations = new int[dapils.Count];
        for (var s = 0; s < stations.Count; s++)
        {
            var village = stations.Village[s];
            if (villageDapil[village] is var d and >= 0)
            {
                dapilStations[d]++;
                for (var r = village; r >= 0; r = regions.Parent[r]) stationCount[r]++;
            }
        }
        foreach (var dapil in dapils) dapil.StationCount = dapilStations[dapil.Index];

        for (var r = 0; r < regions.Count; r++)
            regionColumnSet[r] = stationCount[r] == 0 ? -1 : manifest.Ballot == BallotKind.PartyList ? 0 : ProvinceColumnSet(r);
        int ProvinceColumnSet(int region)
        {
            // A region inside a province takes the province's candidates; the nation has none.
            for (var r = region; r > 0; r = regions.Parent[r])
                if (regions.Level[r] == RegionLevel.Province) return dapils.FindIndex(d => d.Members[0] == r);
            return -1;
        }

        var parliaments = Parliaments(manifest, regions, dapils,
            d => manifest.Ballot == BallotKind.CandidateList ? RegionTree.National : rows[d.Index].Region);
        var villageBallot = villageDapil; // ballot index = dapil index
        return new Contest(index, manifest.Id, manifest.Name, manifest.Ballot, manifest.ThresholdPercent, columnSets,
            dapils.Select(d => d.Ballot).ToArray(), dapils, parliaments, regionColumnSet, villageBallot, stationCount);
    }

    /// <summary>
    /// A village's dapil: the one whose member regions include the village or one of its
    /// ancestors (the data's split districts are listed village by village). Exactly one must
    /// match; none means the contest is not voted on there.
    /// </summary>
    private static int[] VillagesByMembership(string contest, RegionTree regions, List<Dapil> dapils)
    {
        var memberOf = new Dictionary<int, int>();
        foreach (var dapil in dapils)
            foreach (var member in dapil.Members)
                if (!memberOf.TryAdd(member, dapil.Index))
                    throw new InvalidDataException($"{contest}: region {regions.Id[member]} is in two dapils");
        var villageDapil = new int[regions.Count];
        for (var v = 0; v < regions.Count; v++)
        {
            villageDapil[v] = -1;
            if (regions.Level[v] != RegionLevel.Village) continue;
            for (var r = v; r > 0; r = regions.Parent[r])
            {
                if (!memberOf.TryGetValue(r, out var dapil)) continue;
                if (villageDapil[v] >= 0) throw new InvalidDataException($"{contest}: village {regions.Id[v]} lies in two dapils");
                villageDapil[v] = dapil;
            }
        }
        return villageDapil;
    }

    /// <summary>DPD: a village votes in its province's dapil.</summary>
    private static int[] VillagesByProvince(RegionTree regions, List<Dapil> dapils)
    {
        var byProvince = dapils.ToDictionary(d => d.Members[0], d => d.Index);
        var villageDapil = new int[regions.Count];
        for (var v = 0; v < regions.Count; v++)
        {
            villageDapil[v] = -1;
            if (regions.Level[v] != RegionLevel.Village) continue;
            for (var r = v; r > 0; r = regions.Parent[r])
                if (byProvince.TryGetValue(r, out var dapil)) villageDapil[v] = dapil;
        }
        return villageDapil;
    }

    /// <summary>Dapils grouped by the region whose parliament they elect, named by the manifest's template.</summary>
    private static List<Parliament> Parliaments(ContestManifest manifest, RegionTree regions, List<Dapil> dapils,
        Func<Dapil, int> governs)
    {
        var template = manifest.Parliament ?? manifest.Name;
        return dapils.GroupBy(governs)
            .Select((group, i) =>
            {
                var parliament = new Parliament(i, group.Key, regions.Id[group.Key],
                    template.Replace("{region}", RegionNames.Display(regions, group.Key), StringComparison.Ordinal), group.ToList());
                foreach (var dapil in group) dapil.Parliament = parliament;
                return parliament;
            })
            .ToList();
    }
}
