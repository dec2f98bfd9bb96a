import { describe, expect, it } from 'vitest';
import { mergeChildren } from './results-merge';
import { ResultsState, acceptsSnapshot, applyDelta, classifyDelta } from './results-state';
import { child, delta, snap } from './test/fixtures';

function ready(version = 10, epoch = 'e1'): ResultsState {
  const s = new ResultsState('ppwp', '0');
  const step = s.onSnapshot(snap(version, epoch));
  expect(step).toEqual({ changed: true, effect: null });
  return s;
}

describe('classifyDelta', () => {
  it('follows the rules of docs/api.md', () => {
    const s = snap(10);
    expect(classifyDelta(s, delta(10, 12))).toBe('apply');
    expect(classifyDelta(s, delta(8, 10))).toBe('ignore');
    expect(classifyDelta(s, delta(4, 9))).toBe('ignore');
    expect(classifyDelta(s, delta(11, 12))).toBe('gap');
    expect(classifyDelta(s, delta(10, 12, { epoch: 'e2' }))).toBe('resubscribe');
    expect(classifyDelta(s, delta(10, 12, { region: '1' }))).toBe('foreign');
    // Spans a version we hold: absolute values, so applying is correct.
    expect(classifyDelta(s, delta(9, 12))).toBe('apply');
  });
});

describe('ResultsState', () => {
  it('applies a delta in order and replaces totals', () => {
    const s = ready(10);
    const step = s.onDelta(delta(10, 13));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(13);
    expect(s.snapshot?.votes['01']).toBe(13);
    expect(s.snapshot?.stations.reported).toBe(13);
  });

  it('ignores duplicates and late deltas', () => {
    const s = ready(10);
    s.onDelta(delta(10, 13));
    const before = s.snapshot;
    expect(s.onDelta(delta(10, 13))).toEqual({ changed: false, effect: null });
    expect(s.onDelta(delta(5, 9))).toEqual({ changed: false, effect: null });
    expect(s.snapshot).toBe(before);
    expect(s.version).toBe(13);
  });

  it('detects a gap and asks to resume from the held version', () => {
    const s = ready(10);
    const step = s.onDelta(delta(12, 14));
    expect(step).toEqual({ changed: false, effect: { kind: 'resume', version: 10 } });
    expect(s.version).toBe(10);
    expect(s.busy).toBe(true);
  });

  it('puts out-of-order deltas back in order through a resume', () => {
    const s = ready(10);
    // 12->14 arrives before 10->12: a gap, so the state asks to resume.
    expect(s.onDelta(delta(12, 14)).effect).toEqual({ kind: 'resume', version: 10 });
    // 10->12 arrives late while the Resume is in flight: held, not applied yet.
    expect(s.onDelta(delta(10, 12))).toEqual({ changed: false, effect: null });
    // Resume answers only what we already hold in the buffer: everything applies in order.
    const step = s.onResume({ deltas: [delta(10, 12)], snapshot: null });
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(14);
    expect(s.busy).toBe(false);
  });

  it('applies deltas returned by Resume, then the ones held meanwhile', () => {
    const s = ready(10);
    s.onDelta(delta(11, 12));
    s.onDelta(delta(12, 15)); // held during the resume
    const step = s.onResume({ deltas: [delta(10, 11), delta(11, 12)], snapshot: null });
    expect(step.changed).toBe(true);
    expect(step.effect).toBeNull();
    expect(s.version).toBe(15);
  });

  it('takes the snapshot a Resume returns when history no longer reaches', () => {
    const s = ready(10);
    s.onDelta(delta(57, 60));
    const fresh = snap(55, 'e1', [child('1', 7, 3), child('2', 1, 1)]);
    const step = s.onResume({ deltas: [], snapshot: fresh });
    expect(step.changed).toBe(true);
    // The held 57->60 delta still leaves a gap after the snapshot at 55.
    expect(step.effect).toEqual({ kind: 'resume', version: 55 });
    expect(s.snapshot?.children[0]?.votes['01']).toBe(7);
    const done = s.onResume({ deltas: [delta(55, 57)], snapshot: null });
    expect(done).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(60);
  });

  it('applies a held delta that spans the resumed snapshot version', () => {
    const s = ready(10);
    s.onDelta(delta(50, 60, { children: [child('2', 9, 9)] }));
    const step = s.onResume({ deltas: [], snapshot: snap(55, 'e1', [child('1', 7, 3), child('2', 1, 1)]) });
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(60);
    expect(s.snapshot?.children.map((c) => c.votes['01'])).toEqual([7, 9]);
  });

  it('resubscribes when a Resume keeps leaving a gap', () => {
    const s = ready(10);
    s.onDelta(delta(20, 21));
    expect(s.onResume({ deltas: [], snapshot: null }).effect).toEqual({ kind: 'resume', version: 10 });
    expect(s.onResume({ deltas: [], snapshot: null }).effect).toEqual({ kind: 'resume', version: 10 });
    expect(s.onResume({ deltas: [], snapshot: null }).effect).toEqual({ kind: 'resubscribe' });
  });

  it('resubscribes on a delta of a new epoch and keeps it for after the snapshot', () => {
    const s = ready(10);
    expect(s.onDelta(delta(3, 4, { epoch: 'e2' }))).toEqual({ changed: false, effect: { kind: 'resubscribe' } });
    // Old-epoch deltas arriving now are pointless; new-epoch ones wait for the snapshot.
    s.onDelta(delta(4, 6, { epoch: 'e2' }));
    const step = s.onSnapshot(snap(4, 'e2'));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.epoch).toBe('e2');
    expect(s.version).toBe(6);
  });

  it('accepts a snapshot of a new epoch even with a lower version', () => {
    const s = ready(100);
    expect(s.onSnapshot(snap(2, 'e9')).changed).toBe(true);
    expect(s.version).toBe(2);
  });

  it('resubscribes on TotalsRebuilt', () => {
    const s = ready(10);
    expect(s.onRebuilt()).toEqual({ changed: false, effect: { kind: 'resubscribe' } });
    expect(s.busy).toBe(true);
    expect(s.onSnapshot(snap(1, 'e2')).changed).toBe(true);
    expect(s.busy).toBe(false);
  });

  it('holds deltas that arrive before the first snapshot', () => {
    const s = new ResultsState('ppwp', '0');
    expect(s.onDelta(delta(10, 11))).toEqual({ changed: false, effect: null });
    expect(s.onDelta(delta(11, 12))).toEqual({ changed: false, effect: null });
    expect(s.onDelta(delta(8, 10))).toEqual({ changed: false, effect: null });
    const step = s.onSnapshot(snap(10));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(12);
  });

  it('ignores an older snapshot of the same epoch (stale HTTP cache)', () => {
    const s = ready(10);
    s.onDelta(delta(10, 12));
    expect(s.onSnapshot(snap(11)).changed).toBe(false);
    expect(s.version).toBe(12);
    expect(s.onSnapshot(snap(12)).changed).toBe(false);
  });

  it('ignores deltas and snapshots of another region', () => {
    const s = ready(10);
    expect(s.onDelta(delta(10, 11, { region: '1' }))).toEqual({ changed: false, effect: null });
    const other = { ...snap(20), region: { id: '1', name: 'ACEH', level: 'province' as const } };
    expect(s.onSnapshot(other).changed).toBe(false);
    expect(s.version).toBe(10);
  });
});

