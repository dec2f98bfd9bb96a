// The arithmetic behind the legislative screens, kept free of DOM so it is unit-tested and
// shared by the monitor, the ticker and the lower third: party standings with projected
// seats, the hemicycle's seat positions, the per-dapil seat picture with its last-seat
// margin, and candidates per party with their elected / next marks.
import type { Choice } from './election';
import { reportedPct, share, totalVotes } from './format';
import type { CandidateResults, ChildTotals, DapilSeatsView, SeatClaim, Snapshot, StationCounts, Votes } from './types';

export interface PartyStanding {
  id: string;
  name: string;
  fullName: string;
  color: string;
  votes: number;
  /** Percent of all party votes of the group. */
  share: number;
  /** Projected seats (0 when the group has no seat projection). */
  seats: number;
  /** Over the national threshold (DPR); null where there is none. */
  passes: boolean | null;
}

/**
 * The parties a group shows: those on its ballot. A dapil's votes are exactly its ballot's
 * parties; a parliament's are the governed region's columns (every party of the contest), so
 * its dapils tell which stand there, or, in a headline view without them, `ballot` (the
 * parties of its dapils, `BallotCache`). Parties with votes or seats always show.
 */
export function partiesOnBallot(snap: Snapshot, ballot: readonly string[] | null = null): string[] {
  const ids = new Set<string>();
  const dapils = snap.children.some((c) => c.level === 'dapil');
  if (snap.region.level === 'parliament' && (dapils || ballot)) {
    if (dapils) for (const c of snap.children) for (const id of Object.keys(c.votes)) ids.add(id);
    else for (const id of ballot ?? []) ids.add(id);
    for (const [id, v] of Object.entries(snap.votes)) if (v > 0) ids.add(id);
    for (const id of Object.keys(snap.seats?.won ?? {})) ids.add(id);
  } else {
    for (const id of Object.keys(snap.votes)) ids.add(id);
  }
  return [...ids];
}

/**
 * Parties with votes, shares and projected seats, most seats first, then most votes, then
 * ballot order (stable while nothing is counted).
 */
