// The province map as the browser gets it: shapes pre-projected to SVG path strings at build
// time (scripts/build-map.ts writes src/assets/provinces-map.json from data/geo), so the page
// downloads a few tens of KB once, cached for good, and draws them without projecting anything.
//
// Projection: plate carrée (x = longitude, y = −latitude, one scale). Indonesia lies between
// 11° S and 6° N, where a degree of longitude is 0.98 to 1 of a degree of latitude, so the
// shapes are as true as in Mercator (which differs by under 0.6 % here) with simpler arithmetic.

/** One province shape of data/geo/indonesia-provinces.geojson (README there). */
export interface GeoFeature {
  id?: string | number;
  properties: { id: string; name: string; kpu2019_id: number; kode2024: string[] };
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

/** A shape on the map, and the region ids it stands for in each election's data. */
export interface MapShape {
  /** The feature's Kemendagri code ("11" … "92"). */
  id: string;
  /** Kemendagri spelling, title case. */
  name: string;
  /** The province's id in the 2019 data (KPU's numeric id, as text). */
  kpu2019: string;
  /** The 2024 province codes the shape covers: one, or Papua's four and Papua Barat's two. */
  kode2024: string[];
  /** SVG path data in the asset's coordinates. */
  d: string;
}

export interface MapAsset {
  /** Must be shown with the map (data/geo/README.md). */
  attribution: string;
  licence: string;
  width: number;
  height: number;
  shapes: MapShape[];
}

export const ATTRIBUTION = 'Contains data © OpenStreetMap contributors, ODbL 1.0; Natural Earth (public domain).';

export interface Bounds {
  west: number;
  east: number;
  south: number;
  north: number;
}

export interface Projection {
  width: number;
  height: number;
  /** [x, y] in map units for [lon, lat], rounded to whole units. */
  project(lon: number, lat: number): [number, number];
}

/** Plate carrée fitted to `width` units across `bounds`, with a margin of `pad` units all round. */
export function plateCarree(bounds: Bounds, width: number, pad = 4): Projection {
  const k = (width - 2 * pad) / (bounds.east - bounds.west);
  const height = Math.ceil((bounds.north - bounds.south) * k + 2 * pad);
  return {
    width,
    height,
    project: (lon, lat) => [Math.round(pad + (lon - bounds.west) * k), Math.round(pad + (bounds.north - lat) * k)],
  };
}

/** The polygons of a feature, each a list of rings (outer first) of [lon, lat]. */
export function polygonsOf(f: GeoFeature): number[][][][] {
  return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
}

export function boundsOf(features: GeoFeature[]): Bounds {
  const b = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (const f of features) {
    for (const polygon of polygonsOf(f)) {
      for (const ring of polygon) {
        for (const [lon = 0, lat = 0] of ring) {
          b.west = Math.min(b.west, lon);
          b.east = Math.max(b.east, lon);
          b.south = Math.min(b.south, lat);
          b.north = Math.max(b.north, lat);
        }
      }
    }
  }
  return b;
}

/** Twice the signed area of a ring of points (shoelace). */
function doubleArea(points: [number, number][]): number {
  let a = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    a += x1 * y2 - x2 * y1;
  }
  return a;
}

/**
 * One ring as path data: an absolute move, then relative whole-unit steps ("M12 30l3-2 4 5z").
 * Points that round onto the one before are dropped; a ring left with under three points, or
 * smaller than `minArea` square units (an islet below a pixel), is dropped whole (null).
 */
export function ringPath(ring: number[][], projection: Projection, minArea = 0.5): string | null {
  const points: [number, number][] = [];
  for (const [lon = 0, lat = 0] of ring) {
    const p = projection.project(lon, lat);
    const last = points[points.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) points.push(p);
  }
  // GeoJSON closes each ring on its first point; "z" does that.
  const first = points[0];
  const end = points[points.length - 1];
  if (first && end && points.length > 1 && first[0] === end[0] && first[1] === end[1]) points.pop();
  if (points.length < 3 || Math.abs(doubleArea(points)) / 2 < minArea) return null;
  let d = `M${points[0]![0]} ${points[0]![1]}l`;
  for (let i = 1; i < points.length; i++) {
    const dx = points[i]![0] - points[i - 1]![0];
    const dy = points[i]![1] - points[i - 1]![1];
    // A minus sign separates numbers by itself; a positive number after another needs a space.
    d += `${i === 1 || dx < 0 ? '' : ' '}${dx}${dy < 0 ? '' : ' '}${dy}`;
  }
  return `${d}z`;
}

/** A feature's path data: every kept ring of every polygon (holes drawn with the even-odd rule). */
export function featurePath(f: GeoFeature, projection: Projection, minArea?: number): string {
  return polygonsOf(f).flatMap((polygon) => polygon.map((ring) => ringPath(ring, projection, minArea)))
    .filter((d): d is string => d !== null).join('');
}

/** The asset the monitor loads, from the GeoJSON of data/geo. */
export function buildMapAsset(features: GeoFeature[], width: number, licence: string): MapAsset {
  const projection = plateCarree(boundsOf(features), width);
  const shapes = [...features]
    .sort((a, b) => a.properties.id.localeCompare(b.properties.id))
    .map((f) => ({
      id: f.properties.id,
      name: f.properties.name,
      kpu2019: String(f.properties.kpu2019_id),
      kode2024: [...f.properties.kode2024],
      d: featurePath(f, projection),
    }));
  return { attribution: ATTRIBUTION, licence, width: projection.width, height: projection.height, shapes };
}

/** Map units across: 1 unit is about 3 km, the scale the shapes were simplified for (data/geo/README.md: 1 px ≈ 3 km at 1600 px). */
export const MAP_WIDTH = 1600;

export const MAP_LICENCE = 'ODbL 1.0 (Open Database License); derived from data/geo/indonesia-provinces.geojson';
