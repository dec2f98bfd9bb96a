import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTION, type GeoFeature, MAP_LICENCE, MAP_WIDTH, buildMapAsset, featurePath, plateCarree, ringPath } from './map-geometry';

const geo = JSON.parse(readFileSync(new URL('../../data/geo/indonesia-provinces.geojson', import.meta.url), 'utf8')) as { features: GeoFeature[] };
const asset = JSON.parse(readFileSync(new URL('./assets/provinces-map.json', import.meta.url), 'utf8')) as unknown;

describe('plate carrée', () => {
  const p = plateCarree({ west: 95, east: 141, south: -11, north: 6 }, 468, 4);

  it('puts the west-north corner at the margin and keeps one scale for both axes', () => {
    expect(p.project(95, 6)).toEqual([4, 4]);
    expect(p.project(141, 6)).toEqual([464, 4]);
    // 46° across in 460 units: 10 units a degree, so 17° of latitude is 170 units.
    expect(p.project(95, -11)).toEqual([4, 174]);
    expect(p.height).toBe(178);
  });
});

describe('ring paths', () => {
  const p = plateCarree({ west: 0, east: 10, south: 0, north: 10 }, 110, 5);

  it('writes an absolute start, then relative whole-unit steps, closed by z', () => {
    expect(ringPath([[0, 10], [10, 10], [10, 0], [0, 0], [0, 10]], p)).toBe('M5 5l100 0 0 100-100 0z');
  });

  it('drops points that round onto the one before, and islets under the minimum area', () => {
    expect(ringPath([[0, 10], [0.01, 10], [10, 10], [10, 0], [0, 10]], p)).toBe('M5 5l100 0 0 100z');
    expect(ringPath([[0, 10], [0.1, 10], [0.1, 9.9], [0, 10]], p, 1)).toBeNull();
    expect(ringPath([[0, 10], [0.1, 10], [0.1, 9.9], [0, 10]], p, 0.5)).toBe('M5 5l1 0 0 1z');
  });

  it('draws every polygon of a multipolygon, holes included', () => {
    const f: GeoFeature = {
      properties: { id: '1', name: 'x', kpu2019_id: 1, kode2024: ['1'] },
      geometry: { type: 'MultiPolygon', coordinates: [
        [[[0, 10], [4, 10], [4, 6], [0, 10]]],
        [[[5, 5], [10, 5], [10, 0], [5, 0], [5, 5]], [[6, 4], [9, 4], [9, 1], [6, 4]]],
      ] },
    };
    expect(featurePath(f, p).match(/M/g)).toHaveLength(3);
  });
});

describe('the map asset', () => {
  it('is what scripts/build-map.ts makes of data/geo (run `npm run map` after changing either)', () => {
    expect(asset).toEqual(buildMapAsset(geo.features, MAP_WIDTH, MAP_LICENCE));
  });

  it('has the 34 shapes, every 2019 province id and 2024 code once, and the attribution', () => {
    const built = buildMapAsset(geo.features, MAP_WIDTH, MAP_LICENCE);
    expect(built.attribution).toBe(ATTRIBUTION);
    expect(built.shapes).toHaveLength(34);
    expect(new Set(built.shapes.map((s) => s.kpu2019)).size).toBe(34);
    const codes = built.shapes.flatMap((s) => s.kode2024);
    expect(codes).toHaveLength(38);
    expect(new Set(codes).size).toBe(38);
    expect(built.shapes.find((s) => s.id === '91')?.kode2024).toEqual(['91', '93', '94', '95']);
    for (const s of built.shapes) expect(s.d).toMatch(/^M\d+ \d+l[-\d ]+z(M\d+ \d+l[-\d ]+z)*$/);
  });
});
