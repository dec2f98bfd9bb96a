// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { choicesFor } from './election';
import { type LegislativeOptions, renderDapil, renderHemicycle, renderParliament } from './monitor-legislative';
import { DPRD_KAB as info, PARTIES as parties, cand, dapilSeats, dapilSnap, parliamentSnap, seatsView } from './test/legislative-fixtures';

const options = (lang: 'id' | 'en' = 'id'): LegislativeOptions => ({
  lang, sort: 'name', contest: 'dprd_kab', info, hrefFor: (r) => `?region=${r}`, auditHref: (s) => `/audit/${s}`,
});

function mount(nodes: (Node | string)[]): HTMLElement {
  const root = document.createElement('main');
  root.append(...nodes);
  return root;
}

describe('parliament view', () => {
  it('shows seats per party, every dapil with its seats, elected, last seat and the closest margin', () => {
    const snap = parliamentSnap(3);
    const root = mount(renderParliament(snap, choicesFor(info, snap.votes, parties), options()));
    const seatRows = [...root.querySelectorAll('.seat-table tbody tr')].map((tr) => [tr.getAttribute('data-party'), tr.querySelector('[data-seats]')?.textContent]);
    expect(seatRows).toEqual([['1', '3'], ['3', '2'], ['2', '1']]);
    expect(root.querySelector('[data-fact="majority"]')?.textContent).toBe('4');
    const dapils = [...root.querySelectorAll<HTMLElement>('tr[data-dapil]')];
    expect(dapils.map((d) => [d.dataset.dapil, d.dataset.won, d.dataset.last, d.dataset.runnerUp, d.dataset.votesNeeded])).toEqual([
      ['dapil:640301', '1:2,2:1', '2', '3', '5'],
      ['dapil:640302', '3:2,1:1', '3', '3', '2'],
    ]);
    // One in four dapils (at least one) is highlighted: the smallest votes needed.
    expect(dapils.map((d) => d.classList.contains('close'))).toEqual([false, true]);
    expect(dapils[1]?.textContent).toContain('Tersempit');
    expect(dapils[0]?.textContent).toContain('C1.1');
    expect(dapils[0]?.textContent).toContain('butuh +5 suara lagi');
    expect(dapils[0]?.querySelector('a')?.getAttribute('href')).toBe('?region=dapil:640301');
    // The hemicycle: one dot per seat.
    expect(root.querySelectorAll('.hemicycle circle')).toHaveLength(6);
    expect(root.querySelector('.hemi-caption')?.textContent).toContain('6 terbagi dari 6 kursi');
  });

  it('shows the DPR threshold and who passes', () => {
    const snap = parliamentSnap(3);
    snap.seats = { ...snap.seats!, threshold: { percent: 4, valid: 150, votes: 6, passing: ['1', '3'] } };
    const root = mount(renderParliament(snap, choicesFor({ ...info, thresholdPercent: 4 }, snap.votes, parties), options('en')));
    expect(root.querySelector('.threshold')?.textContent).toBe('Threshold 4 %: 6 votes of 150 valid votes counted · Passes: 2 parties');
    expect([...root.querySelectorAll('[data-passes]')].map((e) => e.getAttribute('data-passes'))).toEqual(['true', 'true', 'false']);
    expect(root.querySelectorAll('.threshold-line')).toHaveLength(3);
  });

  it('draws unallocated seats in grey', () => {
    const svg = renderHemicycle(10, [{ id: '1', name: 'PKB', fullName: 'PKB', color: 'red', votes: 1, share: 100, seats: 4, passes: null }]);
    expect(svg.querySelectorAll('g[data-party="1"] circle')).toHaveLength(4);
    expect(svg.querySelectorAll('g[data-party=""] circle')).toHaveLength(6);
  });
});

describe('dapil view', () => {
  it('lists candidates per party with elected and next marks, and the seat allocation', () => {
    const seats = seatsView([dapilSeats('dapil:640301', { '1': 1, '2': 1 }, 4)], { '1': 1, '2': 1 }, 2);
    const snap = dapilSnap(3, [cand('1', 1, 10, 1, true), cand('1', 2, 5, 2, false), cand('2', 1, 8, 1, true), cand('3', 1, 7, 1, false)], seats);
    const root = mount(renderDapil(snap, choicesFor(info, snap.votes, parties), options('en')));
    const marks = [...root.querySelectorAll<HTMLElement>('.cand-list li')].map((li) => [li.dataset.candidate, li.className]);
    expect(marks).toEqual([['1.1', 'elected'], ['1.2', 'next'], ['2.1', 'elected'], ['3.1', 'next']]);
    const alloc = root.querySelector<HTMLElement>('.allocation');
    expect(alloc?.dataset.won).toBe('1:1,2:1');
    expect(alloc?.dataset.votesNeeded).toBe('4');
    expect(alloc?.textContent).toContain('needs +4 more votes');
    expect(root.querySelector('.cand-list[data-party="1"] .cand-seats')?.textContent).toBe('1 seats');
    expect([...root.querySelectorAll('.party-bars [data-choice]')].map((e) => e.getAttribute('data-choice'))).toEqual(['1', '2', '3']);
  });
});
