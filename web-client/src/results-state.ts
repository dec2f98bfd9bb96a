// The pure state machine behind ResultsClient: holds one (contest, region) snapshot and
// applies the pushed frames (TotalsChanged, Headline, Delta) strictly in version order,
// following "Applying deltas" and "Packed frames" in docs/api.md (how each frame's pieces
// merge: results-merge.ts). No
// network and no timers here: the machine only *asks* for a Resume or a fresh subscribe
// through the returned effect, so every rule is unit-testable.
import type { Frame, Headline, HeldNotice, HeldView, ResumeResult, Snapshot, TotalsChanged, View } from './types';
import { mergeCandidates, mergeChildren, mergeSeats, patchById, patchCandidate, patchChildren, withCounts } from './results-merge';

/** What the network side must do next. */
export type Effect =
  | { kind: 'resume'; version: number }
  | { kind: 'resubscribe' };

export interface Step {
  /** The snapshot changed (listeners should re-render). */
  changed: boolean;
  effect: Effect | null;
  /** Only the hold on it moved, not its numbers (their age stays). */
  heldOnly?: boolean;
}

export type Verdict = 'apply' | 'ignore' | 'gap' | 'resubscribe' | 'foreign';

/** The part of a frame that says whose it is and which versions it spans. */
export type FrameVersions = Pick<TotalsChanged, 'contest' | 'region' | 'epoch' | 'prevVersion' | 'version'>;

/** Decides what a TotalsChanged means against the snapshot we hold (rules 2 to 5). */
export function classifyDelta(snap: Snapshot, d: FrameVersions): Verdict {
  if (d.contest !== snap.contest || d.region !== snap.region.id) return 'foreign';
  if (d.epoch !== snap.epoch) return 'resubscribe';
  if (d.version <= snap.version) return 'ignore';
  if (d.prevVersion > snap.version) return 'gap';
  // prevVersion == version is the normal case. prevVersion < version < d.version (a frame
  // that spans a version we already hold) is safe to apply too: totals are absolute, a
  // TotalsChanged child is whole, and the frame covers every change since its prevVersion.
  return 'apply';
}

/**
 * What one frame means for a state that follows the group in `view`. A packed frame names no
 * epoch: it belongs to the epoch of the snapshot its subscription returned.
 */
export function classifyFrame(snap: Snapshot, f: Frame, view: View): Verdict {
  if (f.kind === 'TotalsChanged') return classifyDelta(snap, f);
  if (f.contest !== snap.contest || f.region !== snap.region.id) return 'foreign';
  if (f.version <= snap.version) return 'ignore';
  // A Headline is whole, never a gap. But a full view cannot take one (its children would go
  // stale without a word): let it pass; the next Delta then does not start at our version.
  if (f.kind === 'Headline') return view === 'headline' ? 'apply' : 'ignore';
  // A Delta's children are increments: they add up only on exactly the version they were made
  // from. Anything else takes a fresh snapshot, which also resets what the server thinks we hold.
  return f.prevVersion === snap.version ? 'apply' : 'resubscribe';
}

/** What every frame brings of its group, absolute: it replaces ours. */
type GroupTotals = Pick<Snapshot, 'stations' | 'votes' | 'valid' | 'invalid' | 'chain'>;

function withTotals(snap: Snapshot, version: number, t: GroupTotals): Snapshot {
  // The link held is the old version's: a frame that brings none (a Headline) leaves none.
  const { chain: _older, ...rest } = snap;
  const next: Snapshot = { ...rest, version, stations: t.stations, votes: t.votes, valid: t.valid, invalid: t.invalid };
  if (t.chain) next.chain = t.chain;
  return next;
}

/** A packed frame's group totals on our choice ids; null when unreadable, or when it counts other choices than we hold. */
function unpackTotals(snap: Snapshot, f: Headline): GroupTotals | null {
  const p = f.packed;
  if (!p || p.totals.votes.length !== Object.keys(snap.votes).length) return null;
  return {
    ...p.totals,
    votes: withCounts(snap.votes, p.totals.votes, (_, count) => count),
    chain: p.chainHash ? { seq: f.version, hash: p.chainHash } : null,
  };
}

