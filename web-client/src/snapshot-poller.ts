// The HTTP fallback: polls the cacheable snapshot GET /api/v1/results/{contest}/{region}
// with If-None-Match while the hub is unreachable, so a screen keeps updating (every few
// seconds) where WebSockets are blocked or the hub is down.
export interface PollerOptions {
  fetch: typeof fetch;
  intervalMs: number;
  /** A 200 answer's body for `url`. */
  onSnapshot: (body: unknown, url: string) => void;
  /** After every poll: whether the server answered (200 or 304). */
  onResult: (ok: boolean, error?: unknown) => void;
}

export class SnapshotPoller {
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private etag: string | null = null;
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

  /** Another region: forget the ETag and, when running, poll it at once. */
  setUrl(url: string): void {
    if (url === this.url) return;
    this.url = url;
    this.etag = null;
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
    let ok = false;
    let error: unknown;
    try {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (this.etag) headers['If-None-Match'] = this.etag;
      // no-store: the browser cache must not answer for us; our If-None-Match does that.
      const res = await this.opts.fetch(url, { headers, cache: 'no-store' });
      if (url !== this.url) return; // switched meanwhile; setUrl already polls the new one
      if (res.status === 304) {
        ok = true;
      } else if (res.ok) {
        const body: unknown = await res.json();
        if (url !== this.url) return;
        this.etag = res.headers.get('ETag');
        ok = true;
        this.opts.onSnapshot(body, url);
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
