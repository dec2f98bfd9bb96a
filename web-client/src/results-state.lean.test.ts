// The lean frames of SubscribeWith (docs/api.md, "Say what you need: SubscribeWith" and
// "Applying deltas"): Headline (totals and seats) and Delta (totals and, per changed child or
// candidate, only the fields that changed), with the same version rules as TotalsChanged.
import { describe, expect, it } from 'vitest';
import { ResultsState, applyFrame, classifyFrame, headlineOf, patchById, patchChild } from './results-state';
import type { ChildTotals, Delta, Frame, Headline, Snapshot } from './types';
import { child, delta, snap } from './test/fixtures';
import { cand, dapilSeats, dapilSnap, parliamentSnap, seatsView } from './test/legislative-fixtures';

function headline(prevVersion: number, version: number, part: Partial<Headline> = {}): Frame {
  return {
    kind: 'Headline', contest: 'ppwp', region: '0', epoch: 'e1', prevVersion, version,
    stations: { total: 20, reported: version, quarantined: 1 },
    votes: { '01': version * 10, '02': version }, valid: version * 11, invalid: 2,
    ...part,
  };
}

function lean(prevVersion: number, version: number, part: Partial<Delta> = {}): Frame {
  return {
    kind: 'Delta', contest: 'ppwp', region: '0', epoch: 'e1', prevVersion, version,
    stations: { total: 20, reported: version, quarantined: 0 },
    votes: { '01': version, '02': 0 }, valid: version, invalid: 0,
    children: [],
    ...part,
  };
}

/** A region group with three children, in a state following `view`. */
function region(view: 'full' | 'headline', version = 10): ResultsState {
  const s = new ResultsState('ppwp', '0', view);
  expect(s.onSnapshot(snap(version, 'e1', [child('1', 100, 50, 3), child('2', 10, 20, 1), child('3', 0, 0, 0)])).changed).toBe(true);
  return s;
}

const byId = (s: ResultsState, id: string): ChildTotals | undefined => s.snapshot?.children.find((c) => c.id === id);