/** Returns a new snapshot with the delta applied (the input is not modified). */
export function applyDelta(snap: Snapshot, d: TotalsChanged): Snapshot {
  const next: Snapshot = { ...withTotals(snap, d.version, d), children: mergeChildren(snap.children, d.children) };
  // Region groups carry neither section: leave their snapshots exactly as they were.
  if (d.candidates || snap.candidates) next.candidates = mergeCandidates(snap.candidates, d.candidates);
  if (d.seats || snap.seats) next.seats = mergeSeats(snap.seats, d.seats);
  return next;
}

/**
 * What a `headline` view holds of a snapshot: no children, no candidates, seats without
 * `dapils`. Snapshots from elsewhere (an HTTP poll, a Resume) are cut to it, so a screen sees
 * the same shape whichever way the data came.
 */
export function headlineOf(snap: Snapshot): Snapshot {
  if (snap.children.length === 0 && !snap.candidates && !snap.seats?.dapils.length) return snap;
  const out: Snapshot = { ...snap, children: [] };
  if (snap.candidates) out.candidates = null;
  if (snap.seats) out.seats = { ...snap.seats, dapils: [] };
  return out;
}

/**
 * Returns a new snapshot with the frame applied (the input is not modified), or null when it
 * cannot be applied to what we hold (take a fresh snapshot): a packed frame that does not read
 * against our snapshot, or a Delta that names a candidate we do not hold.
 * In a `headline` view every frame brings only totals and seats (total, won, threshold).
 */
export function applyFrame(snap: Snapshot, f: Frame, view: View = 'full'): Snapshot | null {
  const totals = f.kind === 'TotalsChanged' ? f : unpackTotals(snap, f);
  if (!totals) return null;
  if (view === 'headline') {
    const next = withTotals(snap, f.version, totals);
    if (f.seats) next.seats = { ...f.seats, dapils: [] };
    return headlineOf(next);
  }
  switch (f.kind) {
    case 'TotalsChanged':
      return applyDelta(snap, f);
    case 'Headline': {
      const next = withTotals(snap, f.version, totals);
      if (f.seats) next.seats = mergeSeats(snap.seats, f.seats);
      return next;
    }
    case 'Delta': {
      const children = patchChildren(snap.children, f.packed?.children ?? null);
      if (!children) return null;
      const next: Snapshot = { ...withTotals(snap, f.version, totals), children };
      if (f.candidates) {
        const candidates = patchById(snap.candidates ?? [], f.candidates, patchCandidate);
        if (!candidates) return null;
        next.candidates = candidates;
      }
      if (f.seats || snap.seats) next.seats = mergeSeats(snap.seats, f.seats);
      return next;
    }
  }
}

/** The epoch a held group's snapshot carries: its live epoch and `-held` (docs/api.md, "Publication holds"). */
export const HELD_EPOCH_SUFFIX = '-held';

/** Whether two holds are the same (both none, or the same seq since the same moment). */
export function sameHold(a: HeldView | null | undefined, b: HeldView | null | undefined): boolean {
  return a && b ? a.seq === b.seq && a.since === b.since : !a === !b;
}

