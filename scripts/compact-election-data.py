#!/usr/bin/env python3
"""Builds the compact election files the server loads at start-up (data/<election>/).

Source: ../shared/data (see its README). Run from the repository root:
    python3 scripts/compact-election-data.py ../shared/data
Output per election: regions.csv.gz (id,parent_id,level,name) and stations.csv.gz
(village_id,tps_no,dpt). Only what the server needs; the votes stay in shared/ for replay.
"""
import csv, gzip, io, sys
from pathlib import Path

LEVELS = {"nasional": "national", "provinsi": "province", "kabkota": "regency",
          "kecamatan": "district", "kelurahan": "village"}

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
             [[r["id"], r["parent_id"], LEVELS[r["level"]], r["name"]] for r in regions])
    stations = []
    for r in csv.DictReader(gzip.open(src / "tps.csv.gz", "rt", encoding="utf-8")):
        dpt = "" if r["dpt_l"] == "" else str(int(r["dpt_l"]) + int(r["dpt_p"] or 0))
        stations.append([r["desa_id"], r["tps_no"], dpt])
    write_gz(dst / "stations.csv.gz", ["village_id", "tps_no", "dpt"], stations)
    print(f"pilpres2019: {len(regions)} regions, {len(stations)} stations")

def pemilu2024(src, dst):
    regions = list(csv.DictReader(gzip.open(src / "regions.csv.gz", "rt", encoding="utf-8")))
    rows = [["0", "", "national", "IDN"]]
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
        stations.append([village, str(int(code[10:])), dpt.get(code, "")])
    write_gz(dst / "stations.csv.gz", ["village_id", "tps_no", "dpt"], stations)
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

if __name__ == "__main__":
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    out = Path("data")
    pilpres2019(shared / "pilpres2019", out / "pilpres2019")
    pemilu2024(shared / "pemilu2024", out / "pemilu2024")
    demo2019(shared / "pilpres2019", out / "pilpres2019")
