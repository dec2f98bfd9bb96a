// The pure state machine behind ResultsClient: holds one (contest, region) snapshot and
// applies TotalsChanged deltas strictly in version order, following "Applying deltas" in
// docs/api.md. No network and no timers here: the machine only *asks* for a Resume or a
// fresh Subscribe through the returned effect, so every rule is unit-testable.
import type { CandidateResults, ChildTotals, ResumeResult, SeatsView, Snapshot, TotalsChanged } from './types';

/** What the network side must do next. */
export type Effect =
  | { kind: 'resume'; version: number }
  | { kind: 'resubscribe' };

export interface Step {
  /** The snapshot changed (listeners should re-render). */
  changed: boolean;
  effect: Effect | null;
}

export type Verdict = 'apply' | 'ignore' | 'gap' | 'resubscribe' | 'foreign';

/** Decides what one delta means against the snapshot we hold (rules 2 to 5). */
export function classifyDelta(snap: Snapshot, d: TotalsChanged): Verdict {
  if (d.contest !== snap.contest || d.region !== snap.region.id) return 'foreign';
  if (d.epoch !== snap.epoch) return 'resubscribe';
  if (d.version <= snap.version) return 'ignore';
  if (d.prevVersion > snap.version) return 'gap';
  // prevVersion == version is the normal case. prevVersion < version < d.version (a delta
  // that spans a version we already hold) is safe to apply too: totals and children in a
  // delta are absolute values, and its children cover every change since prevVersion.
  return 'apply';
}

/** Replaces the listed children by id, keeps the others and their order, appends new ones. */
export function mergeChildren(children: ChildTotals[], changed: ChildTotals[]): ChildTotals[] {
  if (changed.length === 0) return children;
  const byId = new Map(changed.map((c) => [c.id, c]));
  const merged = children.map((c) => {
    const next = byId.get(c.id);
    if (!next) return c;
    byId.delete(c.id);
    // Should a delta child come without its name (names never change), keep the snapshot's.
    return next.name ? next : { ...next, name: c.name, level: c.level };
  });
  return byId.size === 0 ? merged : merged.concat([...byId.values()]);
}

/** Replaces the listed items by id, keeps the others and their order, appends new ones. */
export function mergeById<T extends { id: string }>(items: readonly T[], changed: readonly T[]): T[] {
  if (changed.length === 0) return items as T[];
  const byId = new Map(changed.map((c) => [c.id, c]));
  const merged = items.map((c) => {
    const next = byId.get(c.id);
    if (!next) return c;
    byId.delete(c.id);
    return next;
  });
  return byId.size === 0 ? merged : merged.concat([...byId.values()]);
}

/** A dapil's delta lists only the candidates that moved: replace those by id. */
export function mergeCandidates(candidates: CandidateResults[] | null | undefined, changed: CandidateResults[] | null | undefined): CandidateResults[] | null {
  if (!changed) return candidates ?? null;
  return mergeById(candidates ?? [], changed);
}

/**
 * A delta's seats: total, won and threshold replace ours; its `dapils` are the ones that
 * changed (a parliament's) or the one dapil (a dapil's own), replaced by id either way.
 */
export function mergeSeats(seats: SeatsView | null | undefined, changed: SeatsView | null | undefined): SeatsView | null {
  if (!changed) return seats ?? null;
  if (!seats) return changed;
  return { ...changed, dapils: mergeById(seats.dapils, changed.dapils) };
}

/** Returns a new snapshot with the delta applied (the input is not modified). */
export function applyDelta(snap: Snapshot, d: TotalsChanged): Snapshot {
  const next: Snapshot = {
    ...snap,
    version: d.version,
    stations: d.stations,
    votes: d.votes,
    valid: d.valid,
    invalid: d.invalid,
    children: mergeChildren(snap.children, d.children),
  };
  // Region groups carry neither section: leave their snapshots exactly as they were.
  if (d.candidates || snap.candidates) next.candidates = mergeCandidates(snap.candidates, d.candidates);
  if (d.seats || snap.seats) next.seats = mergeSeats(snap.seats, d.seats);
  return next;
}

/** Whether an incoming full snapshot should replace the one we hold. */
export function acceptsSnapshot(current: Snapshot | null, incoming: Snapshot): boolean {
  if (!current) return true;
  // A new epoch may start its versions anywhere (a rebuilt or restored database): refusing it
  // would freeze the screen. Within an epoch, an older snapshot (e.g. a cached HTTP answer)
  // would move us backwards.
  if (incoming.epoch !== current.epoch) return true;
  return incoming.version >= current.version;
}

