import { describe, expect, it } from 'vitest';
import type { MapAsset } from './map-geometry';
import { joinScheme, mapTotals, marginStep, reportingStep, shapeFill, shapeName, shapeSummary } from './map-model';
import type { ChildTotals } from './types';

const asset: MapAsset = {
  attribution: 'a', licence: 'l', width: 10, height: 10,
  shapes: [
    { id: '11', name: 'Aceh', kpu2019: '1', kode2024: ['11'], d: 'M0 0l1 0 0 1z' },
    { id: '91', name: 'Papua', kpu2019: '78203', kode2024: ['91', '93', '94', '95'], d: 'M0 0l1 0 0 1z' },
  ],
};

function province(id: string, name: string, votes: Record<string, number>, reported = 1, total = 10): ChildTotals {
  return { id, name, level: 'province', stations: { total, reported, quarantined: 0 }, votes, valid: 0, invalid: 0 };
}

describe('joining provinces to shapes, by id', () => {
  it('uses KPU 2019 ids for a 2019 tree and Kemendagri codes for a 2024 tree', () => {
    expect(joinScheme(asset, ['1', '78203', '-99'])).toBe('kpu2019');
    expect(joinScheme(asset, ['11', '91', '93', '99'])).toBe('kode2024');
    expect(joinScheme(asset, ['x', 'y'])).toBeNull();
  });

  it('2019: one province a shape; abroad has none', () => {
    const m = mapTotals(asset, [province('1', 'Aceh', { '01': 10, '02': 30 }), province('78203', 'Papua', { '01': 5, '02': 1 }), province('-99', 'Luar Negeri', { '01': 1 })]);
    expect(m.scheme).toBe('kpu2019');
    expect(m.shapes.map((s) => [s.shape.id, s.members.map((x) => x.id), s.leader])).toEqual([['11', ['1'], '02'], ['91', ['78203'], '01']]);
    expect(m.unmapped.map((c) => c.id)).toEqual(['-99']);
  });

  it('2024: Papua\'s four provinces are summed onto the old Papua shape, never province 91 alone', () => {
    const m = mapTotals(asset, [
      province('11', 'Aceh', { '01': 1, '02': 2, '03': 3 }),
      province('91', 'Papua', { '01': 100, '02': 0, '03': 0 }, 5, 10),
      province('93', 'Papua Selatan', { '01': 0, '02': 80, '03': 0 }, 1, 10),
      province('94', 'Papua Tengah', { '01': 0, '02': 80, '03': 0 }, 0, 20),
      province('95', 'Papua Pegunungan', { '01': 0, '02': 0, '03': 10 }, 4, 10),
      province('99', 'Luar Negeri', {}),
    ]);
    const papua = m.shapes.find((s) => s.shape.id === '91')!;
    expect(papua.members.map((x) => x.id)).toEqual(['91', '93', '94', '95']);
    expect(papua.votes).toEqual({ '01': 100, '02': 160, '03': 10 });
    expect(papua.leader).toBe('02');
    expect(papua.margin).toBeCloseTo((60 * 100) / 270);
    expect(papua.stations).toEqual({ total: 50, reported: 10, quarantined: 0 });
    expect(papua.reporting).toBe(20);
    expect(shapeName(papua, 'en')).toBe('Papua (4 provinces)');
    expect(shapeName(papua, 'id')).toBe('Papua (4 provinsi)');
    expect(m.unmapped.map((c) => c.id)).toEqual(['99']);
  });

  it('a shape with nothing counted, or a tie, has no leader', () => {
    const m = mapTotals(asset, [province('11', 'Aceh', { '01': 0, '02': 0 }, 0), province('91', 'Papua', { '01': 7, '02': 7 })]);
    expect(m.shapes.map((s) => s.leader)).toEqual([null, null]);
  });
});

describe('colour steps', () => {
  it('steps the margin at 5, 10 and 20 points', () => {
    expect([0, 4.99, 5, 9.9, 10, 19.99, 20, 80].map(marginStep)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('mixes the leader\'s colour into the panel by margin; no leader is the empty colour', () => {
    expect(shapeFill('var(--broadcast-choice-01, #c0392b)', 2)).toBe('color-mix(in srgb, var(--broadcast-choice-01, #c0392b) 38%, var(--broadcast-panel))');
    expect(shapeFill('#123456', 25)).toBe('color-mix(in srgb, #123456 100%, var(--broadcast-panel))');
    expect(shapeFill(null, 25)).toBe('var(--map-empty)');
  });

  it('hatches by stations reporting: none, under 25 %, under 75 %, most', () => {
    expect([[0, 0], [3, 1], [24.9, 10], [25, 10], [74.9, 10], [75, 10], [100, 10]].map(([p, r]) => reportingStep(p!, r!)))
      .toEqual(['none', 'few', 'few', 'some', 'some', 'most', 'most']);
  });
});

describe('summary line', () => {
  it('names the leader, its lead in points and the share reporting, in the screen\'s language', () => {
    const [aceh] = mapTotals(asset, [province('1', 'Aceh', { '01': 25, '02': 75 }, 3, 8)]).shapes;
    expect(shapeSummary(aceh!, 'en', (id) => id)).toBe('Aceh: 02 leads by 50.0 points · 37.5% stations reporting');
    expect(shapeSummary(aceh!, 'id', (id) => `Paslon ${id}`)).toBe('Aceh: Paslon 02 unggul 50,0 poin · 37,5% TPS masuk');
  });
});
