#!/usr/bin/env python3
"""Independent verifier of Broadcast's tamper-evident log. Shares no code with the server.

Recomputes every revision's hash from its fields (the canonical text of docs/api.md, "The
chain") and names the first revision whose stored hash does not follow; checks that heads
published earlier (in a snapshot, a delta, a screenshot: seq and hash) are still in the log;
and, given the election's regions, folds the revisions into totals and compares them with the
numbers the server shows, at the version each snapshot names.

    # an export (operators: GET /api/v1/chain/export), or the public pages of a running server
    python3 scripts/verify-chain.py chain.ndjson
    python3 scripts/verify-chain.py --server http://127.0.0.1:5000
    # also: a head published at 21:00 must still be there; totals must match the server's
    python3 scripts/verify-chain.py chain.ndjson --expect 412345:9f2c... \\
        --regions ../shared/data/pilpres2019/regions.csv.gz --compare http://127.0.0.1:5000

Exit code 0 when everything holds, 1 when something does not (printed), 2 for bad arguments.
"""
import argparse, csv, gzip, hashlib, json, sys, time, urllib.request
from collections import defaultdict

GENESIS = bytes(32)


def canonical(r):
    """The text each hash covers, one field per line, in this order."""
    return "\n".join([
        "broadcast-revision-v1", str(r["seq"]), r["contest"], r["station"], str(r["revision"]),
        ",".join(str(v) for v in r["votes"]), str(r["valid"]), str(r["invalid"]), str(r["total"]),
        r["status"], ",".join(r["problems"]), "" if r.get("accepts") is None else str(r["accepts"]),
        str(r["receivedAtMs"]), r["submitter"], r.get("reason") or "",
    ]).encode("utf-8")


def get_json(url):
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.load(response)


