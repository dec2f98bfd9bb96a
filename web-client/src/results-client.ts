// ResultsClient: one live (contest, region) result for every screen.
// It owns the network side (SignalR hub, HTTP polling fallback, reconnects); all decisions
// about snapshots and deltas are made by the pure ResultsState next door.
import { HttpTransportType } from '@microsoft/signalr';
import { type BackoffOptions, backoffDelay } from './backoff';
import { type HubFactoryOptions, type HubLike, type Protocol, createHub } from './hub';
import { ResultsState, type Step } from './results-state';
import { GroupNotFound, SnapshotPoller } from './snapshot-poller';
import { Timers } from './timers';
import type { HeldView, Snapshot, SubscribeOptions, View } from './types';
import { toDelta, toHeadline, toHeld, toLeanDelta, toResume, toSnapshot } from './wire';

export type { HubLike, Protocol } from './hub';
/** `notFound`: the server knows no such contest or group (it keeps being asked, in case it is a node still loading). */
export type ClientState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'offline' | 'notFound';

export interface ResultsClientOptions {
  contest: string;
  /** Region id, default "0" (national). */
  region?: string;
  /** What to follow (SubscribeWith): `headline` (totals and seats, no children) or `full` (default). */
  view?: View;
  /** Frames per second at most (0.1 to 20; null or absent: every aggregation run). */
  maxPerSecond?: number | null;
  /** Server origin, e.g. "https://results.example"; default: same origin. */
  baseUrl?: string;
  protocol?: Protocol;
  /** SignalR transports, tried in order by the library. Default: WebSockets, then
   * (JSON only) Server-Sent Events, then long polling. SSE cannot carry MessagePack. */
  transports?: HttpTransportType;
  /** Poll the cacheable HTTP snapshot (`.../latest`) while the hub cannot be reached (default true). */
  httpFallback?: boolean;
  /** Never open a hub connection, only poll (e.g. where WebSockets are known blocked). */
  pollOnly?: boolean;
  pollIntervalMs?: number;
  backoff?: BackoffOptions;
  onChange?: (snapshot: Snapshot) => void;
  onState?: (state: ClientState) => void;
  hubFactory?: (url: string, opts: HubFactoryOptions) => HubLike;
  fetch?: typeof fetch;
  now?: () => number;
}

export class ResultsClient {
  readonly contest: string;
  readonly baseUrl: string;
  readonly view: View;
  readonly maxPerSecond: number | null;
  private regionId: string;
  private core: ResultsState;
  private readonly opts: ResultsClientOptions;
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly httpFallback: boolean;
  private readonly poller: SnapshotPoller;

  private hub: HubLike | null = null;
  private connecting = false;
  /** Transport up (between start/reconnected and reconnecting/close). */
  private hubConnected = false;
  /** Transport up and subscribed to the current region. */
  private hubLive = false;
  private everConnected = false;
  private hubFailing = false;
  private attempt = 0;
  private closes = 0;
  private connectedAt = 0;
  private subscribeAttempt = 0;
  /** This connection's server has no SubscribeWith (an older node): plain Subscribe instead. */
  private legacyHub = false;
  /** Bumped by every (re)subscribe, region switch and connection loss: answers to older
   * requests arrive late and must not overwrite newer state. */
  private gen = 0;

  /** Whether the last HTTP poll answered; null while not polling. */
  private pollOk: boolean | null = null;
  /** Why the server says the group does not exist (its words), until a snapshot arrives. */
  private unknownGroup: string | null = null;

  private readonly timers = new Timers();
  private started = false;
  private disposed = false;
  private current: ClientState = 'connecting';
  private last: Date | null = null;
  private readonly changeListeners = new Set<(s: Snapshot) => void>();
  private readonly stateListeners = new Set<(s: ClientState) => void>();
  /** The last error met (for diagnostics; the client keeps retrying regardless). */
  lastError: unknown = null;

  constructor(opts: ResultsClientOptions) {
    this.opts = opts;
    this.contest = opts.contest;
    this.regionId = opts.region ?? '0';
    this.baseUrl = (opts.baseUrl ?? '').replace(/\/+$/, '');
    this.view = opts.view ?? 'full';
    this.maxPerSecond = opts.maxPerSecond ?? null;
    this.core = new ResultsState(this.contest, this.regionId, this.view);
    this.now = opts.now ?? Date.now;
    this.pollMs = opts.pollIntervalMs ?? 3000;
    this.httpFallback = opts.httpFallback ?? true;
    this.poller = new SnapshotPoller(this.latestUrl(), {
      fetch: opts.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      intervalMs: this.pollMs,
      onSnapshot: (body, url) => {
        if (url === this.latestUrl()) this.handle(this.core.onSnapshot(toSnapshot(body)));
      },
      onResult: (ok, err) => {
        if (err) this.lastError = err;
        this.pollOk = ok;
        // The 404's own words name the group; they replace the hub's shorter refusal.
        if (err instanceof GroupNotFound) this.setUnknownGroup(err.message);
        else this.updateState();
      },
    });
    if (opts.onChange) this.changeListeners.add(opts.onChange);
    if (opts.onState) this.stateListeners.add(opts.onState);
  }

