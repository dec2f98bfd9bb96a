// SubscribeWith's packed frames (docs/api.md, "Say what you need: SubscribeWith"): a Headline
// (totals and seats) applies whenever it is newer; a Delta (totals, and children as increments
// or absolute values by index) only on exactly its prevVersion, else the state subscribes again.
import { describe, expect, it } from 'vitest';
import { choiceOrder, patchChild } from './results-merge';
import { ResultsState, applyFrame, classifyFrame, headlineOf } from './results-state';
import type { ChildTotals, Frame, Snapshot } from './types';
import { child, delta, snap } from './test/fixtures';
import { cand, dapilChild, dapilSeats, dapilSnap, parliamentSnap, seatsView } from './test/legislative-fixtures';
import { type PackChild, type PackParts, type PackTotals, type WireFrame, pack, packedFrame, viaJson } from './test/packed';
import { toLeanDelta } from './wire';

const HASH = '9f'.repeat(32);
const NOTHING = { changed: false, effect: null };
const RESUBSCRIBE = { changed: false, effect: { kind: 'resubscribe' } };

/** The national group's totals at `version`, its votes listed as "01", "02". */
function totals(version: number): PackTotals {
  return { stations: { total: 20, reported: version, quarantined: 1 }, valid: version * 11, invalid: 2, votes: [version * 10, version] };
}

function frame(prevVersion: number, version: number, parts: Partial<PackParts> = {}, items: Partial<WireFrame> = {}): WireFrame {
  return { contest: 'ppwp', region: '0', prevVersion, version, packed: pack({ totals: totals(version), ...parts }), ...items };
}

function headline(prevVersion: number, version: number, parts: Partial<PackParts> = {}, items: Partial<WireFrame> = {}): Frame {
  return packedFrame('Headline', frame(prevVersion, version, parts, items));
}

function lean(prevVersion: number, version: number, children: PackChild[] = [], parts: Partial<PackParts> = {}, items: Partial<WireFrame> = {}): Frame {
  return packedFrame('Delta', frame(prevVersion, version, { children, ...parts }, items));
}

/** A region group with three children, in a state following `view`. */
function region(view: 'full' | 'headline', version = 10): ResultsState {
  const s = new ResultsState('ppwp', '0', view);
  expect(s.onSnapshot(snap(version, 'e1', [child('1', 100, 50, 3), child('2', 10, 20, 1), child('3', 0, 0, 0)])).changed).toBe(true);
  return s;
}

const byId = (s: ResultsState, id: string): ChildTotals | undefined => s.snapshot?.children.find((c) => c.id === id);

