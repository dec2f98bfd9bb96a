import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForeverRetryPolicy, backoffDelay } from './backoff';
import { type ClientState, ResultsClient } from './results-client';
import { parseRate, parseView } from './view-params';
import type { Snapshot } from './types';
import { FakeHub } from './test/fake-hub';
import { child, delta, snap } from './test/fixtures';
import { type PackChild, pack, viaMsgpack } from './test/packed';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

function setup(hub = new FakeHub(), fetchImpl?: typeof fetch) {
  let version = 10;
  hub.answers.set('SubscribeWith', (args) => ({ ...snap(version), region: { id: String(args[1]), name: 'X', level: 'national' } }));
  const changes: Snapshot[] = [];
  const states: ClientState[] = [];
  const client = new ResultsClient({
    contest: 'ppwp', region: '0', pollIntervalMs: 3000,
    hubFactory: () => hub,
    fetch: fetchImpl ?? (async () => { throw new Error('no network'); }),
    onChange: (s) => changes.push(s),
    onState: (s) => states.push(s),
  });
  return { hub, client, changes, states, setVersion: (v: number) => { version = v; } };
}

function jsonResponse(body: unknown, etag: string): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { ETag: etag, 'Content-Type': 'application/json' } });
}

/** A response as fetch hands it over after following redirects: `url` is where it ended. */
function versioned(body: unknown, etag: string, url: string): Response {
  const res = jsonResponse(body, etag);
  Object.defineProperty(res, 'url', { value: url });
  return res;
}

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('an unknown region or contest', () => {
  it('is said (state notFound, the 404\'s words), not left loading; a snapshot later clears it', async () => {
    const problem = { type: 'x', title: "No results for contest 'ppwp' and group '999'.", status: 404 };
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify(problem), { status: 404, headers: { 'Content-Type': 'application/problem+json' } }));
    const { hub, client, states } = setup(new FakeHub(), fetchImpl as unknown as typeof fetch);
    hub.answers.set('SubscribeWith', () => { throw new Error("An unexpected error occurred invoking 'SubscribeWith' on the server. HubException: Unknown contest or group."); });
    client.start();
    await tick();
    expect(client.state).toBe('notFound');
    expect(client.problem).toBe('Unknown contest or group.');
    await tick(10);
    // `latest` and then the plain snapshot URL both answered 404: the server's words.
    expect(fetchImpl).toHaveBeenCalledTimes(2);
    expect(client.problem).toBe("No results for contest 'ppwp' and group '999'.");
    expect(states.filter((s) => s === 'notFound').length).toBeGreaterThanOrEqual(2);
    expect(client.snapshot).toBeNull();

    hub.answers.set('SubscribeWith', () => snap(10));
    await tick(15_000);
    expect(client.state).toBe('live');
    expect(client.problem).toBeNull();
  });
});

