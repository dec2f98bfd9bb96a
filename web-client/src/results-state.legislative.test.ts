// The state machine on dapil and parliament groups: candidates and seats in deltas
// (ResultsMessages.cs), with the same ordering rules as regions (docs/api.md "Applying deltas").
import { describe, expect, it } from 'vitest';
import { mergeSeats } from './results-merge';
import { ResultsState, applyDelta } from './results-state';
import { cand, dapilChild, dapilSeats, dapilSnap, legDelta, parliamentSnap, seatsView } from './test/legislative-fixtures';

function dapilState(version = 10): ResultsState {
  const s = new ResultsState('dprd_kab', 'dapil:640301');
  const candidates = [cand('1', 1, 10, 1, true), cand('1', 2, 5, 2, false), cand('2', 1, 8, 1, true), cand('2', 2, 2, 2, false)];
  expect(s.onSnapshot(dapilSnap(version, candidates, seatsView([dapilSeats('dapil:640301', { '1': 1, '2': 1 })], { '1': 1, '2': 1 }, 2)))).toEqual({ changed: true, effect: null });
  return s;
}

function parliamentState(version = 10): ResultsState {
  const s = new ResultsState('dprd_kab', 'parliament:6403');
  expect(s.onSnapshot(parliamentSnap(version)).changed).toBe(true);
  return s;
}

describe('dapil deltas', () => {
  it('replace the candidates that moved by id and keep the others in order', () => {
    const s = dapilState();
    const seats = seatsView([dapilSeats('dapil:640301', { '1': 2 })], { '1': 2 }, 2);
    const step = s.onDelta(legDelta('dapil:640301', 10, 11, {
      candidates: [cand('1', 2, 12, 1, true), cand('1', 1, 10, 2, true), cand('2', 1, 8, 1, false)],
      seats,
    }));
    expect(step).toEqual({ changed: true, effect: null });
    const c = s.snapshot?.candidates ?? [];
    expect(c.map((x) => x.id)).toEqual(['1.1', '1.2', '2.1', '2.2']);
    expect(c.map((x) => [x.votes, x.rank, x.elected])).toEqual([[10, 2, true], [12, 1, true], [8, 1, false], [2, 2, false]]);
    // A dapil's seats come in full.
    expect(s.snapshot?.seats).toEqual(seats);
    expect(s.version).toBe(11);
  });

  it('keep candidates and seats when a delta has none (nothing moved)', () => {
    const s = dapilState();
    const before = s.snapshot;
    s.onDelta(legDelta('dapil:640301', 10, 11, { candidates: [], seats: before?.seats ?? null }));
    expect(s.snapshot?.candidates).toEqual(before?.candidates);
    s.onDelta(legDelta('dapil:640301', 11, 12, { candidates: null, seats: null }));
    expect(s.snapshot?.candidates).toEqual(before?.candidates);
    expect(s.snapshot?.seats).toEqual(before?.seats);
  });

  it('ignore stale deltas and resume across a gap, candidates included', () => {
    const s = dapilState(10);
    expect(s.onDelta(legDelta('dapil:640301', 8, 10, { candidates: [cand('1', 1, 99, 1, true)] }))).toEqual({ changed: false, effect: null });
    expect(s.snapshot?.candidates?.[0]?.votes).toBe(10);
    // 12 -> 13 before 10 -> 12: a gap.
    expect(s.onDelta(legDelta('dapil:640301', 12, 13, { candidates: [cand('2', 2, 40, 1, true)] })).effect).toEqual({ kind: 'resume', version: 10 });
    const step = s.onResume({ deltas: [legDelta('dapil:640301', 10, 12, { candidates: [cand('1', 1, 20, 1, true)] })], snapshot: null });
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(13);
    const byId = new Map((s.snapshot?.candidates ?? []).map((c) => [c.id, c]));
    expect(byId.get('1.1')?.votes).toBe(20);
    expect(byId.get('2.2')?.votes).toBe(40);
    expect(byId.get('2.2')?.rank).toBe(1);
  });
});

describe('parliament deltas', () => {
  it('replace the changed dapils among the children and in seats.dapils, and the totals of seats', () => {
    const s = parliamentState();
    const changed = dapilSeats('dapil:640302', { '3': 3 }, 1);
    const step = s.onDelta(legDelta('parliament:6403', 10, 12, {
      children: [dapilChild('dapil:640302', 2, { '1': 10, '2': 5, '3': 70 })],
      seats: seatsView([changed], { '1': 2, '2': 1, '3': 3 }),
    }));
    expect(step).toEqual({ changed: true, effect: null });
    const snap = s.snapshot;
    expect(snap?.children.map((c) => c.id)).toEqual(['dapil:640301', 'dapil:640302']);
    expect(snap?.children[1]?.votes['3']).toBe(70);
    expect(snap?.children[1]?.name).toBe('Dapil dapil:640302');
    expect(snap?.seats?.won).toEqual({ '1': 2, '2': 1, '3': 3 });
    expect(snap?.seats?.dapils.map((d) => d.id)).toEqual(['dapil:640301', 'dapil:640302']);
    expect(snap?.seats?.dapils[0]?.won).toEqual({ '1': 2, '2': 1 });
    expect(snap?.seats?.dapils[1]).toEqual(changed);
    expect(snap?.candidates).toBeNull();
  });

  it('ignore a stale delta, ask to resume across a gap, and take a Resume snapshot', () => {
    const s = parliamentState(10);
    expect(s.onDelta(legDelta('parliament:6403', 9, 10, { seats: seatsView([], {}) }))).toEqual({ changed: false, effect: null });
    expect(s.snapshot?.seats?.won).toEqual({ '1': 3, '2': 1, '3': 2 });
    expect(s.onDelta(legDelta('parliament:6403', 11, 12, { seats: seatsView([], { '1': 6 }) })).effect).toEqual({ kind: 'resume', version: 10 });
    expect(s.busy).toBe(true);
    const fresh = parliamentSnap(11);
    const step = s.onResume({ deltas: [], snapshot: fresh });
    // The snapshot at 11, then the held 11 -> 12 on top of it.
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(12);
    expect(s.snapshot?.seats?.won).toEqual({ '1': 6 });
    expect(s.snapshot?.seats?.dapils).toHaveLength(2);
  });

  it('resubscribes on a delta of another epoch', () => {
    const s = parliamentState(10);
    expect(s.onDelta({ ...legDelta('parliament:6403', 10, 11), epoch: 'e2' }).effect).toEqual({ kind: 'resubscribe' });
  });
});

describe('applying to region groups', () => {
  it('leaves a region snapshot without legislative sections', () => {
    const region = { ...parliamentSnap(1), region: { id: '6403', name: 'BERAU', level: 'regency' as const }, candidates: undefined, seats: undefined };
    const next = applyDelta(region, legDelta('6403', 1, 2));
    expect('candidates' in next && next.candidates !== undefined).toBe(false);
    expect('seats' in next && next.seats !== undefined).toBe(false);
  });

  it('merges seats by dapil id, adding a dapil the snapshot lacked', () => {
    const merged = mergeSeats(seatsView([dapilSeats('a', { '1': 1 })], { '1': 1 }), seatsView([dapilSeats('b', { '2': 1 })], { '1': 1, '2': 1 }));
    expect(merged?.dapils.map((d) => d.id)).toEqual(['a', 'b']);
    expect(merged?.won).toEqual({ '1': 1, '2': 1 });
  });
});
