// Turns what arrives off the wire (JSON or MessagePack) into the typed shapes.
// MessagePack may hand us bigint for 64-bit integers and maps with missing optional
// fields, so every number goes through num() and every list defaults to empty: the rest
// of the client can then trust the types.
import type {
  CandidateChange, CandidateResults, ChainHead, ChildTotals, ContestKind, DapilSeatsView, Delta, ElectedView, Election,
  Headline, HeldNotice, HeldView, Level, ParliamentInfo, RegionRef, ResumeResult, SeatClaim, SeatsView, Snapshot,
  StationCounts, ThresholdView, TotalsChanged, TotalsRebuilt, Votes,
} from './types';
import { displayName } from './names';
import { readPacked } from './packed-reader';

type Obj = Record<string, unknown>;

const LEVELS: readonly Level[] = ['national', 'province', 'regency', 'district', 'village', 'tps', 'dapil', 'parliament'];
const KINDS: readonly ContestKind[] = ['flat', 'partyList', 'candidateList'];

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' ? (v as Obj) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return '';
}

/** null and undefined (a MessagePack nil, a field JSON left out) stay null. */
function optStr(v: unknown): string | null {
  return v === null || v === undefined ? null : str(v);
}

function present(v: unknown): boolean {
  return v !== null && v !== undefined;
}

function level(v: unknown): Level {
  const s = str(v) as Level;
  return LEVELS.includes(s) ? s : 'national';
}

function stations(v: unknown): StationCounts {
  const o = obj(v);
  return { total: num(o.total), reported: num(o.reported), quarantined: num(o.quarantined) };
}

function votes(v: unknown): Votes {
  const out: Votes = {};
  for (const [k, n] of Object.entries(obj(v))) out[k] = num(n);
  return out;
}

function candidate(v: unknown): CandidateResults {
  const o = obj(v);
  return {
    id: str(o.id), party: optStr(o.party), number: num(o.number), name: str(o.name),
    votes: num(o.votes), rank: num(o.rank), elected: o.elected === true,
  };
}

function claim(v: unknown): SeatClaim | null {
  if (!present(v)) return null;
  const o = obj(v);
  return { choice: str(o.choice), votes: num(o.votes), divisor: num(o.divisor), votesNeeded: num(o.votesNeeded) };
}

function elected(v: unknown): ElectedView {
  const o = obj(v);
  return { id: str(o.id), party: optStr(o.party), name: str(o.name), votes: num(o.votes) };
}

export function toDapilSeats(v: unknown): DapilSeatsView {
  const o = obj(v);
  return {
    id: str(o.id), name: str(o.name), seats: num(o.seats), won: votes(o.won),
    elected: list(o.elected).map(elected), last: claim(o.last), runnerUp: claim(o.runnerUp),
  };
}

function threshold(v: unknown): ThresholdView | null {
  if (!present(v)) return null;
  const o = obj(v);
  return { percent: num(o.percent), valid: num(o.valid), votes: num(o.votes), passing: list(o.passing).map(str) };
}

export function toSeats(v: unknown): SeatsView | null {
  if (!present(v)) return null;
  const o = obj(v);
  return { total: num(o.total), won: votes(o.won), threshold: threshold(o.threshold), dapils: list(o.dapils).map(toDapilSeats) };
}

/** The legislative sections: absent (JSON) or nil (MessagePack) for region groups. */
function legislative(o: Obj): Pick<Snapshot, 'candidates' | 'seats'> {
  return {
    candidates: present(o.candidates) ? list(o.candidates).map(candidate) : null,
    seats: toSeats(o.seats),
  };
}

/** Region names are re-cased once, here, so every screen shows "DKI Jakarta", not "DKI JAKARTA" (names.ts). */
function regionRef(v: unknown): RegionRef {
  const o = obj(v);
  return { id: str(o.id), name: displayName(str(o.name)), level: level(o.level) };
}

export function toChild(v: unknown): ChildTotals {
  const o = obj(v);
  return {
    ...regionRef(o),
    ...totals(o),
  };
}

/** The totals every group and child carries, in the same four fields. */
function totals(o: Record<string, unknown>) {
  return { stations: stations(o.stations), votes: votes(o.votes), valid: num(o.valid), invalid: num(o.invalid) };
}

export function toSnapshot(v: unknown): Snapshot {
  const o = obj(v);
  return {
    contest: str(o.contest),
    region: regionRef(o.region),
    parents: list(o.parents).map(regionRef),
    epoch: str(o.epoch),
    version: num(o.version),
    ...totals(o),
    children: list(o.children).map(toChild),
    ...legislative(o),
    // Absent stays absent, so snapshots without them keep their shape.
    ...(present(o.chain) ? { chain: chainHead(o.chain) } : {}),
    // Only on a held group's snapshot.
    ...(present(o.held) ? { held: toHeldView(o.held) } : {}),
  };
}

function chainHead(v: unknown): ChainHead {
  const o = obj(v);
  return { seq: num(o.seq), hash: str(o.hash) };
}

/** A snapshot's `held` (docs/api.md, "Publication holds"). */
function toHeldView(v: unknown): HeldView {
  const o = obj(v);
  return { seq: num(o.seq), since: str(o.since) };
}