export function partyStandings(snap: Snapshot, choices: Choice[], only: string[] = Object.keys(snap.votes)): PartyStanding[] {
  const keep = new Set(only);
  const won = snap.seats?.won ?? {};
  const threshold = snap.seats?.threshold ?? null;
  const passing = new Set(threshold?.passing ?? []);
  const order = new Map(choices.map((c, i) => [c.id, i]));
  const rows: PartyStanding[] = choices.filter((c) => keep.has(c.id)).map((c) => ({
    id: c.id,
    name: c.name,
    fullName: c.fullName ?? c.name,
    color: c.color,
    votes: snap.votes[c.id] ?? 0,
    share: share(snap.votes, c.id),
    seats: won[c.id] ?? 0,
    passes: threshold ? passing.has(c.id) : null,
  }));
  return rows.sort((a, b) => b.seats - a.seats || b.votes - a.votes || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

/** Seats needed for a majority of `total`. */
export function majority(total: number): number {
  return Math.floor(total / 2) + 1;
}

/** Seats projected so far (the rest are not allocated yet: no votes in their dapils). */
export function allocated(won: Record<string, number>): number {
  let n = 0;
  for (const v of Object.values(won)) n += v;
  return n;
}

export interface TopParties {
  shown: PartyStanding[];
  /** The rest summed up, or null when every party is shown. */
  others: { count: number; votes: number; share: number; seats: number } | null;
}

/** The first `max` standings; past that, the last place goes to "others" with the rest summed. */
export function topParties(standings: PartyStanding[], max: number): TopParties {
  if (standings.length <= max) return { shown: standings, others: null };
  const shown = standings.slice(0, Math.max(0, max - 1));
  const rest = standings.slice(shown.length);
  return {
    shown,
    others: {
      count: rest.length,
      votes: rest.reduce((a, p) => a + p.votes, 0),
      share: rest.reduce((a, p) => a + p.share, 0),
      seats: rest.reduce((a, p) => a + p.seats, 0),
    },
  };
}

// ---- hemicycle ----

export interface SeatDot {
  x: number;
  y: number;
  /** Party id, or null for a seat not allocated yet. */
  party: string | null;
}

export interface Hemicycle {
  dots: SeatDot[];
  /** Radius of one seat, in the same units (outer row radius 1). */
  r: number;
  rows: number;
}

/** How many rows a hemicycle of `total` seats gets, so that seats sit about as far apart along a row as the rows do. */
export function hemicycleRows(total: number, inner = 0.4): number {
  if (total <= 8) return 1;
  let best = 1;
  let bestDiff = Infinity;
  for (let rows = 2; rows <= 24; rows++) {
    const gap = (1 - inner) / (rows - 1);
    let length = 0;
    for (let i = 0; i < rows; i++) length += Math.PI * (inner + gap * i);
    const diff = Math.abs(length / total - gap);
    if (diff < bestDiff) {
      bestDiff = diff;
      best = rows;
    }
  }
  return best;
}

/**
 * Seat positions of a parliament diagram: `total` dots on concentric half rings (centre 0,0,
 * outer radius 1, y up is negative as in SVG), handed out left to right in the order of
 * `parties` (id and seats), the seats not yet allocated last, in grey.
 */
export function hemicycle(total: number, parties: { id: string; seats: number }[]): Hemicycle {
  const inner = 0.4;
  const rows = hemicycleRows(total, inner);
  const radii = Array.from({ length: rows }, (_, i) => (rows === 1 ? 1 : inner + ((1 - inner) * i) / (rows - 1)));
  const sum = radii.reduce((a, b) => a + b, 0);
  // Seats per row in proportion to its length; the rounding remainder goes to the outer rows.
  const perRow = radii.map((r) => Math.floor((total * r) / sum));
  let left = total - perRow.reduce((a, b) => a + b, 0);
  for (let i = rows - 1; left > 0; i = (i - 1 + rows) % rows, left--) perRow[i] = (perRow[i] ?? 0) + 1;
  const seats: { angle: number; row: number; x: number; y: number }[] = [];
  radii.forEach((radius, row) => {
    const n = perRow[row] ?? 0;
    for (let j = 0; j < n; j++) {
      const angle = n === 1 ? Math.PI / 2 : Math.PI - (Math.PI * j) / (n - 1);
      seats.push({ angle, row, x: radius * Math.cos(angle), y: -radius * Math.sin(angle) });
    }
  });
  // Left to right by angle; at equal angles, inner rows first.
  seats.sort((a, b) => b.angle - a.angle || a.row - b.row);
  const owners: (string | null)[] = [];
  for (const p of parties) for (let i = 0; i < p.seats && owners.length < total; i++) owners.push(p.id);
  while (owners.length < total) owners.push(null);
  const gap = rows === 1 ? 1 : (1 - inner) / (rows - 1);
  // Seats are spaced by the closer of: the rows, or neighbours along the tightest row.
  let along = Math.PI;
  radii.forEach((radius, row) => {
    const n = perRow[row] ?? 0;
    if (n >= 2) along = Math.min(along, 2 * radius * Math.sin(Math.PI / (2 * (n - 1))));
  });
  const r = Math.max(0.004, Math.min(gap, along, 0.2) * 0.42);
  return { dots: seats.map((s, i) => ({ x: s.x, y: s.y, party: owners[i] ?? null })), r, rows };
}

// ---- dapils of a parliament ----

export interface DapilRow {
  id: string;
  name: string;
  seats: number;
  stations: StationCounts;
  reporting: number;
  votes: Votes;
  /** Seats per party, most first. */
  won: { party: string; seats: number }[];
  elected: DapilSeatsView['elected'];
  last: SeatClaim | null;
  runnerUp: SeatClaim | null;
  /** Among the closest last-seat races of the parliament. */
  close: boolean;
}

/** Seats per party, most first, then ballot number. */
export function wonList(won: Record<string, number>): { party: string; seats: number }[] {
  return Object.entries(won)
    .filter(([, n]) => n > 0)
    .map(([party, seats]) => ({ party, seats }))
    .sort((a, b) => b.seats - a.seats || Number(a.party) - Number(b.party) || a.party.localeCompare(b.party));
}

/**
 * A parliament's dapils in its order: totals from the children, seats from `seats.dapils`
 * (matched by id), and the `closest` dapils with the smallest votes needed to move the last
 * seat flagged as close.
 */
export function dapilRows(snap: Snapshot, closest = 3): DapilRow[] {
  const seats = new Map((snap.seats?.dapils ?? []).map((d) => [d.id, d]));
  const children: ChildTotals[] = snap.children.filter((c) => c.level === 'dapil');
  // A parliament snapshot always lists its dapils as children; should one be missing, still show its seats.
  for (const d of snap.seats?.dapils ?? []) {
    if (!children.some((c) => c.id === d.id)) {
      children.push({ id: d.id, name: d.name, level: 'dapil', stations: { total: 0, reported: 0, quarantined: 0 }, votes: {}, valid: 0, invalid: 0 });
    }
  }
  const rows: DapilRow[] = children.map((c) => {
    const s = seats.get(c.id);
    return {
      id: c.id,
      name: c.name || s?.name || c.id,
      seats: s?.seats ?? 0,
      stations: c.stations,
      reporting: reportedPct(c.stations),
      votes: c.votes,
      won: wonList(s?.won ?? {}),
      elected: s?.elected ?? [],
      last: s?.last ?? null,
      runnerUp: s?.runnerUp ?? null,
      close: false,
    };
  });
  for (const id of closestDapils(rows, closest)) {
    const row = rows.find((r) => r.id === id);
    if (row) row.close = true;
  }
  return rows;
}

/** Ids of the `n` dapils whose last seat is nearest to changing hands (fewest votes needed). */
export function closestDapils(rows: Pick<DapilRow, 'id' | 'runnerUp'>[], n: number): string[] {
  return rows
    .filter((r) => r.runnerUp !== null)
    .sort((a, b) => (a.runnerUp?.votesNeeded ?? 0) - (b.runnerUp?.votesNeeded ?? 0) || a.id.localeCompare(b.id))
    .slice(0, Math.max(0, n))
    .map((r) => r.id);
}

export type DapilSort = 'name' | 'reported' | 'margin';

/** 'name' keeps the parliament's order (dapil codes), 'reported' most reported first, 'margin' closest first. */
export function sortDapils(rows: DapilRow[], key: DapilSort): DapilRow[] {
  const list = [...rows];
  const index = new Map(rows.map((r, i) => [r.id, i]));
  const pos = (r: DapilRow) => index.get(r.id) ?? 0;
  switch (key) {
    case 'name':
      return list;
    case 'reported':
      return list.sort((a, b) => b.reporting - a.reporting || pos(a) - pos(b));
    case 'margin':
      return list.sort((a, b) => need(a) - need(b) || pos(a) - pos(b));
  }
}

function need(r: DapilRow): number {
  return r.runnerUp ? r.runnerUp.votesNeeded : Number.MAX_SAFE_INTEGER;
}

// ---- candidates of a dapil ----

export type CandidateMark = 'elected' | 'next' | null;

export interface CandidateRow extends CandidateResults {
  mark: CandidateMark;
}

export interface PartyList {
  /** Party id; null for DPD (one list of the province's candidates). */
  party: string | null;
  seats: number;
  votes: number;
  candidates: CandidateRow[];
}

/**
 * A dapil's candidates grouped per party (ballot order), each list by rank. The elected ones
 * are marked; so is "next": the best-placed candidate not elected, who takes the list's next
 * seat (only once someone on the list has a vote).
 */
export function candidateLists(candidates: CandidateResults[], votes: Votes, won: Record<string, number>): PartyList[] {
  const groups = new Map<string | null, CandidateResults[]>();
  for (const c of candidates) {
    const key = c.party ?? null;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(c);
  }
  const parties = [...groups.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : Number(a) - Number(b) || a.localeCompare(b)));
  return parties.map((party) => {
    const list = [...(groups.get(party) ?? [])].sort((a, b) => a.rank - b.rank || a.number - b.number);
    const anyVotes = list.some((c) => c.votes > 0);
    const firstOut = list.find((c) => !c.elected);
    const rows = list.map((c): CandidateRow => ({
      ...c,
      mark: c.elected ? 'elected' : anyVotes && c === firstOut ? 'next' : null,
    }));
    const seats = party === null ? list.filter((c) => c.elected).length : won[party] ?? 0;
    const listVotes = party === null ? totalVotes(votes) : votes[party] ?? 0;
    return { party, seats, votes: listVotes, candidates: rows };
  });
}