/** Whether an incoming full snapshot should replace the one we hold. */
export function acceptsSnapshot(current: Snapshot | null, incoming: Snapshot): boolean {
  if (!current) return true;
  // A held snapshot (epoch `<live>-held`) is as of the hold's seq: one we get while holding live
  // numbers past that seq (a cache answering after the release) would move us backwards.
  if (incoming.held && incoming.epoch === current.epoch + HELD_EPOCH_SUFFIX) return incoming.held.seq >= current.version;
  // A new epoch may start its versions anywhere (a rebuilt or restored database, a hold taken
  // or released): refusing it would freeze the screen. Within an epoch, an older snapshot (e.g.
  // a cached HTTP answer) would move us backwards.
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
  /** What we are waiting for; frames that arrive meanwhile go to `pending`. */
  private waiting: 'snapshot' | 'resume' | null = 'snapshot';
  private pending: Frame[] = [];
  private resumes = 0;

  /** `view`: what the subscription follows; a `headline` state holds totals and seats only. */
  constructor(readonly contest: string, readonly region: string, readonly view: View = 'full') {}

  get snapshot(): Snapshot | null {
    return this.snap;
  }

  get version(): number | null {
    return this.snap ? this.snap.version : null;
  }

  get epoch(): string | null {
    return this.snap ? this.snap.epoch : null;
  }

  /** The operator's hold on what we show (no frames come until its release), or null. */
  get held(): HeldView | null {
    return this.snap?.held ?? null;
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
      changed = !prev || prev.epoch !== s.epoch || prev.version !== s.version || !sameHold(prev.held, s.held);
      // Names may differ (e.g. first snapshot): keep the fresh object regardless.
      this.snap = this.view === 'headline' ? headlineOf(s) : s;
    }
    this.waiting = null;
    this.resumes = 0;
    return this.drain(this.takePending(), changed);
  }

  /** A pushed TotalsChanged. */
  onDelta(d: TotalsChanged): Step {
    return this.onFrame({ ...d, kind: 'TotalsChanged' });
  }

  /** A pushed frame: TotalsChanged, Headline or Delta. */
  onFrame(f: Frame): Step {
    if (f.contest !== this.contest || f.region !== this.region) return NOTHING;
    if (this.waiting !== null || !this.snap) {
      this.hold([f]);
      return NOTHING;
    }
    return this.drain([f], false);
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
    const deltas: Frame[] = r.deltas.map((d) => ({ ...d, kind: 'TotalsChanged' }));
    return this.drain([...deltas, ...this.takePending()], false);
  }

  /**
   * A pushed `Held`. Held: the numbers we show stay as they are until the release (the server
   * sends no frames meanwhile). Released: one frame follows with what moved, or, if our snapshot
   * was taken during the hold (its own epoch), a TotalsRebuilt for a fresh one.
   */
  onHeld(n: HeldNotice): Step {
    if (n.contest !== this.contest || n.region !== this.region || !this.snap) return NOTHING;
    const held = n.held ? { seq: n.seq, since: n.since } : null;
    if (sameHold(this.snap.held, held)) return NOTHING;
    this.snap = { ...this.snap, held };
    return { changed: true, effect: null, heldOnly: true };
  }

  /** A pushed TotalsRebuilt: every subscriber takes a fresh snapshot. */
  onRebuilt(): Step {
    return this.resubscribe([]);
  }

  private hold(ds: Frame[]): void {
    this.pending.push(...ds);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
  }

  private takePending(): Frame[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  private resubscribe(keep: Frame[]): Step {
    this.waiting = 'snapshot';
    this.resumes = 0;
    // TotalsChanged of the new epoch may already be here; the fresh snapshot decides which still
    // count. A packed frame here was sent before we asked: the fresh snapshot is at least as new.
    this.pending = keep.filter((d) => d.kind === 'TotalsChanged' && (!this.snap || d.epoch !== this.snap.epoch));
    return { changed: false, effect: { kind: 'resubscribe' } };
  }

  /** Applies a batch in version order; stops at the first frame that needs the network. */
  private drain(batch: Frame[], changedSoFar: boolean): Step {
    let changed = changedSoFar;
    const queue = batch
      .filter((d) => d.contest === this.contest && d.region === this.region)
      .sort((a, b) => a.version - b.version || a.prevVersion - b.prevVersion);
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i] as Frame;
      const snap = this.snap;
      if (!snap) {
        this.hold(queue.slice(i));
        return { changed, effect: { kind: 'resubscribe' } };
      }
      switch (classifyFrame(snap, d, this.view)) {
        case 'apply': {
          const next = applyFrame(snap, d, this.view);
          // A frame made for other numbers than we hold: start over.
          if (!next) return { changed, effect: this.resubscribe(queue.slice(i + 1)).effect };
          this.snap = next;
          changed = true;
          break;
        }
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
