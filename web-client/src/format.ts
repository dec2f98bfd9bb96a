// Number formatting and the arithmetic every screen shows (shares, % reporting, leader).
import type { StationCounts, Votes } from './types';

export type Lang = 'id' | 'en';

const locales: Record<Lang, string> = { id: 'id-ID', en: 'en-GB' };
const intFormats = new Map<Lang, Intl.NumberFormat>();
const pctFormats = new Map<string, Intl.NumberFormat>();

export function formatInt(n: number, lang: Lang): string {
  let f = intFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 0 });
    intFormats.set(lang, f);
  }
  return f.format(Math.round(n));
}

/** A percentage value (0..100) with a fixed number of decimals, e.g. "55,50%" in id. */
export function formatPct(pct: number, lang: Lang, digits = 2): string {
  const key = `${lang}:${digits}`;
  let f = pctFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locales[lang], { minimumFractionDigits: digits, maximumFractionDigits: digits });
    pctFormats.set(key, f);
  }
  return `${f.format(pct)}%`;
}

export function totalVotes(votes: Votes): number {
  let sum = 0;
  for (const v of Object.values(votes)) sum += v;
  return sum;
}

/** Share of a choice in percent of all choice votes (0 when nothing is counted yet). */
export function share(votes: Votes, choice: string): number {
  const total = totalVotes(votes);
  return total > 0 ? ((votes[choice] ?? 0) * 100) / total : 0;
}

/** Polling stations reported, in percent of all stations. */
export function reportedPct(s: StationCounts): number {
  return s.total > 0 ? (s.reported * 100) / s.total : 0;
}

export interface Leader {
  id: string | null;
  /** Lead over the runner-up in percentage points of the votes. */
  margin: number;
}

export function leader(votes: Votes): Leader {
  const total = totalVotes(votes);
  const ranked = Object.entries(votes).sort((a, b) => b[1] - a[1]);
  const first = ranked[0];
  if (!first || total === 0) return { id: null, margin: 0 };
  const second = ranked[1]?.[1] ?? 0;
  if (first[1] === second) return { id: null, margin: 0 };
  return { id: first[0], margin: ((first[1] - second) * 100) / total };
}

/** "12 s" / "3 min" style age, short enough for a ticker. */
export function formatAge(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} ${lang === 'id' ? 'dtk' : 's'}`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} ${lang === 'id' ? 'mnt' : 'min'}`;
  return `${Math.floor(m / 60)} ${lang === 'id' ? 'jam' : 'h'}`;
}