describe('children', () => {
  it('replaces only the listed children and keeps order', () => {
    const s = ready(10);
    s.onDelta(delta(10, 11, { children: [child('2', 5, 6, 3)] }));
    const kids = s.snapshot?.children ?? [];
    expect(kids.map((c) => c.id)).toEqual(['1', '2']);
    expect(kids[0]?.votes).toEqual({ '01': 0, '02': 0 });
    expect(kids[1]?.votes).toEqual({ '01': 5, '02': 6 });
    expect(kids[1]?.stations.reported).toBe(3);
  });

  it('appends a child the snapshot did not have', () => {
    expect(mergeChildren([child('1', 1, 1)], [child('9', 2, 2)]).map((c) => c.id)).toEqual(['1', '9']);
  });

  it('keeps the snapshot name when a delta child has none', () => {
    const merged = mergeChildren([child('1', 1, 1)], [{ ...child('1', 4, 4), name: '' }]);
    expect(merged[0]?.name).toBe('R1');
    expect(merged[0]?.votes['01']).toBe(4);
  });

  it('does not mutate the snapshot it applies to', () => {
    const s = snap(10);
    const copy = structuredClone(s);
    const next = applyDelta(s, delta(10, 11, { children: [child('1', 9, 9)] }));
    expect(s).toEqual(copy);
    expect(next.children[0]?.votes['01']).toBe(9);
    expect(acceptsSnapshot(next, s)).toBe(false);
  });
});