/** Deltas held while a snapshot or a Resume is in flight are bounded: past this the
 * oldest are dropped, and the gap they leave is found and resumed like any other. */
const MAX_PENDING = 1000;
/** Resume answers that still leave a gap are retried this many times, then we resubscribe. */
const MAX_RESUMES = 3;

const NOTHING: Step = { changed: false, effect: null };

export class ResultsState {
  private snap: Snapshot | null = null;
  /** What we are waiting for; deltas that arrive meanwhile go to `pending`. */
  private waiting: 'snapshot' | 'resume' | null = 'snapshot';
  private pending: TotalsChanged[] = [];
  private resumes = 0;

  constructor(readonly contest: string, readonly region: string) {}

  get snapshot(): Snapshot | null {
    return this.snap;
  }

  get version(): number | null {
    return this.snap ? this.snap.version : null;
  }

  get epoch(): string | null {
    return this.snap ? this.snap.epoch : null;
  }

  /** True while a snapshot or Resume answer is awaited. */
  get busy(): boolean {
    return this.waiting !== null;
  }

  /** The caller is (re)subscribing: hold deltas until the snapshot arrives. */
  expectSnapshot(): void {
    this.waiting = 'snapshot';
  }

  /** A Subscribe answer, a Resume snapshot or an HTTP poll. */
  onSnapshot(s: Snapshot): Step {
    if (s.contest !== this.contest || s.region.id !== this.region) return NOTHING;
    let changed = false;
    if (acceptsSnapshot(this.snap, s)) {
      const prev = this.snap;
      changed = !prev || prev.epoch !== s.epoch || prev.version !== s.version;
      // Names may differ (e.g. first snapshot): keep the fresh object regardless.
      this.snap = s;
    }
    this.waiting = null;
    this.resumes = 0;
    return this.drain(this.takePending(), changed);
  }

  /** A pushed TotalsChanged. */
  onDelta(d: TotalsChanged): Step {
    if (d.contest !== this.contest || d.region !== this.region) return NOTHING;
    if (this.waiting !== null || !this.snap) {
      this.hold([d]);
      return NOTHING;
    }
    return this.drain([d], false);
  }

  /** The answer to the Resume we asked for. */
  onResume(r: ResumeResult): Step {
    if (r.snapshot) return this.onSnapshot(r.snapshot);
    if (!this.snap) {
      // Cannot happen unless the server answers oddly: start over.
      return this.resubscribe([]);
    }
    this.waiting = null;
    this.resumes++;
    return this.drain([...r.deltas, ...this.takePending()], false);
  }

  /** A pushed TotalsRebuilt: every subscriber takes a fresh snapshot. */
  onRebuilt(): Step {
    return this.resubscribe([]);
  }

  private hold(ds: TotalsChanged[]): void {
    this.pending.push(...ds);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
  }

  private takePending(): TotalsChanged[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  private resubscribe(keep: TotalsChanged[]): Step {
    this.waiting = 'snapshot';
    this.resumes = 0;
    // Deltas of the new epoch may already be here; the fresh snapshot decides which still count.
    this.pending = keep.filter((d) => !this.snap || d.epoch !== this.snap.epoch);
    return { changed: false, effect: { kind: 'resubscribe' } };
  }

  /** Applies a batch in version order; stops at the first delta that needs the network. */
  private drain(batch: TotalsChanged[], changedSoFar: boolean): Step {
    let changed = changedSoFar;
    const queue = batch
      .filter((d) => d.contest === this.contest && d.region === this.region)
      .sort((a, b) => a.version - b.version || a.prevVersion - b.prevVersion);
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i] as TotalsChanged;
      const snap = this.snap;
      if (!snap) {
        this.hold(queue.slice(i));
        return { changed, effect: { kind: 'resubscribe' } };
      }
      switch (classifyDelta(snap, d)) {
        case 'apply':
          this.snap = applyDelta(snap, d);
          changed = true;
          break;
        case 'ignore':
        case 'foreign':
          break;
        case 'resubscribe':
          return { changed, effect: this.resubscribe(queue.slice(i)).effect };
        case 'gap':
          this.hold(queue.slice(i));
          if (this.resumes >= MAX_RESUMES) {
            return { changed, effect: this.resubscribe(this.takePending()).effect };
          }
          this.waiting = 'resume';
          return { changed, effect: { kind: 'resume', version: snap.version } };
      }
    }
    // Caught up without a new gap: a later gap gets a fresh set of Resume tries.
    this.resumes = 0;
    return { changed, effect: null };
  }
}
