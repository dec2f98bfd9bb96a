// Publication holds (docs/api.md, "Publication holds"): the held flag from the Held push and from
// a held snapshot, the release's one merged frame, and the held epoch's resync semantics.
import { describe, expect, it } from 'vitest';
import { ResultsState, acceptsSnapshot } from './results-state';
import type { HeldNotice, Snapshot } from './types';
import { child, delta, snap } from './test/fixtures';
import { pack, packedFrame } from './test/packed';

const SINCE = '2019-04-17T12:00:00.0000000+00:00';

function notice(held: boolean, seq = 40, region = '0'): HeldNotice {
  return { contest: 'ppwp', region, held, seq, since: SINCE };
}

/** The group as a held snapshot shows it: the numbers of the hold's seq, epoch `<live>-held`. */
function heldSnap(seq: number, epoch = 'e1'): Snapshot {
  return { ...snap(seq, `${epoch}-held`), held: { seq, since: SINCE } };
}

function live(version: number): ResultsState {
  const s = new ResultsState('ppwp', '0');
  s.onSnapshot(snap(version));
  return s;
}

describe('a viewer live when the hold is taken', () => {
  it('is marked held by the Held push, numbers untouched, and the age of its numbers kept', () => {
    const s = live(30);
    const before = s.snapshot;
    const step = s.onHeld(notice(true));
    expect(step).toEqual({ changed: true, effect: null, heldOnly: true });
    expect(s.held).toEqual({ seq: 40, since: SINCE });
    expect(s.version).toBe(30);
    expect(s.snapshot?.votes).toEqual(before?.votes);
    expect(s.snapshot?.children).toBe(before?.children);
    // The same notice again (another node's copy) changes nothing.
    expect(s.onHeld(notice(true)).changed).toBe(false);
  });

  it('at the release drops the mark, then applies the one frame with what moved meanwhile', () => {
    const s = live(30);
    s.onHeld(notice(true));
    expect(s.onHeld(notice(false))).toEqual({ changed: true, effect: null, heldOnly: true });
    expect(s.held).toBeNull();
    // Everything between the version held and the latest, merged into one frame.
    const step = s.onDelta(delta(30, 55, { children: [child('1', 9, 4)] }));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.version).toBe(55);
    expect(s.snapshot?.children[0]?.votes).toEqual({ '01': 9, '02': 4 });
    expect(s.held).toBeNull();
  });

  it('ignores a Held push for another group, and one before any snapshot', () => {
    const s = live(30);
    expect(s.onHeld(notice(true, 40, '1')).changed).toBe(false);
    expect(s.held).toBeNull();
    const empty = new ResultsState('ppwp', '0');
    expect(empty.onHeld(notice(true)).changed).toBe(false);
    expect(empty.held).toBeNull();
  });

  it('keeps the mark in a headline view, whose frames replace the totals only', () => {
    const s = new ResultsState('ppwp', '0', 'headline');
    s.onSnapshot(snap(30));
    s.onHeld(notice(true));
    expect(s.held).not.toBeNull();
    s.onHeld(notice(false));
    const totals = { stations: { total: 20, reported: 55, quarantined: 0 }, valid: 55, invalid: 0, votes: [55, 0] };
    const headline = packedFrame('Headline', { contest: 'ppwp', region: '0', prevVersion: 30, version: 55, packed: pack({ totals }) });
    expect(s.onFrame(headline).changed).toBe(true);
    expect(s.version).toBe(55);
    expect(s.held).toBeNull();
  });

  it('reconnecting after a release it missed, takes the same version without the mark', () => {
    const s = live(30);
    s.onHeld(notice(true));
    s.expectSnapshot();
    // Nothing moved in this group during the hold: the fresh live snapshot has our version.
    const step = s.onSnapshot(snap(30));
    expect(step.changed).toBe(true);
    expect(s.held).toBeNull();
  });
});

describe('a viewer whose snapshot is taken during the hold', () => {
  it('is marked held by the snapshot itself', () => {
    const s = new ResultsState('ppwp', '0');
    expect(s.onSnapshot(heldSnap(40)).changed).toBe(true);
    expect(s.held).toEqual({ seq: 40, since: SINCE });
    expect(s.epoch).toBe('e1-held');
  });

  it('at the release takes a fresh snapshot (TotalsRebuilt), even one with a lower version: another epoch', () => {
    const s = new ResultsState('ppwp', '0');
    s.onSnapshot(heldSnap(40));
    s.onHeld(notice(false));
    expect(s.held).toBeNull();
    expect(s.onRebuilt()).toEqual({ changed: false, effect: { kind: 'resubscribe' } });
    // A village whose numbers last moved at 25: the hold's seq (the whole count's) was 40.
    const step = s.onSnapshot(snap(25));
    expect(step).toEqual({ changed: true, effect: null });
    expect(s.epoch).toBe('e1');
    expect(s.version).toBe(25);
    expect(s.held).toBeNull();
  });

  it('never applies a live frame to held numbers: their epoch differs, so it resubscribes', () => {
    const s = new ResultsState('ppwp', '0');
    s.onSnapshot(heldSnap(40));
    const step = s.onDelta(delta(40, 45));
    expect(step.effect).toEqual({ kind: 'resubscribe' });
    expect(s.version).toBe(40);
    expect(s.busy).toBe(true);
    // The fresh snapshot decides; the frame of its epoch that waited then applies on top.
    expect(s.onSnapshot(snap(40)).changed).toBe(true);
    expect(s.version).toBe(45);
    expect(s.held).toBeNull();
  });

  it('goes from live to held when it resubscribes during the hold (a reconnect)', () => {
    const s = live(30);
    s.expectSnapshot();
    expect(s.onSnapshot(heldSnap(40)).changed).toBe(true);
    expect(s.held).toEqual({ seq: 40, since: SINCE });
    expect(s.version).toBe(40);
  });
});

describe('which snapshot wins across the held epoch', () => {
  it('refuses a held snapshot older than the live numbers held (a cache answering after the release)', () => {
    expect(acceptsSnapshot(snap(55), heldSnap(40))).toBe(false);
    expect(acceptsSnapshot(snap(40), heldSnap(40))).toBe(true);
    expect(acceptsSnapshot(snap(30), heldSnap(40))).toBe(true);
    const s = live(55);
    expect(s.onSnapshot(heldSnap(40)).changed).toBe(false);
    expect(s.version).toBe(55);
    expect(s.held).toBeNull();
  });

  it('takes a held snapshot after a rebuild (another live epoch), and live numbers after held ones whatever their version', () => {
    expect(acceptsSnapshot(snap(55, 'e0'), heldSnap(40))).toBe(true);
    expect(acceptsSnapshot(heldSnap(40), snap(25))).toBe(true);
    expect(acceptsSnapshot(heldSnap(40), heldSnap(39))).toBe(false);
  });
});
