// ResultsClient and publication holds: the Held push, a held snapshot from the hub, and the HTTP
// polling fallback's held snapshot (docs/api.md, "Publication holds").
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResultsClient } from './results-client';
import type { Snapshot } from './types';
import { FakeHub } from './test/fake-hub';
import { child, delta, snap } from './test/fixtures';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const SINCE = '2019-04-17T12:00:00+00:00';
/** A held group's snapshot as the server sends it (JSON or MessagePack: the same keys). */
const heldWire = (seq: number) => ({ ...snap(seq, 'e1-held'), held: { seq, since: SINCE } });

function setup(fetchImpl?: typeof fetch) {
  const hub = new FakeHub();
  const changes: Snapshot[] = [];
  const client = new ResultsClient({
    contest: 'ppwp', region: '0', pollIntervalMs: 3000,
    hubFactory: () => hub,
    fetch: fetchImpl ?? (async () => { throw new Error('no network'); }),
    onChange: (s) => changes.push(s),
  });
  return { hub, client, changes };
}

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('ResultsClient and publication holds', () => {
  it('marks the screen held on the Held push without touching the numbers or their age; the release frame moves them', async () => {
    const { hub, client, changes } = setup();
    hub.answers.set('SubscribeWith', () => snap(30));
    client.start();
    await tick();
    const updated = client.lastUpdate;
    await tick(5000);
    hub.push('Held', { contest: 'ppwp', region: '0', held: true, seq: 40, since: SINCE });
    expect(client.held).toEqual({ seq: 40, since: SINCE });
    expect(changes.at(-1)?.held).toEqual({ seq: 40, since: SINCE });
    expect(client.snapshot?.version).toBe(30);
    expect(client.lastUpdate).toBe(updated);
    hub.push('Held', { contest: 'ppwp', region: '0', held: false, seq: 40, since: SINCE });
    expect(client.held).toBeNull();
    hub.push('TotalsChanged', delta(30, 55, { children: [child('1', 3, 1)] }));
    expect(client.snapshot?.version).toBe(55);
    expect(client.lastUpdate).not.toBe(updated);
    expect(changes).toHaveLength(4);
  });

  it('takes a held snapshot from the hub, and a fresh live one on the TotalsRebuilt after the release', async () => {
    const { hub, client } = setup();
    hub.answers.set('SubscribeWith', () => heldWire(40));
    client.start();
    await tick();
    expect(client.held).toEqual({ seq: 40, since: SINCE });
    expect(client.snapshot?.epoch).toBe('e1-held');
    hub.answers.set('SubscribeWith', () => snap(25));
    hub.push('Held', { contest: 'ppwp', region: '0', held: false, seq: 40, since: SINCE });
    hub.push('TotalsRebuilt', { epoch: 'e1' });
    await tick();
    expect(hub.methods()).toEqual(['SubscribeWith', 'SubscribeWith']);
    expect(client.snapshot?.epoch).toBe('e1');
    expect(client.snapshot?.version).toBe(25);
    expect(client.held).toBeNull();
  });

  it('shows held while polling: the polled snapshot carries it, and the release\'s live one clears it', async () => {
    let body: unknown = heldWire(40);
    const fetchImpl = (async () => new Response(JSON.stringify(body), { status: 200 })) as typeof fetch;
    const { hub, client } = setup(fetchImpl);
    hub.startError = new Error('WebSockets blocked');
    client.start();
    await tick();
    expect(client.state).toBe('polling');
    expect(client.held).toEqual({ seq: 40, since: SINCE });
    body = snap(41);
    await tick(3000);
    expect(client.snapshot?.version).toBe(41);
    expect(client.held).toBeNull();
  });
});