  get state(): ClientState {
    return this.current;
  }

  get region(): string {
    return this.regionId;
  }

  get snapshot(): Snapshot | null {
    return this.core.snapshot;
  }

  /** An operator holds the group's publication (docs/api.md, "Publication holds"): since when; null when not held. */
  get held(): HeldView | null {
    return this.core.held;
  }

  /** What the server said when it did not know the contest or group (state `notFound`); null otherwise. */
  get problem(): string | null {
    return this.unknownGroup;
  }

  /** When the last change was applied (null before the first snapshot). */
  get lastUpdate(): Date | null {
    return this.last;
  }

  /** Milliseconds since the last applied change, or null. */
  dataAge(now: number = this.now()): number | null {
    return this.last ? Math.max(0, now - this.last.getTime()) : null;
  }

  onChange(cb: (s: Snapshot) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  onStateChange(cb: (s: ClientState) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  start(): this {
    if (this.started || this.disposed) return this;
    this.started = true;
    if (this.opts.pollOnly) {
      this.startPolling(0);
      return this;
    }
    const protocol = this.opts.protocol ?? 'msgpack';
    const transports = this.opts.transports ?? (protocol === 'json'
      ? HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling
      : HttpTransportType.WebSockets | HttpTransportType.LongPolling);
    const factory = this.opts.hubFactory ?? createHub;
    const hub = factory(`${this.baseUrl}/hubs/results`, { protocol, transports, backoff: this.opts.backoff ?? {} });
    this.hub = hub;
    hub.on('Headline', (raw) => this.handle(this.core.onFrame({ ...toHeadline(raw), kind: 'Headline' })));
    hub.on('Delta', (raw) => this.handle(this.core.onFrame({ ...toLeanDelta(raw), kind: 'Delta' })));
    // A plain Subscribe's pushes (an older server); Resume answers with these too.
    hub.on('TotalsChanged', (raw) => this.handle(this.core.onDelta(toDelta(raw))));
    hub.on('TotalsRebuilt', () => this.handle(this.core.onRebuilt()));
    hub.on('Held', (raw) => this.handle(this.core.onHeld(toHeld(raw))));
    hub.onreconnecting((err) => this.lost(err, this.pollMs));
    hub.onreconnected(() => {
      this.hubConnected = true;
      // Maybe another node (after a rolling update): ask it for SubscribeWith again.
      this.legacyHub = false;
      // A new connection id: the server forgot our groups, so subscribe again.
      void this.subscribe();
    });
    hub.onclose((err) => {
      // Our retry policy never gives up, so this is a stop() or a close the server forbade
      // reconnecting from. Unless we are being disposed, start over ourselves.
      this.lost(err, 0);
      if (this.disposed) return;
      // A server that closes every new connection must not get a tight reconnect loop:
      // back off, and only forget past closes once a connection has lasted a while.
      if (this.now() - this.connectedAt > 30_000) this.closes = 0;
      this.later(backoffDelay(this.closes++, this.opts.backoff), () => void this.connect());
    });
    void this.connect();
    return this;
  }

  /** Drill down / up: leave the old region's group and join the new one. */
  setRegion(region: string): void {
    if (region === this.regionId) return;
    const old = this.regionId;
    this.regionId = region;
    this.core = new ResultsState(this.contest, region, this.view);
    this.last = null;
    this.unknownGroup = null;
    this.gen++;
    if (this.hub && this.hubConnected) {
      this.hub.invoke('Unsubscribe', this.contest, old).catch((e: unknown) => { this.lastError = e; });
      void this.subscribe();
    }
    this.poller.setUrl(this.latestUrl());
  }

  snapshotUrl(region: string = this.regionId): string {
    return `${this.baseUrl}/api/v1/results/${encodeURIComponent(this.contest)}/${encodeURIComponent(region)}`;
  }

  /** Redirects to the snapshot's immutable version URL, which caches (a CDN, the browser) keep for good. */
  latestUrl(region: string = this.regionId): string {
    return `${this.snapshotUrl(region)}/latest`;
  }

  /** The third argument of SubscribeWith. */
  subscribeOptions(): SubscribeOptions {
    return { view: this.view, maxPerSecond: this.maxPerSecond };
  }

  async stop(): Promise<void> {
    this.disposed = true;
    this.stopPolling(true);
    this.timers.clear();
    this.gen++;
    if (this.hub) await this.hub.stop().catch(() => undefined);
  }

  // ---- hub ----

  private async connect(): Promise<void> {
    const hub = this.hub;
    if (!hub || this.connecting) return;
    this.connecting = true;
    try {
      while (!this.disposed) {
        try {
          await hub.start();
        } catch (err) {
          this.lastError = err;
          this.hubFailing = true;
          // Nothing to show yet (or the connection is gone): poll the HTTP snapshot meanwhile.
          this.startPolling(0);
          this.updateState();
          await this.timers.sleep(backoffDelay(this.attempt++, this.opts.backoff));
          continue;
        }
        if (this.disposed) return;
        this.attempt = 0;
        this.connectedAt = this.now();
        this.hubFailing = false;
        this.hubConnected = true;
        this.everConnected = true;
        this.legacyHub = false;
        await this.subscribe();
        return;
      }
    } finally {
      this.connecting = false;
    }
  }

  private lost(err: Error | undefined, pollDelay: number): void {
    this.lastError = err ?? this.lastError;
    this.hubConnected = false;
    this.hubLive = false;
    this.gen++;
    if (!this.disposed) this.startPolling(pollDelay);
    this.updateState();
  }

  private async subscribe(): Promise<void> {
    const hub = this.hub;
    if (!hub || !this.hubConnected || this.disposed) return;
    const gen = ++this.gen;
    const core = this.core;
    core.expectSnapshot();
    try {
      const raw = this.legacyHub
        ? await hub.invoke('Subscribe', this.contest, this.regionId)
        : await hub.invoke('SubscribeWith', this.contest, this.regionId, this.subscribeOptions());
      if (gen !== this.gen) return;
      this.subscribeAttempt = 0;
      this.hubLive = true;
      this.stopPolling(false);
      // State first, so change listeners already see 'live'.
      this.updateState();
      this.handle(core.onSnapshot(toSnapshot(raw)));
    } catch (err) {
      if (gen !== this.gen) return;
      this.lastError = err;
      const message = String((err as Error | null)?.message ?? err);
      if (!this.legacyHub && /unknown (hub )?method|method does not exist/i.test(message)) {
        // A server from before SubscribeWith: the full pushes of Subscribe, cut to our view.
        this.legacyHub = true;
        void this.subscribe();
        return;
      }
      // The connection is up but the server refused or failed: show polled data and retry.
      // "Unknown contest or group." is worth showing at once (the poll's 404 then names it).
      this.hubLive = false;
      this.startPolling(0);
      if (/unknown contest/i.test(message) && this.unknownGroup === null) this.setUnknownGroup(message.replace(/^.*HubException: /, ''));
      else this.updateState();
      this.later(backoffDelay(this.subscribeAttempt++, this.opts.backoff), () => {
        if (gen === this.gen) void this.subscribe();
      });
    }
  }

  private async resume(version: number): Promise<void> {
    const hub = this.hub;
    if (!hub) return;
    const gen = this.gen;
    const core = this.core;
    try {
      const raw = await hub.invoke('Resume', this.contest, this.regionId, version);
      if (gen !== this.gen) return;
      this.handle(core.onResume(toResume(raw)));
    } catch (err) {
      if (gen !== this.gen) return;
      this.lastError = err;
      // A fresh snapshot is always a correct way out.
      void this.subscribe();
    }
  }

  private handle(step: Step): void {
    if (step.changed) {
      if (this.unknownGroup !== null) this.setUnknownGroup(null);
      if (!step.heldOnly) this.last = new Date(this.now());
      const snap = this.core.snapshot;
      if (snap) for (const cb of this.changeListeners) cb(snap);
    }
    const effect = step.effect;
    if (!effect) return;
    if (!this.hubConnected) {
      // Polling: the next poll is the fresh snapshot.
      this.poller.pollSoon();
      return;
    }
    if (effect.kind === 'resume') void this.resume(effect.version);
    else void this.subscribe();
  }

  // ---- HTTP polling fallback ----

  private startPolling(delayMs: number): void {
    if (this.disposed || (!this.httpFallback && !this.opts.pollOnly)) return;
    this.poller.start(delayMs);
  }

  private stopPolling(force: boolean): void {
    if (this.opts.pollOnly && !force) return;
    this.poller.stop();
    this.pollOk = null;
  }

  // ---- helpers ----

  /** Listeners hear of a new reason too, not only of a new state. */
  private setUnknownGroup(reason: string | null): void {
    const changed = reason !== this.unknownGroup;
    this.unknownGroup = reason;
    this.updateState(changed);
  }

  private updateState(notify = false): void {
    let s: ClientState;
    if (this.hubLive) s = 'live';
    else if (this.unknownGroup !== null) s = 'notFound';
    else if (this.poller.active && this.pollOk === true) s = 'polling';
    else if (this.pollOk === false || (this.hubFailing && !this.poller.active)) s = 'offline';
    else s = this.everConnected ? 'reconnecting' : 'connecting';
    if (s === this.current && !notify) return;
    this.current = s;
    for (const cb of this.stateListeners) cb(s);
  }

  private later(ms: number, fn: () => void): void {
    this.timers.later(ms, () => {
      if (!this.disposed) fn();
    });
  }
}
