#!/usr/bin/env python3
"""Independent checker: recomputes every region's totals from the revisions in a Broadcast
SQLite file and compares them with the server's stored totals. Shares no code with the server.

    python3 scripts/check-totals.py [database] [regions.csv.gz]

database defaults to src/Broadcast.Server/broadcast.db, where `dotnet run --project
src/Broadcast.Server` writes (Storage:SqlitePath is relative to the server's working directory,
which `dotnet run` sets to the project folder); pass the file you set with
Storage__SqlitePath otherwise. regions.csv.gz defaults to shared/data/pilpres2019/regions.csv.gz
found above the repository. The database is opened read-only: a missing file is an error,
never an empty new database.

Counted numbers of a station = its latest revision with status counted (1); a station is
quarantined while its latest revision has status quarantined (2).
"""
import csv, gzip, os, sqlite3, sys
from collections import defaultdict
from urllib.request import pathname2url

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def shared_regions():
    """shared/data/pilpres2019/regions.csv.gz in the repository's folder or any folder above it."""
    folder = repo
    while True:
        candidate = os.path.join(folder, "shared", "data", "pilpres2019", "regions.csv.gz")
        if os.path.isfile(candidate) or os.path.dirname(folder) == folder:
            return candidate
        folder = os.path.dirname(folder)

if len(sys.argv) > 3 or any(a in ("-h", "--help") for a in sys.argv[1:]):
    print(__doc__.strip())
    sys.exit(0 if len(sys.argv) <= 3 else 2)
db = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "src", "Broadcast.Server", "broadcast.db")
regions_file = sys.argv[2] if len(sys.argv) > 2 else shared_regions()
if not os.path.isfile(db):
    sys.exit(f"check-totals: no database at {db}. Pass the server's Storage:SqlitePath (with "
             f"`dotnet run --project src/Broadcast.Server` it is src/Broadcast.Server/broadcast.db).")
if not os.path.isfile(regions_file):
    sys.exit(f"check-totals: no regions file at {regions_file}; pass ../shared/data/pilpres2019/regions.csv.gz")

parent = {}
for r in csv.DictReader(gzip.open(regions_file, "rt", encoding="utf-8")):
    parent[r["id"]] = r.get("parent_id") or r.get("parent_kode") or None

# mode=ro: never creates the file (plain connect() would leave an empty database behind).
con = sqlite3.connect(f"file:{pathname2url(os.path.abspath(db))}?mode=ro", uri=True)
try:
    con.execute("SELECT 1 FROM revisions LIMIT 1")
except sqlite3.DatabaseError as e:
    sys.exit(f"check-totals: {db} is not a Broadcast database ({e})")
latest, counted = {}, {}
for seq, contest, station, votes, valid, invalid, status in con.execute(
        "SELECT seq, contest, station, votes, valid, invalid, status FROM revisions ORDER BY seq"):
    latest[(contest, station)] = status
    if status == 1:
        counted[(contest, station)] = ([int(v) for v in votes.split(",")], valid, invalid)

expected = defaultdict(lambda: [0, 0, 0, 0, None])  # reported, quarantined, valid, invalid, votes
def ancestors(region):
    while region is not None and region != "":
        yield region
        region = parent.get(region)
for (contest, station), status in latest.items():
    village = station.rsplit(".", 1)[0] if "." in station else station[:10]
    for region in ancestors(village):
        row = expected[(contest, region)]
        if (contest, station) in counted:
            votes, valid, invalid = counted[(contest, station)]
            row[0] += 1; row[2] += valid; row[3] += invalid
            row[4] = [a + b for a, b in zip(row[4], votes)] if row[4] else list(votes)
        if status == 2:
            row[1] += 1

stored = {(c, r): [rep, q, v, i, [int(x) for x in votes.split(",")]]
          for c, r, rep, q, v, i, votes in con.execute(
              "SELECT contest, region, reported, quarantined, valid, invalid, votes FROM totals")}
wrong = 0
for key, row in expected.items():
    want = row[:4] + [row[4] or [0] * len(stored.get(key, [0] * 5)[4])]
    have = stored.get(key)
    if have is None or have != want:
        wrong += 1
        if wrong <= 5: print("MISMATCH", key, "expected", want, "stored", have)
extra = [k for k, v in stored.items() if k not in expected and (v[0] or v[1] or v[2] or v[3] or any(v[4]))]
print(f"regions checked: {len(expected)}, stations reported: {len(counted)}, "
      f"quarantined: {sum(1 for s in latest.values() if s == 2)}, mismatches: {wrong + len(extra)}")
sys.exit(1 if wrong or extra else 0)
