// Choice names and colours. Names come from GET /api/v1/election; colours are CSS
// variables (--broadcast-choice-01 ...) so a newsroom can theme them, with a default palette.
import type { ContestInfo, Election, Votes } from './types';
import { toElection } from './wire';

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

export function contestInfo(election: Election | null, contest: string): ContestInfo | null {
  return election?.contests.find((c) => c.id === contest) ?? null;
}

export interface Choice {
  id: string;
  name: string;
  color: string;
}

/** Choices in ballot order: the election's list, plus any id only seen in the votes. */
export function choicesFor(info: ContestInfo | null, votes: Votes = {}): Choice[] {
  const ids = info ? info.choices.map((c) => c.id) : [];
  for (const id of Object.keys(votes).sort()) if (!ids.includes(id)) ids.push(id);
  return ids.map((id, i) => ({
    id,
    name: info?.choices.find((c) => c.id === id)?.name || id,
    color: choiceColor(id, i),
  }));
}

export function choiceColor(id: string, index: number): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, '');
  return `var(--broadcast-choice-${safe}, ${PALETTE[index % PALETTE.length]})`;
}
