#!/usr/bin/env python3
"""Builds the compact election files the server loads at start-up (data/<election>/).

Source: ../shared/data (see its README). Run from the repository root:
    python3 scripts/compact-election-data.py ../shared/data
Output per election: regions.csv.gz (id,parent_id,level,name) and stations.csv.gz
(village_id,tps_no,dpt,kind; kind is empty for a polling station, pos or ksk for the postal
stations and mobile ballot boxes abroad). Only what the server needs; the votes stay in shared/ for replay.
2024 also gets the legislative contests (parties.csv, dapils.csv, dapil_regions.csv,
candidates.csv.gz), checked against the compact tree; a failed check stops the script.
"""
import csv, gzip, io, itertools, math, sys
from collections import Counter, defaultdict
from pathlib import Path

LEVELS = {"nasional": "national", "provinsi": "province", "kabkota": "regency",
          "kecamatan": "district", "kelurahan": "village"}
# The national region's name, as every screen and feed shows it (the 2019 source says "IDN").
NATIONAL_NAME = "Indonesia"

def write_gz(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    # mtime=0 keeps the output byte-identical between runs.
    with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))

def pilpres2019(src, dst):
    regions = list(csv.DictReader(gzip.open(src / "regions.csv.gz", "rt", encoding="utf-8")))
    write_gz(dst / "regions.csv.gz", ["id", "parent_id", "level", "name"],
             [[r["id"], r["parent_id"], LEVELS[r["level"]], NATIONAL_NAME if r["level"] == "nasional" else r["name"]]
              for r in regions])
    stations = []
    for r in csv.DictReader(gzip.open(src / "tps.csv.gz", "rt", encoding="utf-8")):
        dpt = "" if r["dpt_l"] == "" else str(int(r["dpt_l"]) + int(r["dpt_p"] or 0))
        # Abroad, KPU numbered postal stations from 1001 and mobile boxes from 2001.
        number = int(r["tps_no"])
        kind = "" if not r["desa_id"].startswith("-") or number < 1000 else "pos" if number < 2000 else "ksk"
        stations.append([r["desa_id"], r["tps_no"], dpt, kind])
    write_gz(dst / "stations.csv.gz", ["village_id", "tps_no", "dpt", "kind"], stations)
    print(f"pilpres2019: {len(regions)} regions, {len(stations)} stations")

