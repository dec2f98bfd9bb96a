import { describe, expect, it, vi } from 'vitest';
import { BallotCache, choicesFor, fetchBallot, partyColor } from './election';
import {
  allocated, candidateLists, closestDapils, dapilRows, hemicycle, hemicycleRows, majority, partiesOnBallot, partyStandings,
  sortDapils, topParties,
} from './legislative';
import { headlineOf } from './results-state';
import type { ContestInfo } from './types';
import { DPRD_KAB as info, PARTIES as parties, cand, parliamentSnap } from './test/legislative-fixtures';

describe('party colours', () => {
  it('are CSS variables per party with the election colour as default', () => {
    const choices = choicesFor(info, {}, parties);
    expect(choices[0]).toEqual({ id: '1', name: 'PKB', color: 'var(--broadcast-party-1, #00b156)', fullName: 'Partai Kebangkitan Bangsa' });
    // A party the election gives no colour for falls back to the palette.
    expect(choices[3]?.color).toMatch(/^var\(--broadcast-party-4, #[0-9a-f]{6}\)$/);
    expect(partyColor('5', 'red;}', 0)).toBe('var(--broadcast-party-5, #c0392b)');
  });

  it('leave the presidential pairs as they were', () => {
    const ppwp: ContestInfo = { id: 'ppwp', name: 'P', kind: 'flat', thresholdPercent: 0, parliaments: 0, choices: [{ id: '01', name: 'A' }, { id: '02', name: 'B' }] };
    expect(choicesFor(ppwp, { '01': 1, '02': 2 }, parties)).toEqual([
      { id: '01', name: 'A', color: 'var(--broadcast-choice-01, #c0392b)' },
      { id: '02', name: 'B', color: 'var(--broadcast-choice-02, #1f6fb2)' },
    ]);
  });
});

describe('party standings', () => {
  it('sorts by seats, then votes, then ballot order; keeps the parties on the ballot', () => {
    const snap = parliamentSnap(3);
    const choices = choicesFor(info, snap.votes, parties);
    // Party 4 has no list in any of the dapils and no votes: not shown.
    expect(partiesOnBallot(snap).sort()).toEqual(['1', '2', '3']);
    const rows = partyStandings(snap, choices, partiesOnBallot(snap));
    expect(rows.map((r) => [r.id, r.seats, r.votes])).toEqual([['1', 3, 60], ['3', 2, 50], ['2', 1, 40]]);
    expect(rows[0]?.share).toBeCloseTo(40);
    expect(rows[0]?.passes).toBeNull();
  });

  it('take a headline parliament\'s ballot from its dapils, fetched once', async () => {
    const full = parliamentSnap(3);
    const lean = { ...headlineOf(full), votes: { ...full.votes, '5': 0 } };
    // Without its dapils a parliament lists every party of the contest...
    expect(partiesOnBallot(lean).sort()).toEqual(['1', '2', '3', '4', '5']);
    // ...its ballot (the parties of its dapils) says who stands; votes or seats always show.
    expect(partiesOnBallot(lean, ['1', '2']).sort()).toEqual(['1', '2', '3']);
    expect(partiesOnBallot(full, ['1']).sort()).toEqual(['1', '2', '3']);
    const urls: string[] = [];
    const fetchFn = vi.fn(async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify(full), { status: 200 });
    });
    vi.stubGlobal('fetch', fetchFn);
    try {
      expect((await fetchBallot('https://r.example/', 'dprd_kab', 'parliament:6403'))?.sort()).toEqual(['1', '2', '3']);
      expect(urls).toEqual(['https://r.example/api/v1/results/dprd_kab/parliament%3A6403/latest']);
      let loaded = 0;
      const cache = new BallotCache(() => loaded++);
      expect(cache.get('', 'dprd_kab', lean)).toBeNull();
      expect(cache.get('', 'dprd_kab', full)).toBeNull(); // has its dapils: nothing to ask
      await vi.waitFor(() => expect(loaded).toBe(1));
      expect(cache.get('', 'dprd_kab', lean)?.sort()).toEqual(['1', '2', '3']);
      expect(fetchFn).toHaveBeenCalledTimes(2);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('marks who passes the threshold', () => {
    const snap = parliamentSnap(3);
    snap.seats = { ...snap.seats!, threshold: { percent: 4, valid: 150, votes: 6, passing: ['1', '3'] } };
    const rows = partyStandings(snap, choicesFor(info, snap.votes, parties), ['1', '2', '3']);
    expect(rows.map((r) => [r.id, r.passes])).toEqual([['1', true], ['3', true], ['2', false]]);
  });

  it('sums the parties past the first ones as others', () => {
    const snap = parliamentSnap(3);
    const rows = partyStandings(snap, choicesFor(info, snap.votes, parties), ['1', '2', '3']);
    expect(topParties(rows, 3).others).toBeNull();
    const top = topParties(rows, 2);
    expect(top.shown.map((p) => p.id)).toEqual(['1']);
    expect(top.others).toEqual({ count: 2, votes: 90, share: (90 * 100) / 150, seats: 3 });
  });

  it('counts majority and allocated seats', () => {
    expect(majority(30)).toBe(16);
    expect(majority(580)).toBe(291);
    expect(allocated({ '1': 3, '2': 4 })).toBe(7);
  });
});

describe('hemicycle', () => {
  it('places every seat once, parties left to right, the rest unallocated', () => {
    for (const total of [4, 30, 55, 580]) {
      const h = hemicycle(total, [{ id: 'a', seats: 5 }, { id: 'b', seats: 3 }]);
      expect(h.dots).toHaveLength(total);
      expect(h.dots.filter((d) => d.party === 'a')).toHaveLength(Math.min(5, total));
      expect(h.dots.filter((d) => d.party === 'b')).toHaveLength(Math.max(0, Math.min(3, total - 5)));
      for (const d of h.dots) {
        expect(Math.hypot(d.x, d.y)).toBeLessThanOrEqual(1.0001);
        expect(d.y).toBeLessThanOrEqual(1e-9);
      }
      // The first party sits on the left of the second.
      const angle = (id: string) => Math.min(...h.dots.filter((d) => d.party === id).map((d) => Math.atan2(-d.y, d.x)));
      const widest = (id: string) => Math.max(...h.dots.filter((d) => d.party === id).map((d) => Math.atan2(-d.y, d.x)));
      if (total > 8) expect(angle('a')).toBeGreaterThanOrEqual(widest('b'));
      // Seats never overlap.
      const min = Math.min(...h.dots.flatMap((d, i) => h.dots.slice(i + 1, i + 40).map((e) => Math.hypot(d.x - e.x, d.y - e.y))));
      expect(min).toBeGreaterThanOrEqual(2 * h.r * 0.99);
    }
    expect(hemicycleRows(580)).toBeGreaterThan(hemicycleRows(30));
  });
});

describe('dapils of a parliament', () => {
  it('joins totals and seats by id and flags the closest races', () => {
    const rows = dapilRows(parliamentSnap(3), 1);
    expect(rows.map((r) => [r.id, r.seats, r.reporting, r.close])).toEqual([['dapil:640301', 3, 10, false], ['dapil:640302', 3, 10, true]]);
    expect(rows[0]?.won).toEqual([{ party: '1', seats: 2 }, { party: '2', seats: 1 }]);
    expect(rows[1]?.runnerUp?.votesNeeded).toBe(2);
    expect(closestDapils(rows, 5)).toEqual(['dapil:640302', 'dapil:640301']);
    expect(sortDapils(rows, 'margin').map((r) => r.id)).toEqual(['dapil:640302', 'dapil:640301']);
    expect(sortDapils(rows, 'name').map((r) => r.id)).toEqual(['dapil:640301', 'dapil:640302']);
  });
});

describe('candidates of a dapil', () => {
  it('groups per party by rank, marks the elected and the next in line', () => {
    const lists = candidateLists([
      cand('2', 1, 3, 2, false), cand('1', 2, 9, 1, true), cand('1', 1, 4, 2, false), cand('2', 2, 5, 1, false), cand('1', 3, 1, 3, false),
    ], { '1': 20, '2': 8 }, { '1': 1 });
    expect(lists.map((l) => [l.party, l.seats, l.votes])).toEqual([['1', 1, 20], ['2', 0, 8]]);
    expect(lists[0]?.candidates.map((c) => [c.id, c.mark])).toEqual([['1.2', 'elected'], ['1.1', 'next'], ['1.3', null]]);
    expect(lists[1]?.candidates.map((c) => [c.id, c.mark])).toEqual([['2.2', 'next'], ['2.1', null]]);
  });

  it('marks nobody next before any vote', () => {
    const lists = candidateLists([cand('1', 1, 0, 1, false), cand('1', 2, 0, 2, false)], { '1': 0 }, {});
    expect(lists[0]?.candidates.map((c) => c.mark)).toEqual([null, null]);
  });
});
