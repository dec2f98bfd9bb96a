#!/usr/bin/env python3
"""Independent checker: recomputes every region's totals from the revisions in a Broadcast
SQLite file and compares them with the server's stored totals, or, with --as-of, with the
server's answers for a past moment. Shares no code with the server.

    python3 scripts/check-totals.py [database] [regions.csv.gz]
    python3 scripts/check-totals.py /tmp/replay.db --as-of seq:400000 --api http://127.0.0.1:5000 [--under 0] [--depth 1]
    python3 scripts/check-totals.py /tmp/replay.db --as-of 2019-04-17T21:00:00+07:00 --api ...

database defaults to src/Broadcast.Server/broadcast.db, where `dotnet run --project
src/Broadcast.Server` writes (Storage:SqlitePath is relative to the server's working directory,
which `dotnet run` sets to the project folder); pass the file you set with
Storage__SqlitePath otherwise. regions.csv.gz defaults to shared/data/pilpres2019/regions.csv.gz
found above the repository. The database is opened read-only: a missing file is an error,
never an empty new database.

Counted numbers of a station = its latest revision with status counted (1); a station is
quarantined while its latest revision has status quarantined (2) (a rejected one, 3, is not).

As of a moment: only the revisions up to it count. `seq:N` is every revision with seq <= N;
a time T is the revisions received at or before T, read as the longest run of the log, in
seq order, whose receive times are all <= T. With --api the checker asks the server for
GET /api/v1/results/<contest>/<region>?asOf=... for --under and the regions --depth levels
below it (0: that region only), and compares each answer's totals, its children's and its
asOf.seq with its own.
"""
import argparse, csv, gzip, json, os, sqlite3, sys, urllib.parse, urllib.request
from collections import defaultdict
from datetime import datetime
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

args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
args.add_argument("db", nargs="?", default=os.path.join(repo, "src", "Broadcast.Server", "broadcast.db"))
args.add_argument("regions", nargs="?", default=None)
args.add_argument("--as-of", help="seq:<n> or an ISO 8601 time with its offset")
args.add_argument("--api", help="the server's base URL (required with --as-of)")
args.add_argument("--contest", default="ppwp")
args.add_argument("--under", default="0", help="the region to start from (default: national)")
args.add_argument("--depth", type=int, default=1, help="levels below --under to ask for (default 1)")
opts = args.parse_args()
if opts.as_of and not opts.api:
    sys.exit("--as-of needs --api: the stored totals are the latest ones")
opts.regions = opts.regions or shared_regions()
if not os.path.isfile(opts.db):
    sys.exit(f"check-totals: no database at {opts.db}. Pass the server's Storage:SqlitePath (with "
             f"`dotnet run --project src/Broadcast.Server` it is src/Broadcast.Server/broadcast.db).")
if not os.path.isfile(opts.regions):
    sys.exit(f"check-totals: no regions file at {opts.regions}; pass ../shared/data/pilpres2019/regions.csv.gz")

parent, children = {}, defaultdict(list)
for r in csv.DictReader(gzip.open(opts.regions, "rt", encoding="utf-8")):
    parent[r["id"]] = r.get("parent_id") or r.get("parent_kode") or None
    if parent[r["id"]]:
        children[parent[r["id"]]].append(r["id"])

# mode=ro: never creates the file (plain connect() would leave an empty database behind).
con = sqlite3.connect(f"file:{pathname2url(os.path.abspath(opts.db))}?mode=ro", uri=True)
try:
    con.execute("SELECT 1 FROM revisions LIMIT 1")
except sqlite3.DatabaseError as e:
    sys.exit(f"check-totals: {opts.db} is not a Broadcast database ({e})")
up_to = None  # the last seq of the moment (None: every revision)
if opts.as_of and opts.as_of.startswith("seq:"):
    up_to = int(opts.as_of[4:])
