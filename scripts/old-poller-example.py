#!/usr/bin/env python3
"""Real count poller, as volunteers wrote them against the KPU site in 2019 and 2024.

    python3 scripts/old-poller-example.py https://sirekap-obj-data.kpu.go.id   # 2024
    python3 scripts/old-poller-example.py https://pemilu2019.kpu.go.id         # 2019
    python3 scripts/old-poller-example.py http://127.0.0.1:5000                # Broadcast

Fetches the national file, prints the totals and the progress, then walks down the regions that
have data (province, regency, district, village) to every station with a counted form,
printing each and checking that every table adds up to its chart. Only the host changes
between the commission's site and Broadcast; nothing else in here knows about Broadcast.
Python 3 standard library only. Exit code 1 if a table does not add up.
"""
import json
import sys
import urllib.error
import urllib.request

BASE = (sys.argv[1] if len(sys.argv) > 1 else "https://sirekap-obj-data.kpu.go.id").rstrip("/")

# 2024 (Sirekap): candidate ids of the pairs
PASLON_2024 = {"100025": "01", "100026": "02", "100027": "03"}
# 2019 (Situng): 21 = Jokowi-Amin, 22 = Prabowo-Sandi
JOKOWI = "21"
PRABOWO = "22"
PASLON_2019 = {JOKOWI: "01", PRABOWO: "02"}

checked = 0
mismatches = 0


def get_json(path):
    req = urllib.request.Request(BASE + path, headers={
        "Accept": "application/json, text/plain, */*",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) real-count-poller",
    })
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def votes_of(row, paslon):
    return {no: (row.get(key) or 0) for key, no in paslon.items()}


def fmt(votes):
    return " ".join(f"{no}={votes[no]}" for no in sorted(votes))


def check(where, chart, table_rows, paslon):
    """Data validation: the table of a region must add up to its chart."""
    global checked, mismatches
    checked += 1
    total = {no: 0 for no in paslon.values()}
    for row in table_rows:
        for no, v in votes_of(row, paslon).items():
            total[no] += v
    if total != votes_of(chart, paslon):
        mismatches += 1
        print(f"MISMATCH {where}: chart {fmt(votes_of(chart, paslon))} table {fmt(total)}")


# ---------------------------------------------------------------- 2024
def walk_2024(path, depth, walked):
    data = get_json("/pemilu/hhcw/ppwp" + path + ".json")
    if data is None:
        print(f"NOT FOUND {path}")
        return
    check(path, data["chart"], data["table"].values(), PASLON_2024)
    names = {w["kode"]: w["nama"] for w in (get_json("/wilayah/pemilu/ppwp" + path + ".json") or [])}
    for kode, row in data["table"].items():
        if not row.get("status_progress"):
            continue
        if depth == 4:  # village: its table are the stations
            tps = get_json("/pemilu/hhcw/ppwp" + path + "/" + kode + ".json")
            if tps is None or tps.get("chart") is None or tps.get("administrasi") is None:
                print(f"TPS {kode}: data belum tersedia")
                continue
            v = votes_of(tps["chart"], PASLON_2024)
            check(path + "/" + kode, tps["chart"], [row], PASLON_2024)
            adm = tps["administrasi"]
            print(f"TPS {kode} {names.get(kode, '')}: {fmt(v)} sah={adm['suara_sah']} tidak_sah={adm['suara_tidak_sah']}")
            walked["tps"] += 1
            for no in v:
                walked[no] += v[no]
        else:
            print(f"{'  ' * depth}{kode} {names.get(kode, '?')}: {fmt(votes_of(row, PASLON_2024))} ({row['persen']}%)")
            walk_2024(path + "/" + kode, depth + 1, walked)


