// What the province map shows, free of DOM: which province of the results each shape stands
// for, the totals summed onto a shape that stands for several (2024's Papua provinces), the
// leader, and the colour steps for the margin and the share of stations reporting.
import { type Lang, formatPct, leader, reportedPct } from './format';
import type { ChildTotals, StationCounts, Votes } from './types';
import type { MapAsset, MapShape } from './map-geometry';

/**
 * How a results tree names its provinces: KPU's 2019 numeric ids, or the Kemendagri codes of
 * 2024 (data/geo/README.md). Always by id, never by name: the names are spelt differently.
 */
export type JoinScheme = 'kpu2019' | 'kode2024';

export function idsOf(shape: MapShape, scheme: JoinScheme): string[] {
  return scheme === 'kpu2019' ? [shape.kpu2019] : shape.kode2024;
}

/**
 * The scheme the national snapshot's provinces use: the one under which more of them have a
 * shape (2019 ids and 2024 codes do not overlap); null when neither joins any (no map).
 */
export function joinScheme(asset: MapAsset, provinceIds: readonly string[]): JoinScheme | null {
  const count = (scheme: JoinScheme) => {
    const ids = new Set(asset.shapes.flatMap((s) => idsOf(s, scheme)));
    return provinceIds.filter((id) => ids.has(id)).length;
  };
  const old = count('kpu2019');
  const now = count('kode2024');
  if (old === 0 && now === 0) return null;
  return old > now ? 'kpu2019' : 'kode2024';
}

/** One shape with the totals of the provinces it stands for. */
export interface ShapeTotals {
  shape: MapShape;
  /** The provinces summed onto it, in the snapshot's order: one, or 2024's Papua four (91, 93, 94, 95) and Papua Barat two (92, 96). */
  members: ChildTotals[];
  votes: Votes;
  stations: StationCounts;
  /** Leading choice (null: nothing counted, or a tie) and its lead in points over the runner-up. */
  leader: string | null;
  margin: number;
  reporting: number;
}

export interface MapTotals {
  scheme: JoinScheme | null;
  shapes: ShapeTotals[];
  /** Provinces without a shape: abroad (`-99` in 2019, `99` in 2024). */
  unmapped: ChildTotals[];
}

function sum(members: ChildTotals[]): { votes: Votes; stations: StationCounts } {
  const votes: Votes = {};
  const stations = { total: 0, reported: 0, quarantined: 0 };
  for (const m of members) {
    for (const [id, n] of Object.entries(m.votes)) votes[id] = (votes[id] ?? 0) + n;
    stations.total += m.stations.total;
    stations.reported += m.stations.reported;
    stations.quarantined += m.stations.quarantined;
  }
  return { votes, stations };
}

/**
 * The national snapshot's provinces on the map's shapes. A shape standing for several 2024
 * provinces gets their sum, never one of them alone over the old extent.
 */
export function mapTotals(asset: MapAsset, children: readonly ChildTotals[]): MapTotals {
  const provinces = children.filter((c) => c.level === 'province');
  const scheme = joinScheme(asset, provinces.map((c) => c.id));
  if (!scheme) return { scheme, shapes: [], unmapped: provinces };
  const mapped = new Set<string>();
  const shapes = asset.shapes.map((shape) => {
    const ids = idsOf(shape, scheme);
    const members = provinces.filter((c) => ids.includes(c.id));
    for (const m of members) mapped.add(m.id);
    const { votes, stations } = sum(members);
    const lead = leader(votes);
    return { shape, members, votes, stations, leader: lead.id, margin: lead.margin, reporting: reportedPct(stations) };
  });
  return { scheme, shapes, unmapped: provinces.filter((c) => !mapped.has(c.id)) };
}

/** Margin steps in points, for the intensity of a leader's colour (legend: under 5, 5–10, 10–20, 20 and more). */
export const MARGIN_STEPS = [5, 10, 20] as const;
/** How much of the leader's colour each margin step shows, mixed into the panel's colour. */
export const MARGIN_STRENGTH = [38, 58, 78, 100] as const;

export function marginStep(margin: number): number {
  return MARGIN_STEPS.filter((s) => margin >= s).length;
}

/** Stations reporting: under 25 % densely hatched, under 75 % sparsely, from 75 % plain. */
export type ReportingStep = 'none' | 'few' | 'some' | 'most';

export function reportingStep(pct: number, reported: number): ReportingStep {
  if (reported === 0) return 'none';
  return pct < 25 ? 'few' : pct < 75 ? 'some' : 'most';
}

/** The fill of a shape: its leader's colour at the margin's strength, or the neutral colour of "nothing to show". */
export function shapeFill(colour: string | null, margin: number): string {
  if (!colour) return 'var(--map-empty)';
  return `color-mix(in srgb, ${colour} ${MARGIN_STRENGTH[marginStep(margin)]}%, var(--broadcast-panel))`;
}

const words = {
  id: { provinces: 'provinsi', leads: 'unggul', points: 'poin', tie: 'seri', none: 'belum ada suara', reporting: 'TPS masuk' },
  en: { provinces: 'provinces', leads: 'leads by', points: 'points', tie: 'tie', none: 'no votes yet', reporting: 'stations reporting' },
} as const;

/** A shape's name: its province's (as the results spell it), or "Papua (4 provinces)" for a shape standing for several. */
export function shapeName(t: ShapeTotals, lang: Lang): string {
  if (t.members.length === 1) return t.members[0]!.name;
  if (t.members.length === 0) return t.shape.name;
  return `${t.shape.name} (${t.members.length} ${words[lang].provinces})`;
}

/** "Aceh: 02 leads by 71.0 points · 45.30% stations reporting", for the tooltip and the line under the map. */
export function shapeSummary(t: ShapeTotals, lang: Lang, label: (choice: string) => string): string {
  const w = words[lang];
  const counted = Object.values(t.votes).some((n) => n > 0);
  const lead = !counted ? w.none : t.leader ? `${label(t.leader)} ${w.leads} ${formatPct(t.margin, lang, 1).replace('%', '')} ${w.points}` : w.tie;
  return `${shapeName(t, lang)}: ${lead} · ${formatPct(t.reporting, lang, 1)} ${w.reporting}`;
}