elif opts.as_of:
    t_ms = int(datetime.fromisoformat(opts.as_of.replace("Z", "+00:00")).timestamp() * 1000)
    up_to = 0
    for seq, received in con.execute("SELECT seq, received_at FROM revisions ORDER BY seq"):
        if received > t_ms:
            break
        up_to = seq

latest, counted = {}, {}
query = "SELECT seq, contest, station, votes, valid, invalid, status FROM revisions"
for seq, contest, station, votes, valid, invalid, status in con.execute(
        query + (" WHERE seq <= ? ORDER BY seq" if up_to is not None else " ORDER BY seq"),
        (up_to,) if up_to is not None else ()):
    latest[(contest, station)] = status
    if status == 1:
        counted[(contest, station)] = ([int(v) for v in votes.split(",")], valid, invalid)

expected = defaultdict(lambda: [0, 0, 0, 0, None])  # reported, quarantined, valid, invalid, votes
def village_of(station):
    return station.rsplit(".", 1)[0] if "." in station else station[:10]
def ancestors(region):
    while region is not None and region != "":
        yield region
        region = parent.get(region)
for (contest, station), status in latest.items():
    for region in ancestors(village_of(station)):
        row = expected[(contest, region)]
        if (contest, station) in counted:
            votes, valid, invalid = counted[(contest, station)]
            row[0] += 1; row[2] += valid; row[3] += invalid
            row[4] = [a + b for a, b in zip(row[4], votes)] if row[4] else list(votes)
        if status == 2:
            row[1] += 1

def get(path):
    with urllib.request.urlopen(opts.api.rstrip("/") + path) as response:
        return json.load(response)

if not opts.as_of:
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

# As of a moment, against the server's answers.
choices = next(c for c in get("/api/v1/election")["contests"] if c["id"] == opts.contest)["choices"]
choice_ids = [c["id"] for c in choices]
def want_region(region):
    row = expected.get((opts.contest, region), [0, 0, 0, 0, None])
    return row[0], row[1], row[2], row[3], row[4] or [0] * len(choice_ids)
def want_station(station):
    key = (opts.contest, station)
    votes, valid, invalid = counted.get(key, ([0] * len(choice_ids), 0, 0))
    return (1 if key in counted else 0), (1 if latest.get(key) == 2 else 0), valid, invalid, votes
def have(node):
    return (node["stations"]["reported"], node["stations"]["quarantined"], node["valid"], node["invalid"],
            [node["votes"][c] for c in choice_ids])

# The moment's last revision: what the answers name in asOf.seq.
last_seq = con.execute("SELECT COALESCE(MAX(seq), 0) FROM revisions WHERE seq <= ?", (up_to,)).fetchone()[0]
wrong, rows, asked = 0, 0, 0
level = [opts.under]
for depth in range(opts.depth + 1):
    below = []
    for region in level:
        answer = get(f"/api/v1/results/{opts.contest}/{region}?asOf={urllib.parse.quote(opts.as_of)}")
        asked += 1
        if answer["asOf"]["seq"] != last_seq:
            wrong += 1
            print("MISMATCH asOf.seq at", region, "expected", last_seq, "answered", answer["asOf"]["seq"])
        for node in [answer] + answer["children"]:
            rows += 1
            is_station = node.get("level") == "tps"
            want = want_station(node["id"]) if is_station else want_region(node["region"]["id"] if node is answer else node["id"])
            if have(node) != want:
                wrong += 1
                if wrong <= 5: print("MISMATCH", node["region"]["id"] if node is answer else node["id"], "expected", want, "answered", have(node))
            if node is not answer and not is_station:
                below.append(node["id"])
    level = below
print(f"as of {opts.as_of} (seq {last_seq}): groups asked: {asked}, rows checked: {rows}, "
      f"stations reported: {sum(1 for (c, _) in counted if c == opts.contest)}, "
      f"quarantined: {sum(1 for (c, _), s in latest.items() if c == opts.contest and s == 2)}, mismatches: {wrong}")
sys.exit(1 if wrong else 0)
