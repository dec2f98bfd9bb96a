// The operator console's logic, free of DOM: form checks that mirror the server's, the
// server's problem+json errors placed by field, the review queue's held-versus-counted rows,
// the live panel's figures in words, and the formatting of times and durations.
import { type Lang, formatInt } from './format';
import { displayName } from './names';
import type { ApiError, NightStatus, QueuedStation } from './operator-api';
import { w } from './operator-words';
import { type Revision, changeText, findings, numberRows, toStationTrail } from './station-view';

/** The server's bound on a reason (OperatorApi.MaxReasonLength). */
export const MAX_REASON = 500;

/** Null when the reason will do; else what to fix, in the operator's language. */
export function checkReason(reason: string, lang: Lang): string | null {
  const r = reason.trim();
  if (r.length === 0) return w(lang).reasonRequired;
  if (r.length > MAX_REASON) return w(lang).reasonTooLong(MAX_REASON);
  return null;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** An ingest key id as the server allows it (IngestKeyIds.Rule). */
export function checkKeyId(id: string, lang: Lang): string | null {
  return KEY_ID.test(id.trim()) ? null : w(lang).keyIdInvalid;
}

/** Ids typed as a list: "1, 26141 6728" → ["1", "26141", "6728"] (each once, in order). */
export function parseIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter((s) => s.length > 0))];
}

export interface PlacedErrors {
  /** Per form field (the name before any `[index]`), the messages to show under it. */
  byField: Record<string, string[]>;
  /** Messages for no field of this form: shown at its top. */
  other: string[];
}

/**
 * Places a problem's errors beside the fields of a form: `reason` under the reason, `regions[1]`
 * under the regions (saying which one), anything else above the form. With no errors at all,
 * the problem's detail goes above the form.
 */
export function placeErrors(error: ApiError, fields: readonly string[]): PlacedErrors {
  const byField: Record<string, string[]> = {};
  const other: string[] = [];
  for (const [key, messages] of Object.entries(error.errors)) {
    const base = key.replace(/\[\d+\].*$/, '').replace(/\..*$/, '');
    const field = fields.find((f) => f.toLowerCase() === base.toLowerCase());
    const text = messages.map((m) => (field && key.toLowerCase() === field.toLowerCase() ? m : `${key}: ${m}`));
    if (field) (byField[field] ??= []).push(...text);
    else other.push(...text);
  }
  if (Object.keys(error.errors).length === 0) other.push(error.status ? `${error.detail} (HTTP ${error.status})` : error.detail);
  return { byField, other };
}

/** A duration the operator waits for: "850 ms", "3,4 s", "2 min 05 s". */
export function formatElapsed(ms: number, lang: Lang): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Seconds of lag with two decimals ("0,25 s"), "–" when there is none to show. */
export function formatSeconds(seconds: number | null, lang: Lang): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  return `${seconds.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} s`;
}

/** A moment as the desk reads it, in the browser's zone: "17/04 21:05:03". */
export function formatWhen(iso: string | null, lang: Lang): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB', {
    day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  });
}

/** The queue's regions (province down to village) as the screens write names: "Aceh › Aceh Barat › …". */
export function regionPath(regions: readonly { name: string }[]): string {
  return regions.map((r) => displayName(r.name)).join(' › ');
}

export interface QueueRow {
  key: string;
  label: string;
  counted: string;
  held: string;
  change: string;
  /** The held number differs from the counted one (or nothing is counted). */
  differs: boolean;
}

export interface QueueItemView {
  station: string;
  contest: string;
  held: Revision;
  counted: Revision | null;
  path: string;
  /** Each failed rule in the operator's language (the server's words in English), with the held revision's numbers behind it. */
  rules: { code: string; text: string; detail: string }[];
  rows: QueueRow[];
}

/**
 * A queued station as the console shows it: its numbers per choice (a party's total on a party
 * list) and the sums, the counted revision's beside the held one's, and what accepting would
 * change. `names` maps a choice or party id to what to call it.
 */