def read_export(path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def read_pages(server):
    after = 0
    while True:
        page = get_json(f"{server}/api/v1/chain/revisions?after={after}&limit=1000")
        yield from page["revisions"]
        if page.get("next") is None:
            return
        after = page["next"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("export", nargs="?", help="an NDJSON export of the chain")
    parser.add_argument("--server", help="read the chain's public pages from this server instead")
    parser.add_argument("--expect", action="append", default=[], metavar="SEQ:HASH",
                        help="a head published earlier that must be in the log (repeatable)")
    parser.add_argument("--regions", help="the election's regions.csv.gz: fold the totals")
    parser.add_argument("--compare", metavar="URL", help="compare the folded totals with this server's snapshots")
    args = parser.parse_args()
    if bool(args.export) == bool(args.server):
        parser.error("give an export file or --server, not both")
    if args.compare and not args.regions:
        parser.error("--compare needs --regions")
    expected = {}
    for item in args.expect:
        seq, _, digest = item.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            parser.error(f"--expect {item}: want SEQ:HASH (64 hex digits)")
        expected[int(seq)] = digest.lower()

    started = time.monotonic()
    revisions = read_pages(args.server.rstrip("/")) if args.server else read_export(args.export)
    previous, count, first_break, last_seq, hash_at = GENESIS, 0, None, 0, {}
    kept = [] if args.regions else None
    for r in revisions:
        count += 1
        if r["seq"] <= last_seq and first_break is None:
            first_break = (r["seq"], f"seq {r['seq']} comes after seq {last_seq}: the log is out of order")
        last_seq = r["seq"]
        recomputed = hashlib.sha256(previous + canonical(r)).digest()
        if recomputed.hex() != r["hash"] and first_break is None:
            first_break = (r["seq"], f"stored hash {r['hash'][:16]}..., its fields hash to {recomputed.hex()[:16]}... "
                                     f"(contest {r['contest']}, station {r['station']}, revision {r['revision']})")
        # Go on from the stored hash: one altered revision is reported once, not at every later one.
        previous = bytes.fromhex(r["hash"]) if len(r["hash"]) == 64 else recomputed
        if r["seq"] in expected:
            hash_at[r["seq"]] = r["hash"]
        if kept is not None:
            kept.append((r["seq"], r["contest"], r["station"], r["status"], r["votes"], r["valid"], r["invalid"], r["hash"]))

    ok = True
    print(f"revisions checked: {count}, head: seq {last_seq} {previous.hex() if count else '-'}, "
          f"{time.monotonic() - started:.1f} s")
    if first_break:
        ok = False
        print(f"BROKEN at seq {first_break[0]}: {first_break[1]}")
    else:
        print("chain: every hash follows from the one before")
    for seq, digest in sorted(expected.items()):
        if hash_at.get(seq) != digest:
            ok = False
            print(f"PUBLISHED HEAD MISSING: seq {seq} was published as {digest[:16]}..., the log has "
                  f"{hash_at[seq][:16] + '...' if seq in hash_at else 'no such seq'}: the log was rewritten")
        else:
            print(f"published head seq {seq} is in the log")
    if kept is not None and args.compare:
        ok = compare_totals(kept, args.regions, args.compare.rstrip("/")) and ok
    sys.exit(0 if ok else 1)


def fold(kept, versions, wanted, parent):
    """Totals as of each of `versions`, for the (contest, region) pairs `wanted`: one pass over
    the log, each revision moving its station's numbers in every region above it. A station's
    counted numbers are its latest counted revision; it is quarantined while its latest is."""
    totals = defaultdict(lambda: [0, 0, 0, 0, None])  # reported, quarantined, valid, invalid, votes
    counted, pending, at = {}, set(), {}
    stops = sorted(versions)

    def move(contest, station, numbers, sign, quarantined):
        region = station.rsplit(".", 1)[0]
        while region:
            row = totals[(contest, region)]
            if numbers is not None:
                votes, valid, invalid = numbers
                row[0] += sign; row[2] += sign * valid; row[3] += sign * invalid
                if row[4] is None:
                    row[4] = [0] * len(votes)
                row[4] = [a + sign * b for a, b in zip(row[4], votes)] if len(row[4]) == len(votes) else "mixed"
            row[1] += quarantined
            region = parent.get(region)

    for seq, contest, station, status, votes, valid, invalid, _ in kept:
        while stops and seq > stops[0]:
            at[stops.pop(0)] = {key: list(totals[key]) for key in wanted}
        key = (contest, station)
        if status == "counted":
            move(contest, station, counted.get(key), -1, 0)
            counted[key] = (votes, valid, invalid)
            move(contest, station, counted[key], 1, 0)
        if (status == "quarantined") != (key in pending):
            move(contest, station, None, 0, 1 if status == "quarantined" else -1)
            (pending.add if status == "quarantined" else pending.discard)(key)
    for stop in stops:
        at[stop] = {key: list(totals[key]) for key in wanted}
    return at


def compare_totals(kept, regions_file, server):
    """Each contest's national snapshot and its children's: the totals folded from the log up to
    each snapshot's version must be the snapshot's, and its chain link must be the log's."""
    parent = {}
    for r in csv.DictReader(gzip.open(regions_file, "rt", encoding="utf-8")):
        parent[r["id"]] = r.get("parent_id") or None
    snapshots = []
    for contest in [c["id"] for c in get_json(f"{server}/api/v1/election")["contests"]]:
        national = get_json(f"{server}/api/v1/results/{contest}/0")
        snapshots.append(national)
        snapshots += [get_json(f"{server}/api/v1/results/{contest}/{child['id']}") for child in national["children"]]
    links = {s["chain"]["seq"] for s in snapshots if s.get("chain")}
    hashes = {seq: digest for seq, *_, digest in kept if seq in links}
    wanted = {(s["contest"], s["region"]["id"]) for s in snapshots}
    folds = fold(kept, {s["version"] for s in snapshots}, wanted, parent)
    ok = True
    for snapshot in snapshots:
        contest, region, version = snapshot["contest"], snapshot["region"]["id"], snapshot["version"]
        chain = snapshot.get("chain")
        if chain and hashes.get(chain["seq"]) != chain["hash"]:
            ok = False
            print(f"CHAIN MISMATCH {contest} {region}: the snapshot names seq {chain['seq']} {chain['hash'][:16]}..., "
                  f"the log has {hashes.get(chain['seq'], 'no such seq')}")
        want = folds[version][(contest, region)]
        have = [snapshot["stations"]["reported"], snapshot["stations"]["quarantined"], snapshot["valid"], snapshot["invalid"]]
        if want[:4] != have:
            ok = False
            print(f"MISMATCH {contest} {region} at version {version}: folded [reported, quarantined, valid, invalid] "
                  f"{want[:4]}, server {have}")
        elif isinstance(want[4], list) and len(want[4]) == len(snapshot["votes"]):
            # Flat ballots (a pair, a DPD candidate per column): the votes too, in ballot order.
            server_votes = [snapshot["votes"][k] for k in sorted(snapshot["votes"], key=int)]
            if want[4] != server_votes:
                ok = False
                print(f"MISMATCH {contest} {region} votes at version {version}: folded {want[4]}, server {server_votes}")
    print(f"totals compared with {server}: {len(snapshots)} snapshots at {len(folds)} versions, "
          f"{'all equal' if ok else 'differences above'}")
    return ok


if __name__ == "__main__":
    main()
