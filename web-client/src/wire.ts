// Turns what arrives off the wire (JSON or MessagePack) into the typed shapes.
// MessagePack may hand us bigint for 64-bit integers and maps with missing optional
// fields, so every number goes through num() and every list defaults to empty: the rest
// of the client can then trust the types.
import type {
  ChildTotals, Election, Level, RegionRef, ResumeResult, Snapshot, StationCounts,
  TotalsChanged, TotalsRebuilt, Votes,
} from './types';

type Obj = Record<string, unknown>;

const LEVELS: readonly Level[] = ['national', 'province', 'regency', 'district', 'village', 'tps'];

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

function regionRef(v: unknown): RegionRef {
  const o = obj(v);
  return { id: str(o.id), name: str(o.name), level: level(o.level) };
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
  };
}

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
  };
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
  return {
    id: str(o.id),
    name: str(o.name),
    contests: list(o.contests).map((c) => {
      const co = obj(c);
      return {
        id: str(co.id),
        name: str(co.name),
        choices: list(co.choices).map((ch) => ({ id: str(obj(ch).id), name: str(obj(ch).name) })),
      };
    }),
  };
}
