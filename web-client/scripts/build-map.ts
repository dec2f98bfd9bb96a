// Writes src/assets/provinces-map.json, the province map the monitor loads, from the shapes in
// data/geo (see its README: sources, licence, attribution). Run after changing either:
//   npm run map
// A unit test (src/map-geometry.test.ts) fails while the asset is not what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { MAP_LICENCE, MAP_WIDTH, buildMapAsset, type GeoFeature } from '../src/map-geometry';

const source = fileURLToPath(new URL('../../data/geo/indonesia-provinces.geojson', import.meta.url));
const target = fileURLToPath(new URL('../src/assets/provinces-map.json', import.meta.url));
const geo = JSON.parse(readFileSync(source, 'utf8')) as { features: GeoFeature[] };
const json = `${JSON.stringify(buildMapAsset(geo.features, MAP_WIDTH, MAP_LICENCE))}\n`;
writeFileSync(target, json);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`${target}: ${kb(Buffer.byteLength(json))}, ${kb(gzipSync(json, { level: 9 }).length)} gzipped`);