describe('Delta frames (full view)', () => {
  it('merge only the fields a child lists; votes key by key; absent fields and other children unchanged', () => {
    const s = region('full');
    const step = s.onFrame(lean(10, 11, { children: [{ id: '2', reported: 2, votes: { '02': 25 }, valid: 35 }] }));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(11);
    expect(byId(s, '2')).toEqual({
      id: '2', name: 'R2', level: 'province',
      stations: { total: 10, reported: 2, quarantined: 0 },
      votes: { '01': 10, '02': 25 }, valid: 35, invalid: 0,
    });
    // Untouched children are the very same objects, in the snapshot's order.
    expect(s.snapshot?.children.map((c) => c.id)).toEqual(['1', '2', '3']);
    expect(byId(s, '1')).toEqual(child('1', 100, 50, 3));
    // The group's totals are absolute: they replace ours.
    expect(s.snapshot?.votes).toEqual({ '01': 11, '02': 0 });
    expect(s.snapshot?.stations.reported).toBe(11);
  });

  it('merge quarantined, invalid and a new choice key; a child listed with only its id changes nothing', () => {
    const s = region('full');
    s.onFrame(lean(10, 11, { children: [{ id: '1', quarantined: 1, invalid: 4, votes: { '03': 7 } }, { id: '3' }] }));
    expect(byId(s, '1')).toEqual({ ...child('1', 100, 50, 3), stations: { total: 10, reported: 3, quarantined: 1 }, votes: { '01': 100, '02': 50, '03': 7 }, invalid: 4 });
    expect(byId(s, '3')).toEqual(child('3', 0, 0, 0));
  });

  it('apply a frame that starts before the held version (conflated under a rate cap)', () => {
    const s = region('full');
    s.onFrame(lean(10, 12, { children: [{ id: '1', votes: { '01': 120 }, valid: 170 }] }));
    // 10 -> 14 covers 10 -> 12 again plus what came since: whole from 12 too.
    const step = s.onFrame(lean(10, 14, { children: [{ id: '1', votes: { '01': 130 }, valid: 180, reported: 4 }, { id: '2', votes: { '01': 11 } }] }));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(14);
    expect(byId(s, '1')?.votes).toEqual({ '01': 130, '02': 50 });
    expect(byId(s, '1')?.stations.reported).toBe(4);
    expect(byId(s, '2')?.votes).toEqual({ '01': 11, '02': 20 });
  });

  it('ignore duplicates and frames already covered', () => {
    const s = region('full');
    s.onFrame(lean(10, 14, { children: [{ id: '1', valid: 999 }] }));
    const held = s.snapshot;
    expect(s.onFrame(lean(10, 14, { children: [{ id: '1', valid: 1 }] }))).toEqual({ changed: false, effect: null });
    expect(s.onFrame(lean(11, 13, { children: [{ id: '1', valid: 2 }] }))).toEqual({ changed: false, effect: null });
    expect(s.snapshot).toBe(held);
  });

  it('resume across a gap, apply the Resume deltas, then the held frame', () => {
    const s = region('full');
    expect(s.onFrame(lean(12, 13, { children: [{ id: '1', votes: { '02': 60 } }] }))).toEqual({ changed: false, effect: { kind: 'resume', version: 10 } });
    expect(s.busy).toBe(true);
    // Resume answers whole TotalsChanged deltas, as for Subscribe.
    const step = s.onResume({ deltas: [delta(10, 11), delta(11, 12, { children: [child('1', 110, 55, 4)] })], snapshot: null });
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(13);
    expect(byId(s, '1')?.votes).toEqual({ '01': 110, '02': 60 });
    expect(byId(s, '1')?.stations.reported).toBe(4);
  });

  it('take a fresh snapshot on a new epoch, then apply what the new epoch sent meanwhile', () => {
    const s = region('full');
    expect(s.onFrame(lean(0, 2, { epoch: 'e2' }))).toEqual({ changed: false, effect: { kind: 'resubscribe' } });
    expect(s.onFrame(lean(2, 3, { epoch: 'e2', children: [{ id: '2', valid: 77 }] }))).toEqual({ changed: false, effect: null });
    const step = s.onSnapshot(snap(2, 'e2', [child('1', 0, 0), child('2', 1, 1)]));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.epoch).toBe('e2');
    expect(s.version).toBe(3);
    expect(byId(s, '2')?.valid).toBe(77);
  });

  it('start over when a Delta names a child the snapshot does not have', () => {
    const s = region('full');
    expect(s.onFrame(lean(10, 11, { children: [{ id: '9', valid: 1 }] }))).toEqual({ changed: false, effect: { kind: 'resubscribe' } });
    expect(s.version).toBe(10);
    expect(s.busy).toBe(true);
  });

  it('merge a dapil\'s candidates field by field, and take its seats', () => {
    const s = new ResultsState('dprd_kab', 'dapil:640301');
    const candidates = [cand('1', 1, 10, 1, true), cand('1', 2, 5, 2, false), cand('2', 1, 8, 1, true)];
    s.onSnapshot(dapilSnap(10, candidates, seatsView([dapilSeats('dapil:640301', { '1': 1, '2': 1 })], { '1': 1, '2': 1 }, 2)));
    const seats = seatsView([dapilSeats('dapil:640301', { '1': 2 })], { '1': 2 }, 2);
    const step = s.onFrame(lean(10, 11, {
      contest: 'dprd_kab', region: 'dapil:640301', votes: { '1': 40, '2': 8 },
      candidates: [{ id: '1.2', votes: 30, rank: 1, elected: true }, { id: '1.1', rank: 2 }, { id: '2.1', elected: false }],
      seats,
    }));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.snapshot?.candidates?.map((c) => [c.id, c.name, c.votes, c.rank, c.elected])).toEqual([
      ['1.1', 'C1.1', 10, 2, true], ['1.2', 'C1.2', 30, 1, true], ['2.1', 'C2.1', 8, 1, false],
    ]);
    expect(s.snapshot?.seats).toEqual(seats);
  });

  it('merge a parliament\'s dapils (children and seats.dapils) by id', () => {
    const s = new ResultsState('dprd_kab', 'parliament:6403');
    s.onSnapshot(parliamentSnap(10));
    const moved = dapilSeats('dapil:640302', { '3': 3 }, 1);
    s.onFrame(lean(10, 11, {
      contest: 'dprd_kab', region: 'parliament:6403', votes: { '1': 60, '2': 40, '3': 80, '4': 0 },
      children: [{ id: 'dapil:640302', reported: 2, votes: { '3': 55 }, valid: 105 }],
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

  it('let a stray Headline pass: the next frame shows the gap, and Resume fills it', () => {
    const s = region('full');
    expect(classifyFrame(s.snapshot as Snapshot, headline(10, 11), 'full')).toBe('ignore');
    expect(s.onFrame(headline(10, 11))).toEqual({ changed: false, effect: null });
    expect(s.onFrame(lean(11, 12)).effect).toEqual({ kind: 'resume', version: 10 });
  });
});

describe('Headline frames (headline view)', () => {
  it('replace the totals and nothing else', () => {
    const s = new ResultsState('ppwp', '0', 'headline');
    // SubscribeWith headline: a snapshot without children.
    s.onSnapshot(snap(10, 'e1', []));
    const before = s.snapshot as Snapshot;
    const step = s.onFrame(headline(10, 12));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.snapshot).toEqual({
      ...before, version: 12,
      stations: { total: 20, reported: 12, quarantined: 1 }, votes: { '01': 120, '02': 12 }, valid: 132, invalid: 2,
    });
  });

  it('follow the same version rules: late, spanning, gap, new epoch', () => {
    const s = region('headline');
    expect(s.onFrame(headline(8, 10))).toEqual({ changed: false, effect: null });
    expect(s.onFrame(headline(9, 11)).changed).toBe(true);
    expect(s.onFrame(headline(13, 14))).toEqual({ changed: false, effect: { kind: 'resume', version: 11 } });
    // Resume answers TotalsChanged: in a headline view only their totals count.
    expect(s.onResume({ deltas: [delta(11, 13, { children: [child('1', 5, 5)] })], snapshot: null }).changed).toBe(true);
    expect(s.version).toBe(14);
    expect(s.snapshot?.children).toEqual([]);
    expect(s.onFrame(headline(0, 1, { epoch: 'e2' })).effect).toEqual({ kind: 'resubscribe' });
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
    s.onFrame(headline(10, 11, { contest: 'dprd_kab', region: 'parliament:6403', votes: { '1': 1, '2': 90, '3': 50, '4': 0 }, seats }));
    expect(s.snapshot?.seats).toEqual(seats);
    expect(s.snapshot?.votes['2']).toBe(90);
    // A frame without seats (none changed hands... or a region group) keeps ours.
    s.onFrame(headline(11, 12, { contest: 'dprd_kab', region: 'parliament:6403' }));
    expect(s.snapshot?.seats).toEqual(seats);
  });

  it('take a Delta\'s totals only (children are not held)', () => {
    const s = region('headline');
    expect(s.onFrame(lean(10, 11, { children: [{ id: '1', valid: 5 }, { id: '99', valid: 1 }] }))).toEqual({ changed: true, effect: null });
    expect(s.snapshot?.children).toEqual([]);
    expect(s.snapshot?.valid).toBe(11);
  });
});

describe('merge helpers', () => {
  it('patchById reports a change to an item it does not hold', () => {
    const kids = [child('1', 1, 1), child('2', 2, 2)];
    expect(patchById(kids, [], patchChild)).toBe(kids);
    expect(patchById(kids, [{ id: '3', valid: 1 }], patchChild)).toBeNull();
    // The same id twice: both apply, in order.
    expect(patchById(kids, [{ id: '2', valid: 7 }, { id: '2', invalid: 1 }], patchChild)?.[1]).toEqual({ ...child('2', 2, 2), valid: 7, invalid: 1 });
  });

  it('applyFrame leaves its input alone', () => {
    const s = snap(10, 'e1', [child('1', 1, 1)]);
    const copy = structuredClone(s);
    applyFrame(s, lean(10, 11, { children: [{ id: '1', votes: { '01': 9 } }] }));
    applyFrame(s, headline(10, 11), 'headline');
    expect(s).toEqual(copy);
  });
});
