import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForeverRetryPolicy, backoffDelay } from './backoff';
import { type ClientState, ResultsClient } from './results-client';
import type { Snapshot } from './types';
import { FakeHub } from './test/fake-hub';
import { child, delta, snap } from './test/fixtures';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

function setup(hub = new FakeHub(), fetchImpl?: typeof fetch) {
  let version = 10;
  hub.answers.set('Subscribe', (args) => ({ ...snap(version), region: { id: String(args[1]), name: 'X', level: 'national' } }));
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

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('ResultsClient with a hub', () => {
  it('subscribes, goes live and applies deltas', async () => {
    const { hub, client, changes, states } = setup();
    client.start();
    await tick();
    expect(hub.calls[0]).toEqual({ method: 'Subscribe', args: ['ppwp', '0'] });
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
    hub.answers.set('Subscribe', () => snap(3, 'e2'));
    hub.push('TotalsRebuilt', { epoch: 'e2' });
    await tick();
    expect(client.snapshot?.epoch).toBe('e2');
    hub.reconnecting();
    expect(client.state).toBe('reconnecting');
    hub.answers.set('Subscribe', () => snap(7, 'e2'));
    hub.reconnected();
    await tick();
    expect(hub.methods().filter((m) => m === 'Subscribe')).toHaveLength(3);
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
      { method: 'Subscribe', args: ['ppwp', '1'] },
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

describe('ResultsClient fallback', () => {
  it('polls the HTTP snapshot with If-None-Match while the hub cannot connect', async () => {
    const hub = new FakeHub();
    hub.startError = new Error('negotiate failed');
    const seen: (string | null)[] = [];
    let calls = 0;
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      calls++;
      seen.push(new Headers(init?.headers).get('If-None-Match'));
      expect(url).toBe('/api/v1/results/ppwp/0');
      return calls === 1 ? jsonResponse(snap(10), '"e1.10"') : new Response(null, { status: 304 });
    }) as typeof fetch;
    const { client } = setup(hub, fetchImpl);
    client.start();
    await tick();
    expect(client.state).toBe('polling');
    expect(client.snapshot?.version).toBe(10);
    await tick(3000);
    expect(seen).toEqual([null, '"e1.10"']);
    // The hub comes back: subscribe, stop polling.
    hub.startError = null;
    await tick(10_000);
    expect(client.state).toBe('live');
    const n = calls;
    await tick(10_000);
    expect(calls).toBe(n);
  });

  it('polls only, and switches the polled region at once', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      const region = url.split('/').pop() ?? '';
      return jsonResponse({ ...snap(5), region: { id: region, name: region, level: 'province' } }, `"e1.5.${region}"`);
    }) as typeof fetch;
    const hub = new FakeHub();
    const client = new ResultsClient({ contest: 'ppwp', baseUrl: 'https://r.example/', pollOnly: true, hubFactory: () => hub, fetch: fetchImpl });
    client.start();
    await tick();
    expect(client.state).toBe('polling');
    client.setRegion('1');
    await tick();
    expect(urls).toEqual(['https://r.example/api/v1/results/ppwp/0', 'https://r.example/api/v1/results/ppwp/1']);
    expect(client.snapshot?.region.id).toBe('1');
    expect(hub.starts).toBe(0);
    await client.stop();
  });

  it('retries a refused Subscribe and shows polled data meanwhile', async () => {
    const hub = new FakeHub();
    const fetchImpl = (async () => jsonResponse(snap(4), '"e1.4"')) as typeof fetch;
    const { client } = setup(hub, fetchImpl);
    let refuse = true;
    hub.answers.set('Subscribe', () => {
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