/** Hub push `Held`: the group's publication was held (`held` true) or released. */
export function toHeld(v: unknown): HeldNotice {
  const o = obj(v);
  return { contest: str(o.contest), region: str(o.region), held: o.held === true, seq: num(o.seq), since: str(o.since) };
}

/** Hub push `TotalsChanged` (and the deltas of a `Resume`). */
export function toDelta(v: unknown): TotalsChanged {
  const o = obj(v);
  return {
    contest: str(o.contest),
    region: str(o.region),
    epoch: str(o.epoch),
    prevVersion: num(o.prevVersion),
    version: num(o.version),
    ...totals(o),
    children: list(o.children).map(toChild),
    ...legislative(o),
    chain: present(o.chain) ? chainHead(o.chain) : null,
  };
}

// ---- SubscribeWith's packed frames, `Headline` and `Delta` (docs/api.md, "Packed frames"); their bytes: packed-reader.ts ----

/** MessagePack sends a frame's items as an array in this order, leaving out trailing nils; JSON as an object with these names. */
const HEADLINE_ITEMS = ['contest', 'region', 'prevVersion', 'version', 'packed', 'seats'];
const DELTA_ITEMS = ['contest', 'region', 'prevVersion', 'version', 'packed', 'candidates', 'seats'];

function items(v: unknown, names: readonly string[]): Obj {
  return Array.isArray(v) ? Object.fromEntries(names.map((name, i) => [name, v[i]])) : obj(v);
}

/** `packed`: MessagePack `bin`, or in JSON base64 (standard alphabet); null when it is neither. */
function bytes(v: unknown): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string') return null;
  try {
    return Uint8Array.from(atob(v), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function packedFrame(o: Obj): Headline {
  const raw = bytes(o.packed);
  return {
    contest: str(o.contest),
    region: str(o.region),
    prevVersion: num(o.prevVersion),
    version: num(o.version),
    packed: raw ? readPacked(raw) : null,
    seats: toSeats(o.seats),
  };
}

/** Hub push `Headline`: totals, and a dapil's or parliament's seats (their `dapils` left empty). */
export function toHeadline(v: unknown): Headline {
  return packedFrame(items(v, HEADLINE_ITEMS));
}

/** A count that may be left out (JSON) or nil (MessagePack): absent means "did not change". */
function changed(v: unknown): number | undefined {
  return present(v) ? num(v) : undefined;
}

function candidateChange(v: unknown): CandidateChange {
  const o = obj(v);
  const c: CandidateChange = { id: str(o.id) };
  const votes = changed(o.votes);
  const rank = changed(o.rank);
  if (votes !== undefined) c.votes = votes;
  if (rank !== undefined) c.rank = rank;
  if (present(o.elected)) c.elected = o.elected === true;
  return c;
}

/** Hub push `Delta`: totals and the changed children (packed), what changed of each changed candidate, seats as in TotalsChanged. */
export function toLeanDelta(v: unknown): Delta {
  const o = items(v, DELTA_ITEMS);
  return { ...packedFrame(o), candidates: present(o.candidates) ? list(o.candidates).map(candidateChange) : null };
}

export function toResume(v: unknown): ResumeResult {
  const o = obj(v);
  const snap = o.snapshot;
  return {
    deltas: list(o.deltas).map(toDelta),
    snapshot: snap === null || snap === undefined ? null : toSnapshot(snap),
  };
}

export function toRebuilt(v: unknown): TotalsRebuilt {
  return { epoch: str(obj(v).epoch) };
}

export function toElection(v: unknown): Election {
  const o = obj(v);
  const notice = optStr(o.notice);
  return {
    id: str(o.id),
    name: str(o.name),
    notice: notice && notice.trim() ? notice : null,
    rehearsal: o.rehearsal === true,
    contests: list(o.contests).map((c) => {
      const co = obj(c);
      const kind = str(co.kind) as ContestKind;
      return {
        id: str(co.id),
        name: str(co.name),
        // An older server names no kind: its contests are the presidential pairs.
        kind: KINDS.includes(kind) ? kind : 'flat',
        choices: list(co.choices).map((ch) => ({ id: str(obj(ch).id), name: str(obj(ch).name) })),
        thresholdPercent: num(co.thresholdPercent),
        parliaments: num(co.parliaments),
      };
    }),
    parties: list(o.parties).map((p) => {
      const po = obj(p);
      return {
        id: str(po.id), number: num(po.number), shortName: str(po.shortName), name: str(po.name),
        acehOnly: po.acehOnly === true, colour: str(po.colour),
      };
    }),
  };
}

export function toParliaments(v: unknown): ParliamentInfo[] {
  return list(v).map((p) => {
    const o = obj(p);
    return {
      id: str(o.id), name: str(o.name), region: str(o.region), seats: num(o.seats),
      dapils: list(o.dapils).map((d) => {
        const dobj = obj(d);
        return { id: str(dobj.id), code: str(dobj.code), name: str(dobj.name), seats: num(dobj.seats), stations: num(dobj.stations) };
      }),
    };
  });
}