def poll_2024(data):
    paslon = get_json("/pemilu/ppwp.json") or {}
    print("REAL COUNT - KPU (Sirekap 2024)")
    print(f"last update: {data['ts']}")
    print(f"Progress   : {data['progres']['progres']:>6,} of {data['progres']['total']:>6,} TPS ({data['chart']['persen']}% done)")
    total_votes = sum(data["chart"][key] for key in PASLON_2024)
    for key, no in PASLON_2024.items():
        percent = data["chart"][key] / total_votes * 100 if total_votes else 0
        print(f"{no}: {data['chart'][key]:>10,} - {percent:.2f}% ({paslon.get(key, {}).get('nama', '')})")
    print(f"NASIONAL {fmt(votes_of(data['chart'], PASLON_2024))} TPS={data['progres']['progres']}/{data['progres']['total']}")
    walked = {"tps": 0, "01": 0, "02": 0, "03": 0}
    check("nasional", data["chart"], data["table"].values(), PASLON_2024)
    provinces = {w["kode"]: w["nama"] for w in (get_json("/wilayah/pemilu/ppwp/0.json") or [])}
    for kode, row in data["table"].items():
        if row.get("status_progress"):
            print(f"{kode} {provinces.get(kode, '?')}: {fmt(votes_of(row, PASLON_2024))} ({row['persen']}%)")
            walk_2024("/" + kode, 1, walked)
    return walked


# ---------------------------------------------------------------- 2019
def walk_2019(path, depth, walked):
    data = get_json("/static/json/hhcw/ppwp" + path + ".json")
    if data is None:
        print(f"NOT FOUND {path}")
        return
    rows = [r for r in data["table"].values() if r.get(JOKOWI) is not None]
    check(path, data["chart"], rows, PASLON_2019)
    names = {k: v.get("nama") for k, v in (get_json("/static/json/wilayah" + path + ".json") or {}).items()}
    for key, row in data["table"].items():
        if row.get(JOKOWI) is None:  # null = belum di input
            continue
        if depth == 4:  # village: its table are the stations
            tps = get_json("/static/json/hhcw/ppwp" + path + "/" + key + ".json")
            if not tps:
                print(f"TPS {key}: data belum tersedia")
                continue
            check(path + "/" + key, tps["chart"], [row], PASLON_2019)
            print(f"TPS {path}/{key} {names.get(key, '')}: 01={tps['chart'][JOKOWI]} 02={tps['chart'][PRABOWO]} "
                  f"sah={tps['suara_sah']} tidak_sah={tps['suara_tidak_sah']}")
            walked["tps"] += 1
            walked["01"] += tps["chart"][JOKOWI]
            walked["02"] += tps["chart"][PRABOWO]
        else:
            print(f"{'  ' * depth}{key} {names.get(key, '?')}: 01={row[JOKOWI]} 02={row[PRABOWO]}")
            walk_2019(path + "/" + key, depth + 1, walked)


def poll_2019(data):
    total = data["chart"][JOKOWI] + data["chart"][PRABOWO]
    print("REAL COUNT - KPU (Situng 2019)")
    print(f"Waktu : {data['ts']}")
    for key, label in ((JOKOWI, "01 Jokowi-Amin"), (PRABOWO, "02 Prabowo-Sandi")):
        percent = data["chart"][key] / total * 100 if total else 0
        print(f"Perolehan {label} : {data['chart'][key]} [ {percent:.2f}% ]")
    progress = data["progress"]
    print(f"Jumlah data yang masuk : {progress['proses']} TPS dari {progress['total']} TPS "
          f"[ {progress['proses'] / progress['total'] * 100:.5f}% ]")
    print(f"NASIONAL 01={data['chart'][JOKOWI]} 02={data['chart'][PRABOWO]} TPS={progress['proses']}/{progress['total']}")
    walked = {"tps": 0, "01": 0, "02": 0}
    rows = [r for r in data["table"].values() if r.get(JOKOWI) is not None]
    check("nasional", data["chart"], rows, PASLON_2019)
    provinces = get_json("/static/json/wilayah/0.json") or {}
    for key, row in data["table"].items():
        if row.get(JOKOWI) is None:
            continue
        print(f"{key} {provinces.get(key, {}).get('nama', '?')}: 01={row[JOKOWI]} 02={row[PRABOWO]}")
        walk_2019("/" + key, 1, walked)
    return walked


def main():
    data = get_json("/pemilu/hhcw/ppwp.json")
    if data is not None:
        walked = poll_2024(data)
    else:
        data = get_json("/static/json/hhcw/ppwp.json")
        if data is None:
            print(f"no real count at {BASE}")
            return 2
        walked = poll_2019(data)
    tps = walked.pop("tps")
    print(f"WALKED {fmt(walked)} TPS={tps}")
    print(f"checked {checked} files, {mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
