// How the pieces of a pushed frame merge into what a ResultsState holds: children, candidates
// and seat dapils replaced or patched by id, and a packed Delta's children patched by their
// place in the snapshot (docs/api.md, "Applying deltas" and "Packed frames"). Pure functions.
import type { CandidateChange, CandidateResults, ChildPatch, ChildTotals, SeatsView, Votes } from './types';
import { readChildren } from './packed-reader';

/**
 * Replaces the listed items by id (`replace` decides what the held one becomes), keeps the
 * others and their order, appends new ones.
 */
export function mergeById<T extends { id: string }>(
  items: readonly T[], changed: readonly T[], replace: (held: T, next: T) => T = (_, next) => next,
): T[] {
  if (changed.length === 0) return items as T[];
  const byId = new Map(changed.map((c) => [c.id, c]));
  const merged = items.map((c) => {
    const next = byId.get(c.id);
    if (!next) return c;
    byId.delete(c.id);
    return replace(c, next);
  });
  return byId.size === 0 ? merged : merged.concat([...byId.values()]);
}

/** Replaces the listed children by id, keeps the others and their order, appends new ones. */
export function mergeChildren(children: ChildTotals[], changed: ChildTotals[]): ChildTotals[] {
  // Should a delta child come without its name (names never change), keep the snapshot's.
  return mergeById(children, changed, (c, next) => (next.name ? next : { ...next, name: c.name, level: c.level }));
}

/** A dapil's delta lists only the candidates that moved: replace those by id. */
export function mergeCandidates(candidates: CandidateResults[] | null | undefined, changed: CandidateResults[] | null | undefined): CandidateResults[] | null {
  if (!changed) return candidates ?? null;
  return mergeById(candidates ?? [], changed);
}

/**
 * A delta's seats: total, won and threshold replace ours; its `dapils` are the ones that
 * changed (a parliament's) or the one dapil (a dapil's own), replaced by id either way.
 */
export function mergeSeats(seats: SeatsView | null | undefined, changed: SeatsView | null | undefined): SeatsView | null {
  if (!changed) return seats ?? null;
  if (!seats) return changed;
  return { ...changed, dapils: mergeById(seats.dapils, changed.dapils) };
}

/**
 * The order in which packed frames list a votes map's counts: the ordinal (UTF-16 code unit)
 * order of its choice ids ("01", "02", "03"; "1", "10", "2"), which is what sort() does by
 * default. Not the map's own key order: integer-like keys ("1", "2") iterate numerically.
 */
export function choiceOrder(votes: Votes): string[] {
  return Object.keys(votes).sort();
}

/** Counts listed in choiceOrder(held) put on their ids (keeping held's key order), each combined with the one held. */
export function withCounts(held: Votes, counts: readonly number[], combine: (held: number, count: number) => number): Votes {
  const out = { ...held };
  choiceOrder(held).forEach((id, i) => { out[id] = combine(held[id] ?? 0, counts[i] ?? 0); });
  return out;
}

/** A Delta's patch on the child we hold: absolute counts replace ours, the others are increments. */
export function patchChild(c: ChildTotals, p: ChildPatch): ChildTotals {
  const to = (held: number, count: number): number => (p.absolute ? count : held + count);
  return {
    ...c,
    stations: { ...c.stations, reported: to(c.stations.reported, p.reported), quarantined: to(c.stations.quarantined, p.quarantined) },
    votes: withCounts(c.votes, p.votes, to),
    valid: to(c.valid, p.valid),
    invalid: to(c.invalid, p.invalid),
  };
}

/**
 * A Delta's packed children applied by index to the children we hold; null when they do not
 * read against ours (an index past them, a vote count that differs): only a fresh snapshot helps.
 */
export function patchChildren(children: ChildTotals[], packed: Uint8Array | null): ChildTotals[] | null {
  if (!packed) return children;
  const patches = readChildren(packed, children.map((c) => Object.keys(c.votes).length));
  if (!patches) return null;
  const out = children.slice();
  for (const p of patches) out[p.index] = patchChild(out[p.index] as ChildTotals, p);
  return out;
}

/** A Delta's candidate merged into the one we hold. */
export function patchCandidate(c: CandidateResults, ch: CandidateChange): CandidateResults {
  return { ...c, votes: ch.votes ?? c.votes, rank: ch.rank ?? c.rank, elected: ch.elected ?? c.elected };
}

/**
 * Merges changes into the items we hold, by id, keeping order. Null when a change names an
 * item we do not hold: its other fields are unknown, only a fresh snapshot can tell them.
 */
export function patchById<T extends { id: string }, C extends { id: string }>(items: readonly T[], changes: readonly C[], patch: (item: T, change: C) => T): T[] | null {
  if (changes.length === 0) return items as T[];
  const byId = new Map<string, C[]>();
  for (const ch of changes) byId.set(ch.id, [...(byId.get(ch.id) ?? []), ch]);
  let found = 0;
  const out = items.map((item) => {
    const list = byId.get(item.id);
    if (!list) return item;
    found++;
    return list.reduce(patch, item);
  });
  return found === byId.size ? out : null;
}
