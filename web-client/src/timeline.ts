// The count as of a past moment (GET /api/v1/results/{contest}/{group}?asOf=...), for screens
// that look back: the span of the night (GET /api/v1/history), the moment under a scrubber
// position, whether "as of" labels need the date (wib.ts writes them), and a controller that
// fetches the past snapshot of the group on screen, newest request wins. No DOM here
// (monitor-timeline.ts draws it).
import type { Snapshot } from './types';
import { WIB_MS, wibDay } from './wib';
import { toSnapshot } from './wire';

/** A place in the revision log: a seq and when it (and everything before it) was received, in ms. */
export interface LogPoint {
  seq: number;
  receivedAt: number;
}

/** The first and the latest revision of the night; null while nothing is stored. */
export type NightSpan = { first: LogPoint; latest: LogPoint } | null;

/** What moment a past snapshot is of (docs/api.md, "The count as of any moment"). */
export interface AsOf {
  seq: number;
  receivedAt: number | null;
  /** No revision can still join this moment (false only at or after the latest revision). */
  final: boolean;
}

export type PastSnapshot = Snapshot & { asOf: AsOf };

/** Scrubber positions: 0 is the first revision of the night, STEPS the latest (which is live). */
export const STEPS = 1000;

function point(v: unknown): LogPoint | null {
  const o = v as { seq?: unknown; receivedAt?: unknown } | null;
  if (!o || typeof o.seq !== 'number' || typeof o.receivedAt !== 'string') return null;
  const at = Date.parse(o.receivedAt);
  return Number.isFinite(at) ? { seq: o.seq, receivedAt: at } : null;
}

/** `GET /api/v1/history`. */
export function parseSpan(v: unknown): NightSpan {
  const o = v as { first?: unknown; latest?: unknown } | null;
  const first = point(o?.first);
  const latest = point(o?.latest);
  return first && latest ? { first, latest } : null;
}

/** A past snapshot: the snapshot's shape plus `asOf`. */
export function parsePast(v: unknown): PastSnapshot {
  const o = (v ?? {}) as { asOf?: { seq?: unknown; receivedAt?: unknown; final?: unknown } };
  const a = o.asOf ?? {};
  const receivedAt = typeof a.receivedAt === 'string' ? Date.parse(a.receivedAt) : NaN;
  return {
    ...toSnapshot(v),
    asOf: { seq: Number(a.seq ?? 0), receivedAt: Number.isFinite(receivedAt) ? receivedAt : null, final: a.final === true },
  };
}

/** The moment (ms) under a scrubber position. */
export function timeAt(span: NonNullable<NightSpan>, position: number): number {
  const p = Math.min(STEPS, Math.max(0, position));
  return Math.round(span.first.receivedAt + ((span.latest.receivedAt - span.first.receivedAt) * p) / STEPS);
}

/** The scrubber position of a moment. */
export function positionOf(span: NonNullable<NightSpan>, ms: number): number {
  const width = span.latest.receivedAt - span.first.receivedAt;
  if (width <= 0) return ms >= span.latest.receivedAt ? STEPS : 0;
  return Math.min(STEPS, Math.max(0, Math.round(((ms - span.first.receivedAt) * STEPS) / width)));
}

/** A moment as the API takes it: ISO 8601 in WIB, `2019-04-17T21:00:05.250+07:00`. */
export function isoWib(ms: number): string {
  return new Date(ms + WIB_MS).toISOString().replace('Z', '+07:00');
}

/** Whether the night spans more than one WIB day (labels then show the date). */
export function spansDays(span: NightSpan): boolean {
  if (!span) return false;
  return wibDay(span.first.receivedAt) !== wibDay(span.latest.receivedAt);
}

export interface TimelineOptions {
  baseUrl: string;
  contest: string;
  /** Told whenever the mode, the moment or the past snapshot changes. */
  onChange: () => void;
  fetch?: typeof fetch;
}

/**
 * Live or looking back. Looking back, it holds the moment chosen and the group's snapshot as of
 * that moment; it refetches when the group on screen changes. Requests go one at a time: a
 * moment chosen while one is in flight is fetched when it returns, and only the newest is shown.
 */
export class Timeline {
  span: NightSpan = null;
  /** The moment looked at (ms), or null when live. */
  at: number | null = null;
  /** The group's snapshot as of `at`; null while live or loading. */
  past: PastSnapshot | null = null;
  error: string | null = null;
  private region = '';
  private inFlight = false;
  private wanted: { at: number; region: string } | null = null;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: TimelineOptions) {
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  get lookingBack(): boolean {
    return this.at !== null;
  }

  /** The past snapshot when it is of the group on screen; null otherwise (live, loading, another group). */
  snapshotFor(region: string): PastSnapshot | null {
    return this.lookingBack && this.past?.region.id === region ? this.past : null;
  }

  async refreshSpan(): Promise<NightSpan> {
    try {
      const res = await this.fetchImpl(`${this.opts.baseUrl}/api/v1/history`, { headers: { Accept: 'application/json' } });
      if (res.ok) this.span = parseSpan(await res.json());
    } catch {
      // Offline: keep the span known so far.
    }
    this.opts.onChange();
    return this.span;
  }

  /** Looks at the group as of `ms`. */
  lookAt(ms: number, region: string): Promise<void> {
    this.at = ms;
    this.region = region;
    this.wanted = { at: ms, region };
    this.opts.onChange();
    return this.pump();
  }

  /** The group on screen changed: looking back, fetch the new one as of the same moment. */
  follow(region: string): void {
    if (region === this.region) return;
    this.region = region;
    if (this.at !== null) void this.lookAt(this.at, region);
  }

  backToLive(): void {
    this.at = null;
    this.past = null;
    this.error = null;
    this.wanted = null;
    this.opts.onChange();
  }

  private async pump(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      while (this.wanted) {
        const { at, region } = this.wanted;
        this.wanted = null;
        const url = `${this.opts.baseUrl}/api/v1/results/${encodeURIComponent(this.opts.contest)}/${encodeURIComponent(region)}`
          + `?asOf=${encodeURIComponent(isoWib(at))}`;
        try {
          const res = await this.fetchImpl(url, { headers: { Accept: 'application/json' } });
          const body: unknown = await res.json();
          // Dropped when live again or another moment was chosen meanwhile.
          if (this.at !== at || this.region !== region || this.wanted) continue;
          if (res.ok) {
            this.past = parsePast(body);
            this.error = null;
          } else {
            this.error = String((body as { title?: unknown } | null)?.title ?? `HTTP ${res.status}`);
          }
        } catch (e) {
          if (this.at === at) this.error = String(e);
        }
        this.opts.onChange();
      }
    } finally {
      this.inFlight = false;
    }
  }
}