export function queueItemView(item: QueuedStation, lang: Lang, names: (id: string) => string): QueueItemView {
  const trail = toStationTrail({
    station: item.station, contest: item.contest, revisions: item.counted ? [item.counted, item.held] : [item.held],
    rules: Object.fromEntries(item.rules.map((r) => [r.code, r.text])),
  });
  const revisions = trail.revisions;
  const counted = item.counted ? revisions[0]! : null;
  const held = revisions[revisions.length - 1]!;
  const words = w(lang);
  const rows = numberRows(revisions)
    .filter((r) => r.kind === 'choice' || r.kind === 'party' || r.kind === 'sum')
    .map((r): QueueRow => {
      const heldCell = r.cells[r.cells.length - 1]!;
      const countedCell = counted ? r.cells[0]! : null;
      const label = r.kind === 'sum'
        ? (r.key === 'valid' ? words.validVotes : r.key === 'invalid' ? words.invalidVotes : words.totalBallots)
        : names(r.key);
      const change = countedCell ? heldCell.value - countedCell.value : heldCell.value;
      return {
        key: r.key, label,
        counted: countedCell ? formatInt(countedCell.value, lang) : '–',
        held: formatInt(heldCell.value, lang),
        change: changeText(change, lang),
        differs: change !== 0,
      };
    });
  return {
    station: item.station, contest: item.contest, held, counted,
    path: regionPath(item.regions),
    rules: findings(held, trail, lang).map((f) => ({ code: f.code, text: f.words, detail: f.detail })),
    rows,
  };
}

/** "1–20 of 45 stations…" for a page of the queue starting after `after`. */
export function pageLabel(after: number, shown: number, total: number, lang: Lang): string {
  if (total === 0 || shown === 0) return w(lang).queueEmpty;
  return w(lang).queueCount(after + 1, after + shown, total);
}

/** Where the queue's next page starts after a decision: the same page, or the one before when it emptied. */
export function pageAfterDecision(after: number, limit: number, total: number): number {
  if (after < total) return after;
  return Math.max(0, Math.floor(Math.max(0, total - 1) / limit) * limit);
}

export interface StatusView {
  formsPerSecond: string;
  aggregationLag: string;
  lag: { p50: string; p95: string; max: string; runs: number };
  viewers: number;
  nodes: { node: string; viewers: string; checkpoint: string; behind: number }[];
  chain: { state: 'ok' | 'broken' | 'unchecked'; text: string };
}

/** The live panel's figures in words. */
export function statusView(s: NightStatus, lang: Lang): StatusView {
  const words = w(lang);
  const chain: StatusView['chain'] = s.chain === null ? { state: 'unchecked', text: words.chainUnchecked }
    : s.chain.firstBreak !== null ? { state: 'broken', text: words.chainBroken(s.chain.firstBreak) }
    : { state: 'ok', text: words.chainOk(s.chain.checked) };
  return {
    formsPerSecond: s.formsPerSecond.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 1 }),
    aggregationLag: `${formatInt(s.aggregationLag, lang)} ${words.revisionsBehind}`,
    lag: { p50: formatSeconds(s.formToScreen.p50, lang), p95: formatSeconds(s.formToScreen.p95, lang), max: formatSeconds(s.formToScreen.max, lang), runs: s.formToScreen.runs },
    viewers: s.nodes.reduce((a, n) => a + n.viewers, 0),
    nodes: s.nodes.map((n) => ({ node: n.node, viewers: formatInt(n.viewers, lang), checkpoint: formatInt(n.checkpoint, lang), behind: Math.max(0, s.lastSeq - n.checkpoint) })),
    chain,
  };
}

/** A key's scope in words: "ppwp · regions 1, 26141" or "all". */
export function scopeText(contests: readonly string[], regions: readonly string[], lang: Lang): { contests: string; regions: string } {
  const all = w(lang).all;
  return { contests: contests.length ? contests.join(', ') : all, regions: regions.length ? regions.join(', ') : all };
}
