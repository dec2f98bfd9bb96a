// Writes SubscribeWith's packed frames as the server does (layout 2), for the tests: the
// client only reads them. wire.test.ts checks this writer against hand-written bytes.
import { decode, encode } from '@msgpack/msgpack';
import type { Frame, StationCounts } from '../types';
import { toHeadline, toLeanDelta } from '../wire';

/** Unsigned LEB128, by arithmetic: 32-bit bit operations would cut numbers past 2^31. */
export function uint(n: number): number[] {
  const out: number[] = [];
  for (let rest = n; ; rest = Math.floor(rest / 128)) {
    const low = rest % 128;
    if (rest < 128) return [...out, low];
    out.push(low + 128);
  }
}

/** Zigzag (0, -1, 1, -2 … as 0, 1, 2, 3 …), then LEB128. */
export function sint(n: number): number[] {
  return uint(n >= 0 ? n * 2 : -n * 2 - 1);
}

export interface PackTotals {
  stations: StationCounts;
  valid: number;
  invalid: number;
  /** In the ordinal order of the group's choice ids. */
  votes: number[];
}

export interface PackChild {
  index: number;
  absolute?: boolean;
  reported?: number;
  quarantined?: number;
  valid?: number;
  invalid?: number;
  /** As many as the child holds: the layout does not say how many. */
  votes: number[];
}

export interface PackParts {
  totals: PackTotals;
  /** 64 hex digits. */
  hash?: string;
  /** Absent: the children flag is clear (a Headline's). */
  children?: PackChild[];
}

export function pack({ totals, hash, children }: PackParts): Uint8Array {
  const { stations: st } = totals;
  const out = [(hash ? 1 : 0) + (children ? 2 : 0)];
  for (const n of [st.reported, st.quarantined, st.total, totals.valid, totals.invalid]) out.push(...sint(n));
  out.push(...uint(totals.votes.length));
  for (const n of totals.votes) out.push(...sint(n));
  if (hash) for (let i = 0; i < hash.length; i += 2) out.push(parseInt(hash.slice(i, i + 2), 16));
  if (children) {
    out.push(...uint(children.length));
    let previous = -1;
    for (const c of children) {
      out.push(...uint((c.index - previous - 1) * 2 + (c.absolute ? 1 : 0)));
      for (const n of [c.reported ?? 0, c.quarantined ?? 0, c.valid ?? 0, c.invalid ?? 0, ...c.votes]) out.push(...sint(n));
      previous = c.index;
    }
  }
  return Uint8Array.from(out);
}

/** A frame as the server names its items (JSON); MessagePack sends the same items as an array. */
export interface WireFrame {
  contest: string;
  region: string;
  prevVersion: number;
  version: number;
  packed: Uint8Array;
  candidates?: unknown[] | null;
  seats?: unknown;
}

/** Through JSON, as the hub's JSON protocol hands it over: `packed` in base64, absent items left out. */
export function viaJson(f: WireFrame): unknown {
  return JSON.parse(JSON.stringify({ ...f, packed: Buffer.from(f.packed).toString('base64') }));
}

/** Through MessagePack: an array in the frame's order, trailing nils left out, as the server writes it. */
export function viaMsgpack(target: 'Headline' | 'Delta', f: WireFrame): unknown {
  const items = target === 'Headline'
    ? [f.contest, f.region, f.prevVersion, f.version, f.packed, f.seats]
    : [f.contest, f.region, f.prevVersion, f.version, f.packed, f.candidates, f.seats];
  while (items.length > 0 && (items.at(-1) === undefined || items.at(-1) === null)) items.pop();
  return decode(encode(items));
}

/** A frame as the client's hub handlers hand it to the state (through JSON here). */
export function packedFrame(kind: 'Headline' | 'Delta', f: WireFrame): Frame {
  return kind === 'Headline' ? { ...toHeadline(viaJson(f)), kind } : { ...toLeanDelta(viaJson(f)), kind };
}