describe('Delta frames (full view)', () => {
  it('add increments and replace absolute children by index, leaving the children skipped alone', () => {
    const s = region('full');
    const before = s.snapshot as Snapshot;
    const step = s.onFrame(lean(10, 11, [
      // A correction took 2 votes of "02" back while a station came in.
      { index: 0, reported: 1, quarantined: 1, valid: 3, invalid: 1, votes: [5, -2] },
      { index: 2, absolute: true, reported: 1, valid: 15, invalid: 1, votes: [7, 8] },
    ]));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(11);
    expect(byId(s, '1')).toEqual({
      id: '1', name: 'R1', level: 'province',
      stations: { total: 10, reported: 4, quarantined: 1 },
      votes: { '01': 105, '02': 48 }, valid: 153, invalid: 1,
    });
    expect(s.snapshot?.children[1]).toBe(before.children[1]);
    expect(byId(s, '3')).toEqual({ ...child('3', 7, 8, 1), invalid: 1 });
    expect(s.snapshot?.children.map((c) => c.id)).toEqual(['1', '2', '3']);
    // The group's totals are absolute: they replace ours.
    const { stations, votes, valid, invalid } = s.snapshot as Snapshot;
    expect({ stations, votes, valid, invalid }).toEqual({ stations: { total: 20, reported: 11, quarantined: 1 }, votes: { '01': 110, '02': 11 }, valid: 121, invalid: 2 });
  });

  it('take the chain link from the hash, and keep none when a frame brings none', () => {
    const s = region('full');
    s.onFrame(lean(10, 11, [], { hash: HASH }));
    expect(s.snapshot?.chain).toEqual({ seq: 11, hash: HASH });
    s.onFrame(lean(11, 12));
    expect(s.version).toBe(12);
    expect(s.snapshot && 'chain' in s.snapshot).toBe(false);
  });

  it('ignore a Delta whose version is held already', () => {
    const s = region('full');
    s.onFrame(lean(10, 12, [{ index: 0, votes: [1, 1] }]));
    const held = s.snapshot;
    expect(s.onFrame(lean(10, 12, [{ index: 0, votes: [1, 1] }]))).toEqual(NOTHING);
    expect(s.onFrame(lean(11, 12))).toEqual(NOTHING);
    expect(s.onFrame(lean(8, 10))).toEqual(NOTHING);
    expect(s.snapshot).toBe(held);
  });

  it('subscribe again (no Resume) across a gap; frames meanwhile wait for the snapshot, then count against it', () => {
    const s = region('full');
    expect(s.onFrame(lean(11, 12, [{ index: 0, votes: [1, 1] }]))).toEqual(RESUBSCRIBE);
    expect(s.busy).toBe(true);
    expect(s.version).toBe(10);
    // One the old subscription sent before we asked, one made from the fresh snapshot.
    expect(s.onFrame(lean(12, 13))).toEqual(NOTHING);
    expect(s.onFrame(lean(14, 15, [{ index: 1, absolute: true, reported: 2, valid: 7, votes: [3, 4] }]))).toEqual(NOTHING);
    expect(s.onSnapshot(snap(14, 'e1', [child('1', 0, 0), child('2', 0, 0)]))).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(15);
    expect(byId(s, '2')).toEqual(child('2', 3, 4, 2));
    expect(s.busy).toBe(false);
  });

  it('subscribe again on a Delta that starts before the version held: its increments would count twice', () => {
    const s = region('full');
    s.onFrame(lean(10, 12, [{ index: 0, votes: [1, 0] }]));
    expect(s.onFrame(lean(11, 13, [{ index: 0, votes: [1, 0] }]))).toEqual(RESUBSCRIBE);
    expect(byId(s, '1')?.votes).toEqual({ '01': 101, '02': 50 });
  });

  const chopped = pack({ totals: totals(11), children: [{ index: 0, votes: [1, 1] }] });
  const cannotApply: [string, Frame][] = [
    ['the group counts more choices than held (n)', lean(10, 11, [], { totals: { ...totals(11), votes: [1, 2, 3] } })],
    ['a child index past the children held', lean(10, 11, [{ index: 3, votes: [1, 1] }])],
    ['a child counts more choices than held (m: bytes left over)', lean(10, 11, [{ index: 2, votes: [1, 1, 1] }])],
    ['a child counts fewer choices than held (m: bytes missing)', lean(10, 11, [{ index: 2, votes: [1] }])],
    ['the bytes end early', packedFrame('Delta', { ...frame(10, 11), packed: chopped.subarray(0, chopped.length - 1) })],
    ['`packed` is not base64', { ...toLeanDelta({ ...(viaJson(frame(10, 11)) as object), packed: '#' }), kind: 'Delta' }],
    ['a candidate not held', lean(10, 11, [], {}, { candidates: [{ id: '9.9', votes: 1 }] })],
  ];
  for (const [why, f] of cannotApply) {
    it(`subscribe again when ${why}`, () => {
      const s = region('full');
      const held = s.snapshot;
      expect(s.onFrame(f)).toEqual(RESUBSCRIBE);
      expect(s.snapshot).toBe(held);
      expect(s.busy).toBe(true);
    });
  }

  it('list votes in the ordinal order of the choice ids, whatever order the snapshot keeps them in', () => {
    const s = new ResultsState('ppwp', '0');
    // Not integer-like: the snapshot's maps iterate in insertion order ("02" first).
    s.onSnapshot({ ...snap(10, 'e1', [{ ...child('1', 0, 0), votes: { '03': 3, '01': 1, '02': 2 } }]), votes: { '02': 2, '03': 3, '01': 1 } });
    s.onFrame(lean(10, 11, [{ index: 0, votes: [100, 200, 300] }], { totals: { ...totals(11), votes: [10, 20, 30] } }));
    expect(s.snapshot?.votes).toEqual({ '01': 10, '02': 20, '03': 30 });
    expect(Object.keys(s.snapshot?.votes ?? {})).toEqual(['02', '03', '01']);
    expect(s.snapshot?.children[0]?.votes).toEqual({ '01': 101, '02': 202, '03': 303 });
  });

  it('list "1", "10", "2" in that (ordinal) order, not numerically as JS iterates them', () => {
    const s = new ResultsState('dprd_kab', 'parliament:6403');
    s.onSnapshot({ ...parliamentSnap(10), votes: { '1': 1, '2': 2, '10': 10 }, children: [dapilChild('dapil:640301', 1, { '2': 20, '10': 100, '1': 10 })] });
    const step = s.onFrame(lean(10, 11, [{ index: 0, votes: [5, 50, 500] }],
      { totals: { ...totals(11), votes: [1000, 10000, 2000] } }, { contest: 'dprd_kab', region: 'parliament:6403' }));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.snapshot?.votes).toEqual({ '1': 1000, '10': 10000, '2': 2000 });
    expect(s.snapshot?.children[0]?.votes).toEqual({ '1': 15, '10': 150, '2': 520 });
  });

  it('merge a dapil\'s candidates field by field, and take its seats', () => {
    const s = new ResultsState('dprd_kab', 'dapil:640301');
    const candidates = [cand('1', 1, 10, 1, true), cand('1', 2, 5, 2, false), cand('2', 1, 8, 1, true)];
    s.onSnapshot(dapilSnap(10, candidates, seatsView([dapilSeats('dapil:640301', { '1': 1, '2': 1 })], { '1': 1, '2': 1 }, 2)));
    const seats = seatsView([dapilSeats('dapil:640301', { '1': 2 })], { '1': 2 }, 2);
    const step = s.onFrame(lean(10, 11, [], { totals: { ...totals(11), votes: [40, 8, 25] } }, {
      contest: 'dprd_kab', region: 'dapil:640301',
      candidates: [{ id: '1.2', votes: 30, rank: 1, elected: true }, { id: '1.1', rank: 2 }, { id: '2.1', elected: false }],
      seats,
    }));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.snapshot?.votes).toEqual({ '1': 40, '2': 8, '3': 25 });
    expect(s.snapshot?.candidates?.map((c) => [c.id, c.name, c.votes, c.rank, c.elected])).toEqual([
      ['1.1', 'C1.1', 10, 2, true], ['1.2', 'C1.2', 30, 1, true], ['2.1', 'C2.1', 8, 1, false],
    ]);
    expect(s.snapshot?.seats).toEqual(seats);
  });

  it('patch a parliament\'s dapils by index, and merge its seats.dapils by id', () => {
    const s = new ResultsState('dprd_kab', 'parliament:6403');
    s.onSnapshot(parliamentSnap(10));
    const moved = dapilSeats('dapil:640302', { '3': 3 }, 1);
    s.onFrame(lean(10, 11, [{ index: 1, reported: 1, valid: 30, votes: [0, 0, 30] }], { totals: { ...totals(11), votes: [60, 40, 80, 0] } }, {
      contest: 'dprd_kab', region: 'parliament:6403',
      seats: { total: 6, won: { '1': 2, '2': 1, '3': 3 }, threshold: null, dapils: [moved] },
    }));
    const snapNow = s.snapshot as Snapshot;
    expect(snapNow.children.map((c) => [c.id, c.stations.reported, c.votes, c.valid])).toEqual([
      ['dapil:640301', 1, { '1': 30, '2': 20, '3': 25 }, 75],
      ['dapil:640302', 2, { '1': 30, '2': 20, '3': 55 }, 105],
    ]);
    expect(snapNow.seats?.won).toEqual({ '1': 2, '2': 1, '3': 3 });
    expect(snapNow.seats?.dapils.map((d) => d.id)).toEqual(['dapil:640301', 'dapil:640302']);
    expect(snapNow.seats?.dapils[1]).toEqual(moved);
  });

  it('let a stray Headline pass: the next Delta then does not start at our version, and we subscribe again', () => {
    const s = region('full');
    expect(classifyFrame(s.snapshot as Snapshot, headline(10, 11), 'full')).toBe('ignore');
    expect(s.onFrame(headline(10, 11))).toEqual(NOTHING);
    expect(s.onFrame(lean(11, 12))).toEqual(RESUBSCRIBE);
  });
});

