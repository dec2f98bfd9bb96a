// The HTTP fallback while the hub is unreachable, so a screen keeps updating (every few
// seconds) where WebSockets are blocked or the hub is down. It polls
// GET /api/v1/results/{contest}/{group}/latest, which answers a 307 to the snapshot's immutable
// version URL (.../v/<epoch>.<version>): fetch follows it, and a CDN (and the browser's own
// cache) serves that URL from its cache, so the origin sends each version about once however
// many viewers poll. `latest` itself is cacheable for a second.
//
// No If-None-Match there: a request that carries one bypasses the browser cache (the Fetch
// standard turns the cache mode to no-store) and, cross-origin, needs a CORS preflight; the
// cached version URL is what saves the transfer now. A server without `latest` (404, an older
// node) is polled on the plain snapshot URL with If-None-Match, as before.
export interface PollerOptions {
  fetch: typeof fetch;
  intervalMs: number;
  /** A 200 answer's body for `url` (the URL the poller was given, not where it was redirected). */
  onSnapshot: (body: unknown, url: string) => void;
  /** After every poll: whether the server answered (200, 304 or 503 while a node catches up). */
  onResult: (ok: boolean, error?: unknown) => void;
}

const LATEST = /\/latest$/;

/** The server answered 404 for the group on its plain URL too: no such contest or group. */
export class GroupNotFound extends Error {
  constructor(readonly url: string, detail: string) {
    super(detail);
    this.name = 'GroupNotFound';
  }
}

export class SnapshotPoller {
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** What the last snapshot was: its ETag, or the version URL it came from. */
  private seen: string | null = null;
  /** `latest` answered 404: poll the plain snapshot URL. */
  private plain = false;
  private url: string;

  constructor(url: string, private readonly opts: PollerOptions) {
    this.url = url;
  }

  get active(): boolean {
    return this.running;
  }

  /** Starts polling (no-op when running); the first poll after `delayMs`. */
  start(delayMs: number): void {
    if (this.running) return;
    this.running = true;
    this.schedule(delayMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Another region: forget what was seen and, when running, poll it at once. */
  setUrl(url: string): void {
    if (url === this.url) return;
    this.url = url;
    this.seen = null;
    this.plain = false;
    if (this.running) this.schedule(0);
  }

  pollSoon(): void {
    if (this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, ms);
  }

  private async poll(): Promise<void> {
    if (!this.running) return;
    const url = this.url;
    const plain = this.plain || !LATEST.test(url);
    let ok = false;
    let error: unknown;
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      let init: RequestInit = { headers };
      if (plain) {
        if (this.seen) headers['If-None-Match'] = this.seen;
        // no-store: the browser cache must not answer for us; our If-None-Match does that.
        init = { headers, cache: 'no-store' };
      }
      const res = await this.opts.fetch(plain ? url.replace(LATEST, '') : url, init);
      if (url !== this.url) return; // switched meanwhile; setUrl already polls the new one
      // The version polled last time: nothing new (the body came from a cache, if at all).
      const tag = res.headers.get('ETag') ?? (res.url || null);
      if (res.status === 304 || (res.ok && tag !== null && tag === this.seen)) {
        ok = true;
      } else if (res.ok) {
        const body: unknown = await res.json();
        if (url !== this.url) return;
        this.seen = tag;
        ok = true;
        this.opts.onSnapshot(body, url);
      } else if (res.status === 404 && !plain) {
        // A server from before `latest`; an unknown group stays 404 on the plain URL too.
        this.plain = true;
        this.seen = null;
        this.schedule(0);
        return;
      } else if (res.status === 404) {
        // problem+json names what is unknown ("No results for contest 'ppwp' and group 'x'.").
        const body = await res.json().catch(() => null) as { detail?: unknown; title?: unknown } | null;
        const detail = typeof body?.detail === 'string' ? body.detail : typeof body?.title === 'string' ? body.title : `HTTP 404 for ${url}`;
        error = new GroupNotFound(url, detail);
      } else if (res.status === 503) {
        // The version URL of a node still taking in the latest run: the next poll gets it.
        ok = true;
      } else {
        error = new Error(`HTTP ${res.status} for ${url}`);
      }
    } catch (err) {
      error = err;
    }
    if (!this.running) return; // stopped while waiting (the hub came back)
    this.opts.onResult(ok, error);
    if (this.timer === null) this.schedule(this.opts.intervalMs);
  }
}