def pemilu2024(src, dst):
    regions = list(csv.DictReader(gzip.open(src / "regions.csv.gz", "rt", encoding="utf-8")))
    rows = [["0", "", "national", NATIONAL_NAME]]
    rows += [[r["kode"], r["parent_kode"] or "0", LEVELS[r["level"]], r["nama"]] for r in regions]
    write_gz(dst / "regions.csv.gz", ["id", "parent_id", "level", "name"], rows)
    dpt = {}
    with open(src / "tps_sample_dki.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["pemilih_dpt_j"]:
                dpt[r["tps_kode"]] = r["pemilih_dpt_j"]
    stations = []
    for r in csv.DictReader(gzip.open(src / "tps_list.csv.gz", "rt", encoding="utf-8")):
        code, village = r["tps_kode"], r["desa_kode"]
        assert len(code) == 13 and code.startswith(village) and len(village) == 10, code
        # Abroad the station's name says its kind: "TPS 001", "POS 001" (postal), "KSK 001" (mobile box).
        kind = {"POS": "pos", "KSK": "ksk"}.get(r["nama"].split(" ")[0], "") if village.startswith("99") else ""
        stations.append([village, str(int(code[10:])), dpt.get(code, ""), kind])
    write_gz(dst / "stations.csv.gz", ["village_id", "tps_no", "dpt", "kind"], stations)
    print(f"pemilu2024: {len(rows)} regions, {len(stations)} stations, {len(dpt)} with DPT")

def demo2019(src, dst):
    """demo-forms.csv.gz: the election night for demo mode, in arrival order.
    offset_s = seconds after the first photo upload; Situng numbers first, then the volunteer
    numbers as a correction where pair votes differ and all five are present."""
    rows, first = [], None
    for r in csv.DictReader(gzip.open(src / "tps.csv.gz", "rt", encoding="utf-8")):
        if r["kpu_pas1"] == "":
            continue
        ts = int(r["kp_first_photo_ts_ms"]) if r["kp_first_photo_ts_ms"] else None
        station = f'{r["desa_id"]}.{r["tps_no"]}'
        situng = [r["kpu_pas1"], r["kpu_pas2"], r["kpu_sah"], r["kpu_tsah"], r["kpu_jum"]]
        rows.append((ts, station, situng))
        kp = [r["kp_pas1"], r["kp_pas2"], r["kp_sah"], r["kp_tsah"], r["kp_jum"]]
        if all(kp) and (kp[0] != situng[0] or kp[1] != situng[1]):
            later = int(r["kp_ts_ms"]) if r["kp_ts_ms"] else None
            rows.append((max(later or 0, ts or 0) or None, station, kp))
    first = min(t for t, _, _ in rows if t is not None)
    last = max(t for t, _, _ in rows if t is not None)
    rows.sort(key=lambda x: x[0] if x[0] is not None else last)
    write_gz(dst / "demo-forms.csv.gz", ["offset_s", "station", "v01", "v02", "valid", "invalid", "total"],
             [[((t if t is not None else last) - first) // 1000, s, *n] for t, s, n in rows])
    print(f"demo: {len(rows)} forms")

# ---------------------------------------------------------------------------------------------
# 2024 legislative contests: DPR, DPD, DPRD provinsi, DPRD kabupaten/kota (see data/README.md).

CONTESTS = ["dpr", "dpd", "dprd_prov", "dprd_kab"]
SEATS_TOTAL = {"dpr": 580, "dpd": 152, "dprd_prov": 2372, "dprd_kab": 17510}
DPD_SEATS = 4
OVERSEAS, NO_DPRD_KAB = "99", "31"   # overseas votes DPR (DKI Jakarta II) only; DKI Jakarta has no DPRD kab/kota

# The source's 2024 names mix cases; only these are changed (party no: source, shown).
PARTY_NAME_FIXES = {
    5: ("Partai Nasdem", "Partai NasDem"),
    8: ("PARTAI KEADILAN SEJAHTERA", "Partai Keadilan Sejahtera"),
    16: ("PARTAI PERINDO", "Partai Perindo"),
    19: ("Partai Generasi Atjeh Beusaboh Tha'at Dan Taqwa", "Partai Generasi Atjeh Beusaboh Tha'at dan Taqwa"),
    23: ("PARTAI SIRA (SOLIDITAS INDEPENDEN RAKYAT ACEH)", "Partai SIRA (Soliditas Independen Rakyat Aceh)"),
}

# Broadcast's own choice (no source gives party colours): each party's identity colour, shifted
# where two would look alike; checked below on white and on the screens' dark backgrounds.
PARTY_COLOURS = {
    1: "#00b156", 2: "#9d1a2c", 3: "#ed0236", 4: "#d4b60a", 5: "#3557a9", 6: "#ce7005",
    7: "#04a3b2", 8: "#ff5d2e", 9: "#cc2368", 10: "#ffa20b", 11: "#ff8886", 12: "#4dbcfa",
    13: "#1d6b35", 14: "#107fda", 15: "#e470a5", 16: "#7439cc", 17: "#8bc527", 18: "#8c6b31",
    19: "#4f7b71", 20: "#3dc0a8", 21: "#76475e", 22: "#8f8e07", 23: "#9d71db", 24: "#8b8a99",
}
COLOUR_BACKGROUNDS = ["#ffffff", "#0f1720", "#17222e", "#0d1b2a"]  # white; monitor, panel, ticker
MIN_CONTRAST, MIN_DELTA_E = 2.0, 15.0

# Four DPRD kab/kota villages are newer than KPU's lists of split districts and in none of
# them. A village carved out of a listed village takes that village's dapil; any other takes
# the dapil of the listed village of its district nearest by village number (the last three
# digits), which must be unambiguous. The evidence is in data/README.md.
VILLAGE_FALLBACK = {
    "6112012021": "6112012006",  # Sukulanting, carved out of Sungai Asam
    "6112012022": "6112012006",  # Permata Jaya, carved out of Sungai Asam
    "9103013007": None,          # Desa Adat Yoboi (presumably Keheran of 2019), serial 007
    "9103013010": None,          # Desa Adat Heaiseai Yomo Heai (presumably Ifar Besar of 2019), serial 010
}


class CheckFailed(Exception):
    pass


def check(ok, message):
    if not ok:
        raise CheckFailed(message)


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def title(name):
    """KPU's upper-case names in title case: 'DKI' and Roman numerals stay, 'KEP.' is spelt out,
    a name spelt with spaced letters ('P A P U A') is joined."""
    words = name.split()
    if len(words) > 1 and all(len(w) == 1 for w in words):
        words = ["".join(words)]
    out = []
    for w in words:
        if w == "KEP.":
            w = "KEPULAUAN"
        if w == "DKI" or set(w) <= set("IVX"):
            out.append(w)
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


# Colour checks: WCAG contrast ratio and CIEDE2000 (Sharma, Wu and Dalal 2005).
def _lin(c):
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(h):
    return [_lin(int(h[i:i + 2], 16)) for i in (1, 3, 5)]


def luminance(h):
    r, g, b = _rgb(h)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def lab(h):
    r, g, b = _rgb(h)
    xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883]
    fx, fy, fz = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz]
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e2000(c1, c2):
    (l1, a1, b1), (l2, a2, b2) = lab(c1), lab(c2)
    cb = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cb ** 7 / (cb ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0 if c1p * c2p == 0 else (h2 - h1 + 180) % 360 - 180
    dl, dc, dhh = l2 - l1, c2p - c1p, 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lm, cm = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hm = h1 + h2
    elif abs(h1 - h2) <= 180:
        hm = (h1 + h2) / 2
    else:
        hm = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hm - 30)) + 0.24 * math.cos(math.radians(2 * hm))
         + 0.32 * math.cos(math.radians(3 * hm + 6)) - 0.20 * math.cos(math.radians(4 * hm - 63)))
    sl = 1 + 0.015 * (lm - 50) ** 2 / math.sqrt(20 + (lm - 50) ** 2)
    sc, sh = 1 + 0.045 * cm, 1 + 0.015 * cm * t
    rt = (-math.sin(math.radians(60 * math.exp(-((hm - 275) / 25) ** 2)))
          * 2 * math.sqrt(cm ** 7 / (cm ** 7 + 25 ** 7)))
    return math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh))