describe('Headline frames (headline view)', () => {
  it('replace the totals and nothing else', () => {
    const s = new ResultsState('ppwp', '0', 'headline');
    // SubscribeWith headline: a snapshot without children.
    s.onSnapshot({ ...snap(10, 'e1', []), chain: { seq: 10, hash: HASH } });
    const { chain: _, ...before } = s.snapshot as Snapshot;
    const step = s.onFrame(headline(10, 12));
    expect(step).toEqual({ changed: true, effect: null });
    // The chain link was version 10's: a headline brings none.
    expect(s.snapshot).toStrictEqual({
      ...before, version: 12,
      stations: { total: 20, reported: 12, quarantined: 1 }, votes: { '01': 120, '02': 12 }, valid: 132, invalid: 2,
    });
  });

  it('apply whenever newer, whatever the prevVersion: a headline is whole, never a gap', () => {
    const s = region('headline');
    expect(s.onFrame(headline(8, 10))).toEqual(NOTHING);
    expect(s.onFrame(headline(9, 11)).changed).toBe(true);
    expect(s.onFrame(headline(13, 14))).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(14);
    expect(s.onFrame(headline(12, 13))).toEqual(NOTHING);
  });

  it('subscribe again when a Headline counts other choices than held', () => {
    const s = region('headline');
    expect(s.onFrame(headline(10, 11, { totals: { ...totals(11), votes: [1] } }))).toEqual(RESUBSCRIBE);
    expect(s.version).toBe(10);
  });

  it('take TotalsChanged (an older server\'s Subscribe) as before: a gap resumes, deltas bring totals only', () => {
    const s = region('headline');
    expect(s.onDelta(delta(11, 12))).toEqual({ changed: false, effect: { kind: 'resume', version: 10 } });
    expect(s.onResume({ deltas: [delta(10, 11, { children: [child('1', 5, 5)] })], snapshot: null }).changed).toBe(true);
    expect(s.version).toBe(12);
    expect(s.snapshot?.children).toEqual([]);
  });

  it('cut any snapshot to the headline, so a polled one looks like the pushed one', () => {
    const s = region('headline');
    expect(s.snapshot?.children).toEqual([]);
    const p = new ResultsState('dprd_kab', 'parliament:6403', 'headline');
    p.onSnapshot(parliamentSnap(10));
    expect(p.snapshot?.children).toEqual([]);
    expect(p.snapshot?.seats?.dapils).toEqual([]);
    expect(p.snapshot?.seats?.won).toEqual({ '1': 3, '2': 1, '3': 2 });
  });

  it('bring a parliament\'s seats (total, won, threshold) without dapils', () => {
    const s = new ResultsState('dprd_kab', 'parliament:6403', 'headline');
    s.onSnapshot(headlineOf(parliamentSnap(10)));
    const seats = { total: 6, won: { '2': 4, '3': 2 }, threshold: null, dapils: [] };
    const group = { contest: 'dprd_kab', region: 'parliament:6403' };
    s.onFrame(headline(10, 11, { totals: { ...totals(11), votes: [1, 90, 50, 0] } }, { ...group, seats }));
    expect(s.snapshot?.seats).toEqual(seats);
    expect(s.snapshot?.votes).toEqual({ '1': 1, '2': 90, '3': 50, '4': 0 });
    // A frame without seats (none changed hands... or a region group) keeps ours.
    s.onFrame(headline(11, 12, { totals: { ...totals(12), votes: [1, 91, 50, 0] } }, group));
    expect(s.snapshot?.seats).toEqual(seats);
  });

  it('take a Delta\'s totals only (children are not held)', () => {
    const s = region('headline');
    expect(s.onFrame(lean(10, 11, [{ index: 0, votes: [1, 1] }, { index: 99, votes: [] }]))).toEqual({ changed: true, effect: null });
    expect(s.snapshot?.children).toEqual([]);
    expect(s.snapshot?.valid).toBe(121);
  });
});