describe('ResultsClient with a hub', () => {
  it('subscribes, goes live and applies deltas', async () => {
    const { hub, client, changes, states } = setup();
    client.start();
    await tick();
    expect(hub.calls[0]).toEqual({ method: 'SubscribeWith', args: ['ppwp', '0', { view: 'full', maxPerSecond: null }] });
    expect(client.state).toBe('live');
    expect(states).toEqual(['live']);
    expect(changes).toHaveLength(1);
    hub.push('TotalsChanged', delta(10, 12, { children: [child('1', 4, 2)] }));
    expect(client.snapshot?.version).toBe(12);
    expect(client.snapshot?.children[0]?.votes['01']).toBe(4);
    expect(changes).toHaveLength(2);
    expect(client.lastUpdate).toBeInstanceOf(Date);
    hub.push('TotalsChanged', delta(10, 12)); // duplicate
    expect(changes).toHaveLength(2);
  });

  it('resumes across a gap', async () => {
    const { hub, client } = setup();
    hub.answers.set('Resume', () => ({ deltas: [delta(10, 11), delta(11, 12)], snapshot: null }));
    client.start();
    await tick();
    hub.push('TotalsChanged', delta(12, 13));
    await tick();
    expect(hub.calls.find((c) => c.method === 'Resume')?.args).toEqual(['ppwp', '0', 10]);
    expect(client.snapshot?.version).toBe(13);
  });

  it('takes a fresh snapshot on TotalsRebuilt and after a reconnect', async () => {
    const { hub, client, setVersion } = setup();
    client.start();
    await tick();
    setVersion(3);
    hub.answers.set('SubscribeWith', () => snap(3, 'e2'));
    hub.push('TotalsRebuilt', { epoch: 'e2' });
    await tick();
    expect(client.snapshot?.epoch).toBe('e2');
    hub.reconnecting();
    expect(client.state).toBe('reconnecting');
    hub.answers.set('SubscribeWith', () => snap(7, 'e2'));
    hub.reconnected();
    await tick();
    expect(hub.methods().filter((m) => m === 'SubscribeWith')).toHaveLength(3);
    expect(client.state).toBe('live');
    expect(client.snapshot?.version).toBe(7);
  });

  it('switches region: unsubscribes the old one and subscribes the new one', async () => {
    const { hub, client } = setup();
    client.start();
    await tick();
    client.setRegion('1');
    await tick();
    expect(hub.calls.slice(1)).toEqual([
      { method: 'Unsubscribe', args: ['ppwp', '0'] },
      { method: 'SubscribeWith', args: ['ppwp', '1', { view: 'full', maxPerSecond: null }] },
    ]);
    expect(client.snapshot?.region.id).toBe('1');
    // Late deltas of the old region are not applied to the new one.
    hub.push('TotalsChanged', delta(10, 11));
    expect(client.snapshot?.version).toBe(10);
  });

  it('starts over when the connection closes for good', async () => {
    const { hub, client } = setup();
    client.start();
    await tick();
    hub.close();
    await tick();
    expect(hub.starts).toBe(1); // not at once: after a backoff delay
    await tick(1000);
    expect(hub.starts).toBe(2);
    expect(client.state).toBe('live');
  });
});

describe('ResultsClient with SubscribeWith', () => {
  it('asks for its view and rate, and applies Headline frames', async () => {
    const hub = new FakeHub();
    hub.answers.set('SubscribeWith', () => ({ ...snap(10), children: undefined }));
    const client = new ResultsClient({ contest: 'ppwp', view: 'headline', maxPerSecond: 1, hubFactory: () => hub, fetch: async () => new Response(null, { status: 500 }) });
    client.start();
    await tick();
    expect(hub.calls[0]).toEqual({ method: 'SubscribeWith', args: ['ppwp', '0', { view: 'headline', maxPerSecond: 1 }] });
    expect(client.state).toBe('live');
    // As MessagePack hands it over: an array, 64-bit integers maybe as bigint, `packed` as bytes.
    const totals = { stations: { total: 20, reported: 13, quarantined: 0 }, valid: 100, invalid: 1, votes: [70, 30] };
    hub.push('Headline', ['ppwp', '0', 10n, 13n, pack({ totals })]);
    expect(client.snapshot?.version).toBe(13);
    expect(client.snapshot?.votes).toEqual({ '01': 70, '02': 30 });
    expect(client.snapshot?.children).toEqual([]);
    await client.stop();
  });

  it('applies Delta frames in a full view, and subscribes again (same view and rate) across a gap', async () => {
    const { hub, client, changes, setVersion } = setup();
    client.start();
    await tick();
    const totals = (version: number) => ({ stations: { total: 20, reported: version, quarantined: 0 }, valid: version, invalid: 0, votes: [version, 0] });
    const frame = (prevVersion: number, version: number, children: PackChild[] = []) =>
      viaMsgpack('Delta', { contest: 'ppwp', region: '0', prevVersion, version, packed: pack({ totals: totals(version), children }) });
    hub.push('Delta', frame(10, 11, [{ index: 1, reported: 4, valid: 9, votes: [0, 9] }]));
    expect(client.snapshot?.children[1]).toEqual(child('2', 0, 9, 5));
    expect(changes).toHaveLength(2);
    // 12 never came: the fresh snapshot is at 13, and a frame sent after it waits for it.
    setVersion(13);
    hub.push('Delta', frame(12, 13));
    hub.push('Delta', frame(13, 14, [{ index: 0, absolute: true, reported: 1, valid: 4, votes: [4, 0] }]));
    await tick();
    expect(hub.calls.slice(1)).toEqual([{ method: 'SubscribeWith', args: ['ppwp', '0', { view: 'full', maxPerSecond: null }] }]);
    expect(client.snapshot?.version).toBe(14);
    expect(client.snapshot?.children[0]?.votes).toEqual({ '01': 4, '02': 0 });
  });

  it('uses Subscribe on a server without SubscribeWith, and cuts its full pushes to the view', async () => {
    const hub = new FakeHub();
    hub.answers.set('SubscribeWith', () => {
      throw new Error("Failed to invoke 'SubscribeWith' due to an error on the server. HubException: Method does not exist.");
    });
    hub.answers.set('Subscribe', () => snap(10));
    const client = new ResultsClient({ contest: 'ppwp', view: 'headline', maxPerSecond: 1, hubFactory: () => hub, fetch: async () => new Response(null, { status: 500 }) });
    client.start();
    await tick();
    expect(hub.methods()).toEqual(['SubscribeWith', 'Subscribe']);
    expect(client.state).toBe('live');
    hub.push('TotalsChanged', delta(10, 11, { children: [child('1', 4, 2)] }));
    expect(client.snapshot?.version).toBe(11);
    expect(client.snapshot?.children).toEqual([]);
    // A new connection may reach a newer node: SubscribeWith first again.
    hub.reconnecting();
    hub.reconnected();
    await tick();
    expect(hub.methods().slice(2)).toEqual(['SubscribeWith', 'Subscribe']);
    await client.stop();
  });

  it('reads view= and rate= overrides', () => {
    expect(parseView('headline', 'full')).toBe('headline');
    expect(parseView('full', 'headline')).toBe('full');
    expect(parseView('everything', 'full')).toBe('full');
    expect(parseView(null, 'headline')).toBe('headline');
    expect(parseRate(null, 1)).toBe(1);
    expect(parseRate('', 2)).toBe(2);
    expect(parseRate('5', 1)).toBe(5);
    expect(parseRate('0.5', 1)).toBe(0.5);
    expect(parseRate('100', 1)).toBe(20);
    expect(parseRate('0.01', 1)).toBe(0.1);
    expect(parseRate('none', 1)).toBeNull();
    expect(parseRate('0', 1)).toBeNull();
    expect(parseRate('fast', null)).toBeNull();
    expect(parseRate('-3', 2)).toBe(2);
  });
});