def legislative2024(src, dst):
    # The compact tree written above: id -> (parent, level, name); stations per village.
    tree = {r["id"]: r for r in csv.DictReader(gzip.open(dst / "regions.csv.gz", "rt", encoding="utf-8"))}
    stations = Counter(r["village_id"] for r in csv.DictReader(gzip.open(dst / "stations.csv.gz", "rt", encoding="utf-8")))
    villages = sorted(i for i, r in tree.items() if r["level"] == "village")
    check(all(v in tree for v in stations), "a station's village is not in the tree")

    def ancestors(v):  # village, district, regency, province
        out = []
        while v != "0":
            out.append(v)
            v = tree[v]["parent_id"]
        return out

    chain = {v: ancestors(v) for v in villages}
    check(all(len(c) == 4 for c in chain.values()), "a village is not at depth 4")
    province = {v: c[-1] for v, c in chain.items()}

    # parties.csv rows
    parties = {}
    for r in csv.DictReader(open(src / "parties.csv", encoding="utf-8")):
        if r["election"] != "2024":
            continue
        no, name = int(r["party_no"]), r["full_name"]
        if no in PARTY_NAME_FIXES:
            check(PARTY_NAME_FIXES[no][0] == name, f"party {no}: source name is now {name!r}")
            name = PARTY_NAME_FIXES[no][1]
        parties[no] = [str(no), r["short_name"], name, r["aceh_only"], PARTY_COLOURS[no]]
    check(sorted(parties) == list(range(1, 25)), "expected the 24 parties of 2024")
    check(sorted(n for n, p in parties.items() if p[3] == "1") == list(range(18, 24)), "Aceh parties are not 18-23")

    colours = [p[4] for p in parties.values()]
    check(len(set(colours)) == 24, "two parties share a colour")
    worst_contrast = min((contrast(c, bg), parties[n][1], bg) for n, c in PARTY_COLOURS.items() for bg in COLOUR_BACKGROUNDS)
    closest = min((delta_e2000(PARTY_COLOURS[a], PARTY_COLOURS[b]), parties[a][1], parties[b][1])
                  for a, b in itertools.combinations(sorted(PARTY_COLOURS), 2))
    check(worst_contrast[0] >= MIN_CONTRAST, f"colour of {worst_contrast[1]} has contrast {worst_contrast[0]:.2f} on {worst_contrast[2]}")
    check(closest[0] >= MIN_DELTA_E, f"colours of {closest[1]} and {closest[2]} are too close (dE2000 {closest[0]:.1f})")

    # dapils.csv rows
    dapils = {}   # (contest, code) -> [contest, code, name, seats, region]
    for r in csv.DictReader(open(src / "dapil.csv", encoding="utf-8")):
        c, code, kpu = r["contest"], r["dapil_code"], r["dapil_name"]
        if c == "dpr":
            region, name = "0", title(kpu)
        elif c == "dprd_prov":
            region, name = r["province_code"], title(kpu)
        else:
            region = r["regency_code"]
            check(region in tree and tree[region]["level"] == "regency", f"dapil {code}: no regency {region}")
            base = kpu[4:] if kpu.startswith("KAB ") else kpu
            is_city = tree[region]["name"].strip().startswith("KOTA ")
            check(is_city == base.startswith("KOTA "), f"dapil {code}: {kpu!r} vs regency {tree[region]['name']!r}")
            name = title(base) if is_city else "Kab. " + title(base)
        check(region in tree and code.startswith(region if region != "0" else ""), f"dapil {c} {code}: region {region}")
        dapils[(c, code)] = [c, code, name, r["seats"], region]
    for p, r in tree.items():
        if r["level"] == "province" and p != OVERSEAS:
            dapils[("dpd", p)] = ["dpd", p, title(r["name"].strip()), str(DPD_SEATS), p]
    order = {c: i for i, c in enumerate(CONTESTS)}
    dapil_rows = sorted(dapils.values(), key=lambda d: (order[d[0]], d[1]))
    for c in CONTESTS:
        names = [d[2] for d in dapil_rows if d[0] == c]
        check(len(names) == len(set(names)), f"{c}: two dapils share a name")

    # dapil_regions.csv rows: whole regions (is_split = 0) plus the fallback villages
    members = defaultdict(list)   # (contest, region) -> dapils
    split_parts = defaultdict(set)  # (contest, region) -> dapils sharing that split region
    for r in csv.DictReader(open(src / "dapil_regions.csv", encoding="utf-8")):
        c, d, reg = r["contest"], r["dapil_code"], r["region_code"]
        check((c, d) in dapils, f"dapil_regions: unknown dapil {c} {d}")
        check(reg in tree, f"dapil_regions: region {reg} not in the tree")
        if r["is_split"] == "1":
            split_parts[(c, reg)].add(d)
        else:
            members[(c, reg)].append(d)

    def ballot_dapils(c, v):
        return [d for a in chain[v] for d in members.get((c, a), [])]

    def has_ballot(c, v):
        p = province[v]
        return not (p == OVERSEAS and c != "dpr") and not (c == "dprd_kab" and p == NO_DPRD_KAB)

    uncovered = sorted(v for v in villages if has_ballot("dprd_kab", v) and not ballot_dapils("dprd_kab", v))
    check(uncovered == sorted(VILLAGE_FALLBACK),
          f"DPRD kab/kota villages without a dapil are now {uncovered}; update VILLAGE_FALLBACK")
    fallback_lines = []
    for v, parent in sorted(VILLAGE_FALLBACK.items()):
        district = chain[v][1]
        listed = {u: members[("dprd_kab", u)] for u in villages if chain[u][1] == district and members.get(("dprd_kab", u))}
        if parent:
            check(parent in listed and len(listed[parent]) == 1, f"fallback {v}: parent {parent} is not a listed village")
            d, how = listed[parent][0], f"carved out of {parent} {tree[parent]['name']}"
        else:
            gap = min(abs(int(u[-3:]) - int(v[-3:])) for u in listed)
            nearest = sorted(u for u in listed if abs(int(u[-3:]) - int(v[-3:])) == gap)
            found = {d for u in nearest for d in listed[u]}
            check(len(found) == 1, f"fallback {v}: nearest listed villages {nearest} are in {sorted(found)}")
            d, how = found.pop(), "nearest listed " + ", ".join(u + " " + tree[u]["name"] for u in nearest)
        parts = split_parts.get(("dprd_kab", district), set())
        check(d in parts, f"fallback {v} -> {d}: not one of the parts {sorted(parts)} of district {district}")
        members[("dprd_kab", v)].append(d)
        fallback_lines.append(f"{v} {tree[v]['name']} -> {d} {dapils[('dprd_kab', d)][2]}: {how} "
                              f"(district {district} {tree[district]['name'].strip()} is split into {', '.join(sorted(parts))})")
    region_rows = sorted(([c, d, reg] for (c, reg), ds in members.items() for d in ds),
                         key=lambda x: (order[x[0]], x[1], x[2]))

    # candidates.csv.gz rows, in the source's order (contest dpr, dprd_prov, dprd_kab, dpd; dapil; party; list no)
    cands = []
    for r in csv.DictReader(gzip.open(src / "candidates.csv.gz", "rt", encoding="utf-8")):
        cands.append([r["contest"], r["dapil_code"], r["party_no"], r["list_no"], r["name"], r["gender"]])
    src_order = {c: i for i, c in enumerate(["dpr", "dprd_prov", "dprd_kab", "dpd"])}
    keys = [(src_order[c[0]], c[1], int(c[2] or 0), int(c[3])) for c in cands]
    check(keys == sorted(keys) and len(set(keys)) == len(keys), "candidates are not sorted or repeat a list number")

    # ---- checks and figures ----
    lines = [f"legislative: {len(parties)} parties, {len(dapil_rows)} dapils, {len(region_rows)} dapil regions "
             f"({len(VILLAGE_FALLBACK)} by fallback), {len(cands)} candidates"]
    for v_line in fallback_lines:
        lines.append(f"  fallback: {v_line}")

    # every village maps to exactly one dapil of the right parliament; stations per ballot
    station_dapil = {c: Counter() for c in CONTESTS}
    for c in CONTESTS:
        no_ballot, wrong = Counter(), 0
        matched = {"villages": 0, "with_stations": 0, "twice": 0, "none": 0}
        for v in villages:
            p = province[v]
            ds = [p] if c == "dpd" else ballot_dapils(c, v)
            if not has_ballot(c, v):
                check(not ds or c == "dpd", f"{c}: village {v} should have no ballot but maps to {ds}")
                why = "overseas" if p == OVERSEAS else "DKI Jakarta (no DPRD kab/kota)"
                no_ballot[why] += stations[v]
                continue
            matched["villages"] += 1
            matched["with_stations"] += stations[v] > 0
            matched["twice"] += len(ds) > 1
            matched["none"] += not ds
            if len(ds) != 1:
                continue
            d = ds[0]
            if c == "dpr":  # a DPR dapil lies in one province; overseas is DKI Jakarta II
                right = d == "3102" if p == OVERSEAS else d[:2] == p
            else:           # a DPRD or DPD dapil elects the parliament of the village's regency or province
                right = dapils[(c, d)][4] == (chain[v][2] if c == "dprd_kab" else p)
            wrong += not right
            station_dapil[c][d] += stations[v]
        check(matched["twice"] == 0 and matched["none"] == 0,
              f"{c}: {matched['none']} villages without a dapil, {matched['twice']} in two or more")
        check(wrong == 0, f"{c}: {wrong} villages map to a dapil of another parliament")
        with_ballot = sum(station_dapil[c].values())
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(no_ballot.items())) or "none"
        lines.append(f"{c}: {matched['villages']} villages each in exactly one dapil (0 twice, 0 none; "
                     f"{matched['with_stations']} with stations); stations with a ballot {with_ballot}, without {sum(no_ballot.values())} ({reasons})")
        empty = sorted(code for (cc, code) in dapils if cc == c and station_dapil[c][code] == 0)
        check(not empty, f"{c}: dapils without a station: {empty}")
    check(sum(station_dapil["dpr"].values()) == sum(stations.values()), "dpr: not every station has a DPR ballot")

    # candidates: dapils, parties, Aceh parties, ballots
    ballot_parties, ballot_cands = defaultdict(set), Counter()
    for c, d, party, _, _, _ in cands:
        check((c, d) in dapils, f"candidate in unknown dapil {c} {d}")
        check((party == "") == (c == "dpd"), f"candidate in {c} {d}: party {party!r}")
        if party:
            check(int(party) in parties, f"candidate in {c} {d}: unknown party {party}")
            if parties[int(party)][3] == "1":
                check(c == "dprd_kab" and dapils[(c, d)][4].startswith("11"),
                      f"Aceh party {party} outside Aceh's DPRD kab/kota: {c} {d}")
            ballot_parties[(c, d)].add(int(party))
        ballot_cands[(c, d)] += 1
    aceh_lists = {(c, d, p) for (c, d), ps in ballot_parties.items() for p in ps if 18 <= p <= 23}
    lines.append(f"candidates: all dapils known, all parties in parties.csv, Aceh parties 18-23 only in Aceh DPRD kab/kota "
                 f"({len(aceh_lists)} lists in {len({d for _, d, _ in aceh_lists})} dapils)")
    for c in CONTESTS:
        codes = sorted(code for (cc, code) in dapils if cc == c)
        seats = sum(int(dapils[(c, code)][3]) for code in codes)
        check(seats == SEATS_TOTAL[c], f"{c}: seats add up to {seats}, not {SEATS_TOTAL[c]}")
        missing = [code for code in codes if ballot_cands[(c, code)] == 0]
        check(not missing, f"{c}: dapils without candidates: {missing}")
        np = [len(ballot_parties[(c, code)]) for code in codes]
        nc = [ballot_cands[(c, code)] for code in codes]
        nn = [a + b for a, b in zip(np, nc)]
        top = max(codes, key=lambda code: (len(ballot_parties[(c, code)]) + ballot_cands[(c, code)], code))
        lines.append(f"{c}: {len(codes)} dapils, {seats} seats; per ballot: parties max {max(np)} avg {sum(np) / len(np):.1f}, "
                     f"candidates max {max(nc)} avg {sum(nc) / len(nc):.1f}, numbers on a form max {max(nn)} ({top}) avg {sum(nn) / len(nn):.1f}")
    lines.append(f"colours: contrast >= {worst_contrast[0]:.2f} ({worst_contrast[1]} on {worst_contrast[2]}), "
                 f"closest pair dE2000 {closest[0]:.1f} ({closest[1]} / {closest[2]})")

    # written only once every check has passed
    write_csv(dst / "parties.csv", ["number", "short_name", "name", "aceh_only", "colour"],
              [parties[n] for n in sorted(parties)])
    write_csv(dst / "dapils.csv", ["contest", "code", "name", "seats", "region"], dapil_rows)
    write_csv(dst / "dapil_regions.csv", ["contest", "dapil", "region"], region_rows)
    write_gz(dst / "candidates.csv.gz", ["contest", "dapil", "party", "number", "name", "gender"], cands)
    print("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# Rehearsal anchors (docs/rehearsal.md): the few official figures the synthetic legislative
# night is built on, copied here so that a fresh clone can generate it without ../shared.

# The two national DPR sums of the source that differ from KPU decision 1050/2024 (party no:
# source minus official); see ../shared/data/pemilu2024-legislative/README.md, "Not fixed".
DPR_KNOWN_DEVIATIONS = {4: 4000, 24: -1}
ACEH_2019, ACEH_LOCAL_2019 = "1", range(15, 19)   # 2019 tree id of Aceh; 2019 ballot numbers of its local parties


def rehearsal2024(legislative, pemilu, pilpres, dst):
    lines = []

    # dpr_official_votes.csv: official DPR votes per dapil and party, the generator's anchor.
    dapils = {r["code"] for r in csv.DictReader(open(dst / "dapils.csv", encoding="utf-8")) if r["contest"] == "dpr"}
    lists = {(r["dapil"], int(r["party"])) for r in csv.DictReader(gzip.open(dst / "candidates.csv.gz", "rt", encoding="utf-8"))
             if r["contest"] == "dpr"}
    votes = {}
    for r in csv.DictReader(open(legislative / "dpr2024_dapil_votes.csv", encoding="utf-8")):
        key = (r["dapil_code"], int(r["party_no"]))
        check(key not in votes, f"dpr votes: {key} twice")
        check(r["votes"].isdigit(), f"dpr votes: {key} has votes {r['votes']!r}")
        votes[key] = int(r["votes"])
    check({d for d, _ in votes} == dapils, "dpr votes: the dapils differ from dapils.csv")
    check(set(votes) == lists, "dpr votes: the (dapil, party) pairs differ from the DPR lists of candidates.csv.gz")
    national = Counter()
    for (d, p), n in votes.items():
        national[p] += n
    official = {int(r["party_no"]): int(r["dpr_votes"]) for r in csv.DictReader(open(legislative / "parties.csv", encoding="utf-8"))
                if r["election"] == "2024" and r["dpr_votes"]}
    deviations = {p: national[p] - official[p] for p in official if national[p] != official[p]}
    check(deviations == DPR_KNOWN_DEVIATIONS, f"dpr votes: national sums minus official are {deviations}, expected {DPR_KNOWN_DEVIATIONS}")
    write_csv(dst / "dpr_official_votes.csv", ["dapil", "party", "votes"],
              [[d, p, votes[(d, p)]] for d, p in sorted(votes, key=lambda k: (k[0], k[1]))])
    lines.append(f"rehearsal: dpr_official_votes.csv {len(votes)} rows ({len(dapils)} dapils), {sum(votes.values())} votes; "
                 f"national minus official: " + ", ".join(f"party {p} {n:+}" for p, n in sorted(deviations.items())))

    # sirekap_progress.csv: the national stations-reported curve of the 2024 public real count.
    progress = {}
    for r in csv.DictReader(gzip.open(pemilu / "sirekap_progress_hourly.csv.gz", "rt", encoding="utf-8")):
        if r["wilayah_kode"] != "0":
            continue
        row = (int(r["tps_progres"]), int(r["tps_total"]))
        check(progress.get(r["sirekap_ts_wib"], row) == row, f"sirekap progress: two national rows at {r['sirekap_ts_wib']}")
        progress[r["sirekap_ts_wib"]] = row
    times = sorted(progress)
    check(all(0 < progress[t][0] <= progress[t][1] for t in times), "sirekap progress: stations reported outside 1..total")
    falls = sum(progress[b][0] < progress[a][0] for a, b in zip(times, times[1:]))
    write_csv(dst / "sirekap_progress.csv", ["time_wib", "stations_reported", "stations_total"],
              [[t, *progress[t]] for t in times])
    lines.append(f"rehearsal: sirekap_progress.csv {len(times)} national snapshots {times[0]} .. {times[-1]}, "
                 f"{progress[times[0]][0]} .. {progress[times[-1]][0]} of {progress[times[-1]][1]} stations ({falls} falls)")

    # aceh_local_share_2019.csv: the Aceh local parties' share of the 2019 DPRK votes per regency
    # (Situng 2019 by village, summed up the 2019 tree; joined to the 2024 regency by its name).
    tree2019 = {r["id"]: r for r in csv.DictReader(gzip.open(pilpres / "regions.csv.gz", "rt", encoding="utf-8"))}

    def regency2019(v):
        while v in tree2019 and tree2019[v]["level"] != "kabkota":
            v = tree2019[v]["parent_id"]
        return v if v in tree2019 and tree2019[v]["parent_id"] == ACEH_2019 else None

    local, total, regency_of = Counter(), Counter(), {}
    for r in csv.DictReader(gzip.open(legislative / "dprd2019_village_votes.csv.gz", "rt", encoding="utf-8")):
        if r["contest"] != "dprd_kab":
            continue
        v = r["village_id"]
        if v not in regency_of:
            regency_of[v] = regency2019(v)
        k = regency_of[v]
        if k is None:
            continue
        total[k] += int(r["votes"])
        if int(r["party_no"]) in ACEH_LOCAL_2019:
            local[k] += int(r["votes"])
    tree2024 = {r["id"]: r for r in csv.DictReader(gzip.open(dst / "regions.csv.gz", "rt", encoding="utf-8"))}
    aceh2024 = {r["name"].strip(): i for i, r in tree2024.items() if r["parent_id"] == "11" and r["level"] == "regency"}
    names2019 = {tree2019[k]["name"].strip(): k for k in total}
    check(sorted(names2019) == sorted(aceh2024), f"aceh: 2019 regencies {sorted(set(names2019) ^ set(aceh2024))} do not match 2024")
    rows = sorted([aceh2024[n], n, local[k], total[k]] for n, k in names2019.items())
    write_csv(dst / "aceh_local_share_2019.csv", ["regency", "name", "local_votes", "votes"], rows)
    share = [r[2] / r[3] for r in rows]
    lines.append(f"rehearsal: aceh_local_share_2019.csv {len(rows)} regencies, local parties "
                 f"{sum(r[2] for r in rows) / sum(r[3] for r in rows):.1%} of {sum(r[3] for r in rows)} DPRK votes "
                 f"(regencies {min(share):.1%} .. {max(share):.1%})")
    print("\n".join(lines))


if __name__ == "__main__":
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    out = Path("data")
    pilpres2019(shared / "pilpres2019", out / "pilpres2019")
    pemilu2024(shared / "pemilu2024", out / "pemilu2024")
    demo2019(shared / "pilpres2019", out / "pilpres2019")
    try:
        legislative2024(shared / "pemilu2024-legislative", out / "pemilu2024")
    except CheckFailed as e:
        sys.exit(f"legislative check failed: {e}")
    try:
        rehearsal2024(shared / "pemilu2024-legislative", shared / "pemilu2024", shared / "pilpres2019", out / "pemilu2024")
    except CheckFailed as e:
        sys.exit(f"rehearsal check failed: {e}")