describe('merge helpers', () => {
  it('choiceOrder sorts ids by UTF-16 code units', () => {
    expect(choiceOrder({ '03': 0, '01': 0, '02': 0 })).toEqual(['01', '02', '03']);
    expect(choiceOrder({ '2': 0, '11': 0, '1': 0, '10': 0 })).toEqual(['1', '10', '11', '2']);
    expect(choiceOrder({})).toEqual([]);
  });

  it('patchChild replaces with absolute counts and adds increments, names and stations.total untouched', () => {
    const c = child('1', 100, 50, 3);
    const p = { index: 0, reported: 1, quarantined: 2, valid: -5, invalid: 1, votes: [-5, 0] };
    expect(patchChild(c, { ...p, absolute: false })).toEqual({ ...c, stations: { total: 10, reported: 4, quarantined: 2 }, votes: { '01': 95, '02': 50 }, valid: 145, invalid: 1 });
    expect(patchChild(c, { ...p, absolute: true, valid: 0, votes: [0, 0] })).toEqual({ ...c, stations: { total: 10, reported: 1, quarantined: 2 }, votes: { '01': 0, '02': 0 }, valid: 0, invalid: 1 });
  });

  it('applyFrame leaves its input alone', () => {
    const s = snap(10, 'e1', [child('1', 1, 1)]);
    const copy = structuredClone(s);
    applyFrame(s, lean(10, 11, [{ index: 0, votes: [9, 0] }], { hash: HASH }));
    applyFrame(s, headline(10, 11), 'headline');
    expect(s).toEqual(copy);
  });
});