describe('ResultsClient fallback', () => {
  it('polls `latest` while the hub cannot connect, through the cache (no If-None-Match)', async () => {
    const hub = new FakeHub();
    hub.startError = new Error('negotiate failed');
    const seen: { url: string; inm: string | null; cache: RequestCache | undefined }[] = [];
    let version = 10;
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      seen.push({ url, inm: new Headers(init?.headers).get('If-None-Match'), cache: init?.cache });
      // What fetch gives back after following the 307: the immutable version URL's answer.
      return versioned(snap(version), `"e1.${version}"`, `/api/v1/results/ppwp/0/v/e1.${version}`);
    }) as typeof fetch;
    const { client, changes } = setup(hub, fetchImpl);
    client.start();
    await tick();
    expect(client.state).toBe('polling');
    expect(client.snapshot?.version).toBe(10);
    expect(seen[0]).toEqual({ url: '/api/v1/results/ppwp/0/latest', inm: null, cache: undefined });
    // The same version again (the browser cache answered the version URL): nothing to apply.
    await tick(3000);
    expect(seen).toHaveLength(2);
    expect(changes).toHaveLength(1);
    version = 12;
    await tick(3000);
    expect(client.snapshot?.version).toBe(12);
    expect(changes).toHaveLength(2);
    expect(seen.every((r) => r.url === '/api/v1/results/ppwp/0/latest' && r.inm === null)).toBe(true);
    // The hub comes back: subscribe, stop polling.
    hub.startError = null;
    await tick(10_000);
    expect(client.state).toBe('live');
    const n = seen.length;
    await tick(10_000);
    expect(seen).toHaveLength(n);
  });

  it('polls the plain snapshot URL with If-None-Match when `latest` is not there (an older server)', async () => {
    const hub = new FakeHub();
    hub.startError = new Error('negotiate failed');
    const seen: string[] = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      seen.push(`${url} ${new Headers(init?.headers).get('If-None-Match') ?? '-'} ${init?.cache ?? '-'}`);
      if (url.endsWith('/latest')) return new Response('{}', { status: 404 });
      return seen.length === 2 ? jsonResponse(snap(10), '"e1.10"') : new Response(null, { status: 304 });
    }) as typeof fetch;
    const { client } = setup(hub, fetchImpl);
    client.start();
    await tick();
    await tick(1); // the 404, then at once the plain URL
    expect(client.state).toBe('polling');
    expect(client.snapshot?.version).toBe(10);
    await tick(3000);
    expect(seen).toEqual([
      '/api/v1/results/ppwp/0/latest - -',
      '/api/v1/results/ppwp/0 - no-store',
      '/api/v1/results/ppwp/0 "e1.10" no-store',
    ]);
    expect(client.state).toBe('polling');
    await client.stop();
  });

  it('keeps polling through a 503 (a node still taking in the version `latest` named)', async () => {
    const hub = new FakeHub();
    hub.startError = new Error('down');
    let calls = 0;
    const fetchImpl = (async () => (++calls === 2
      ? new Response(null, { status: 503, headers: { 'Retry-After': '1' } })
      : versioned(snap(8 + calls), `"e1.${8 + calls}"`, `/v/e1.${8 + calls}`))) as typeof fetch;
    const { client, states } = setup(hub, fetchImpl);
    client.start();
    await tick();
    await tick(3000);
    expect(client.snapshot?.version).toBe(9);
    await tick(3000);
    expect(client.snapshot?.version).toBe(11);
    expect(states).not.toContain('offline');
    await client.stop();
  });

  it('polls only, and switches the polled region at once', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      const region = url.split('/').at(-2) ?? '';
      return jsonResponse({ ...snap(5), region: { id: region, name: region, level: 'province' } }, `"e1.5.${region}"`);
    }) as typeof fetch;
    const hub = new FakeHub();
    const client = new ResultsClient({ contest: 'ppwp', baseUrl: 'https://r.example/', pollOnly: true, hubFactory: () => hub, fetch: fetchImpl });
    client.start();
    await tick();
    expect(client.state).toBe('polling');
    client.setRegion('1');
    await tick();
    expect(urls).toEqual(['https://r.example/api/v1/results/ppwp/0/latest', 'https://r.example/api/v1/results/ppwp/1/latest']);
    expect(client.snapshot?.region.id).toBe('1');
    expect(hub.starts).toBe(0);
    await client.stop();
  });

  it('retries a refused Subscribe and shows polled data meanwhile', async () => {
    const hub = new FakeHub();
    const fetchImpl = (async () => jsonResponse(snap(4), '"e1.4"')) as typeof fetch;
    const { client } = setup(hub, fetchImpl);
    let refuse = true;
    hub.answers.set('SubscribeWith', () => {
      if (refuse) throw new Error('HubException');
      return snap(9);
    });
    client.start();
    await tick();
    expect(client.state).toBe('polling');
    expect(client.snapshot?.version).toBe(4);
    refuse = false;
    await tick(10_000);
    expect(client.state).toBe('live');
    expect(client.snapshot?.version).toBe(9);
  });

  it('is offline when neither the hub nor HTTP answers, and keeps trying', async () => {
    const hub = new FakeHub();
    hub.startError = new Error('down');
    const { client } = setup(hub);
    client.start();
    await tick();
    expect(client.state).toBe('offline');
    await tick(60_000);
    expect(hub.starts).toBeGreaterThan(6);
    await client.stop();
  });
});

describe('backoff', () => {
  it('grows, jitters and stays capped near 10 s, and never gives up', () => {
    expect(backoffDelay(0, {}, () => 0)).toBe(250);
    expect(backoffDelay(0, {}, () => 1)).toBe(500);
    expect(backoffDelay(3, {}, () => 1)).toBe(4000);
    expect(backoffDelay(50, {}, () => 1)).toBe(10_000);
    expect(backoffDelay(50, {}, () => 0)).toBe(5000);
    const policy = new ForeverRetryPolicy();
    for (const n of [0, 5, 100, 10_000]) {
      const d = policy.nextRetryDelayInMilliseconds({ previousRetryCount: n, elapsedMilliseconds: n * 1000, retryReason: new Error('x') });
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(10_000);
    }
  });
});
