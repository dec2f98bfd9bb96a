// Small builders for snapshots and deltas used by the unit tests.
import type { ChildTotals, Snapshot, TotalsChanged } from '../types';

export function child(id: string, v1: number, v2: number, reported = 1, total = 10): ChildTotals {
  return {
    id, name: `R${id}`, level: 'province',
    stations: { total, reported, quarantined: 0 },
    votes: { '01': v1, '02': v2 }, valid: v1 + v2, invalid: 0,
  };
}

export function snap(version: number, epoch = 'e1', children: ChildTotals[] = [child('1', 0, 0), child('2', 0, 0)]): Snapshot {
  return {
    contest: 'ppwp',
    region: { id: '0', name: 'IDN', level: 'national' },
    parents: [],
    epoch, version,
    stations: { total: 20, reported: version, quarantined: 0 },
    votes: { '01': version, '02': 0 }, valid: version, invalid: 0,
    children,
  };
}

export function delta(prevVersion: number, version: number, opts: { epoch?: string; children?: ChildTotals[]; region?: string } = {}): TotalsChanged {
  return {
    contest: 'ppwp', region: opts.region ?? '0', epoch: opts.epoch ?? 'e1',
    prevVersion, version,
    stations: { total: 20, reported: version, quarantined: 0 },
    votes: { '01': version, '02': 0 }, valid: version, invalid: 0,
    children: opts.children ?? [],
  };
}
