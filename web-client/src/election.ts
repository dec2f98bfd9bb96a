// Choice names and colours. Names come from GET /api/v1/election; colours are CSS
// variables so a newsroom can theme them: presidential pairs --broadcast-choice-01 ... with a
// default palette, parties --broadcast-party-<ballot number> with the party's colour from the
// election (parties[].colour) as the default.
import type { ContestInfo, Election, ParliamentInfo, PartyInfo, Snapshot, Votes } from './types';
import { toElection, toParliaments, toSnapshot } from './wire';

const PALETTE = ['#c0392b', '#1f6fb2', '#2e8b57', '#b8860b', '#7b3fa0', '#008b8b'];

export async function fetchElection(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<Election | null> {
  try {
    const res = await fetchFn(`${baseUrl.replace(/\/+$/, '')}/api/v1/election`, { headers: { Accept: 'application/json' } });
    return res.ok ? toElection(await res.json()) : null;
  } catch {
    // Names are a nicety: without them the screens show choice ids and keep working.
    return null;
  }
}

/** `GET /api/v1/election/{contest}/parliaments?within=<region>`; empty on any failure. */
export async function fetchParliaments(baseUrl: string, contest: string, within: string | null, fetchFn: typeof fetch = fetch): Promise<ParliamentInfo[]> {
  try {
    const q = within === null ? '' : `?within=${encodeURIComponent(within)}`;
    const res = await fetchFn(`${baseUrl.replace(/\/+$/, '')}/api/v1/election/${encodeURIComponent(contest)}/parliaments${q}`,
      { headers: { Accept: 'application/json' } });
    return res.ok ? toParliaments(await res.json()) : [];
  } catch {
    return [];
  }
}

/**
 * The parties on a parliament's ballot (those standing in at least one of its dapils), from its
 * full snapshot (`.../latest`, served by a cache). A `headline` view leaves the dapils out, and a
 * parliament's votes list every party of the contest. Null on any failure.
 */
export async function fetchBallot(baseUrl: string, contest: string, group: string, fetchFn: typeof fetch = fetch): Promise<string[] | null> {
  try {
    const res = await fetchFn(`${baseUrl.replace(/\/+$/, '')}/api/v1/results/${encodeURIComponent(contest)}/${encodeURIComponent(group)}/latest`,
      { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const ids = new Set<string>();
    for (const c of toSnapshot(await res.json()).children) if (c.level === 'dapil') for (const id of Object.keys(c.votes)) ids.add(id);
    return ids.size ? [...ids] : null;
  } catch {
    return null;
  }
}

/**
 * What a screen following a parliament's headline knows of its ballot: asked once per group
 * (again after a failure, at most every 30 s); `onLoad` re-renders when it arrives.
 */
export class BallotCache {
  private key = '';
  private parties: string[] | null = null;
  private asked = 0;

  constructor(private readonly onLoad: () => void) {}

  /** The ballot of `snap`'s parliament; null while unknown, and for any group that is not a parliament without its dapils. */
  get(baseUrl: string, contest: string, snap: Snapshot): string[] | null {
    if (snap.region.level !== 'parliament' || snap.children.length > 0) return null;
    const key = `${baseUrl}|${contest}|${snap.region.id}`;
    const now = Date.now();
    if (key !== this.key || (!this.parties && now - this.asked > 30_000)) {
      if (key !== this.key) this.parties = null;
      this.key = key;
      this.asked = now;
      void fetchBallot(baseUrl, contest, snap.region.id).then((parties) => {
        if (this.key !== key || !parties) return;
        this.parties = parties;
        this.onLoad();
      });
    }
    return this.parties;
  }
}

export function contestInfo(election: Election | null, contest: string): ContestInfo | null {
  return election?.contests.find((c) => c.id === contest) ?? null;
}

export interface Choice {
  id: string;
  /** What screens show: a pair's names, a party's short name, a DPD candidate's number. */
  name: string;
  color: string;
  /** A party's full name, when known. */
  fullName?: string;
}

/** Choices in ballot order: the election's list, plus any id only seen in the votes. */
export function choicesFor(info: ContestInfo | null, votes: Votes = {}, parties: readonly PartyInfo[] = []): Choice[] {
  const ids = info ? info.choices.map((c) => c.id) : [];
  for (const id of Object.keys(votes).sort(byNumber)) if (!ids.includes(id)) ids.push(id);
  const partyList = info?.kind === 'partyList';
  return ids.map((id, i) => {
    const party = partyList ? parties.find((p) => p.id === id) : undefined;
    const choice: Choice = {
      id,
      name: info?.choices.find((c) => c.id === id)?.name || party?.shortName || id,
      color: partyList ? partyColor(id, party?.colour, i) : choiceColor(id, i),
    };
    if (party?.name) choice.fullName = party.name;
    return choice;
  });
}

/** Ids that are numbers ("1".."24") sort as numbers, others as text. */
export function byNumber(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

export function choiceColor(id: string, index: number): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, '');
  return `var(--broadcast-choice-${safe}, ${PALETTE[index % PALETTE.length]})`;
}

/** A party's colour: --broadcast-party-<id> if the page sets it, else the election's colour. */
export function partyColor(id: string, colour: string | undefined, index: number): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, '');
  const fallback = colour && /^#[0-9a-fA-F]{3,8}$/.test(colour) ? colour : PALETTE[index % PALETTE.length];
  return `var(--broadcast-party-${safe}, ${fallback})`;
}
