import { describe, expect, it } from 'vitest';
import { STEPS, Timeline, isoWib, parsePast, parseSpan, positionOf, spansDays, timeAt } from './timeline';
import { formatWib } from './wib';
import { snap } from './test/fixtures';

// 2019-04-17 21:00:00 WIB
const NINE_PM = Date.UTC(2019, 3, 17, 14, 0, 0);
const span = { first: { seq: 1, receivedAt: NINE_PM }, latest: { seq: 900, receivedAt: NINE_PM + 3 * 3600_000 } };

describe('the night and its moments', () => {
  it('reads the span of the log, or nothing while it is empty', () => {
    expect(parseSpan({ first: { seq: 1, receivedAt: '2019-04-17T14:00:00+00:00' }, latest: { seq: 900, receivedAt: '2019-04-17T17:00:00Z' } }))
      .toEqual(span);
    expect(parseSpan({ first: null, latest: null })).toBeNull();
    expect(parseSpan(null)).toBeNull();
  });

  it('maps scrubber positions to moments and back', () => {
    expect(timeAt(span, 0)).toBe(NINE_PM);
    expect(timeAt(span, STEPS)).toBe(span.latest.receivedAt);
    expect(timeAt(span, STEPS / 2)).toBe(NINE_PM + 1.5 * 3600_000);
    expect(timeAt(span, -5)).toBe(NINE_PM);
    expect(positionOf(span, NINE_PM + 1.5 * 3600_000)).toBe(STEPS / 2);
    expect(positionOf(span, NINE_PM - 1000)).toBe(0);
    expect(positionOf(span, span.latest.receivedAt + 1000)).toBe(STEPS);
    const instant = { first: span.first, latest: { seq: 1, receivedAt: NINE_PM } };
    expect(positionOf(instant, NINE_PM)).toBe(STEPS);
  });

  it('writes moments in WIB for the API and for people', () => {
    expect(isoWib(NINE_PM + 250)).toBe('2019-04-17T21:00:00.250+07:00');
    expect(formatWib(NINE_PM + 5000, 'en')).toBe('21:00:05 WIB');
    expect(formatWib(NINE_PM + 5000, 'id')).toBe('21.00.05 WIB');
    expect(formatWib(NINE_PM, 'en', true)).toBe('17 Apr 21:00:00 WIB');
    // 23:00 WIB to 01:00 WIB the next day crosses midnight in Jakarta (not in UTC).
    expect(spansDays({ first: { seq: 1, receivedAt: Date.UTC(2019, 3, 17, 16) }, latest: { seq: 2, receivedAt: Date.UTC(2019, 3, 17, 18) } })).toBe(true);
    expect(spansDays({ first: span.first, latest: { seq: 2, receivedAt: NINE_PM + 2 * 3600_000 } })).toBe(false);
    expect(spansDays(span)).toBe(true); // 21:00 to 00:00
  });

  it('reads a past snapshot with its moment', () => {
    const past = parsePast({ ...snap(42, 'asof'), asOf: { seq: 42, receivedAt: '2019-04-17T14:00:00Z', final: true } });
    expect(past.asOf).toEqual({ seq: 42, receivedAt: NINE_PM, final: true });
    expect(past.votes['01']).toBe(42);
    expect(parsePast({ ...snap(0, 'asof'), asOf: { seq: 0, receivedAt: null, final: true } }).asOf.receivedAt).toBeNull();
  });
});

/** A server answering ?asOf= with a snapshot whose votes are the moment's minute of the night. */
function fakeServer() {
  const asked: string[] = [];
  const pending: Array<() => void> = [];
  let hold = false;
  const fetchImpl = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input), 'http://x');
    asked.push(url.pathname + url.search);
    if (hold) await new Promise<void>((resolve) => pending.push(resolve));
    if (url.pathname === '/api/v1/history') {
      return Response.json({ first: { seq: 1, receivedAt: new Date(span.first.receivedAt).toISOString() }, latest: { seq: 900, receivedAt: new Date(span.latest.receivedAt).toISOString() } });
    }
    const at = Date.parse(url.searchParams.get('asOf')!);
    if (at > span.latest.receivedAt) return Response.json({ title: 'in the future', latest: null }, { status: 409 });
    const minute = Math.floor((at - NINE_PM) / 60_000);
    const region = url.pathname.split('/').pop()!;
    return Response.json({ ...snap(minute, 'asof'), region: { id: region, name: region, level: 'national' }, asOf: { seq: minute, receivedAt: new Date(at).toISOString(), final: true } });
  }) as typeof fetch;
  return { asked, fetchImpl, hold: (on: boolean) => { hold = on; if (!on) pending.splice(0).forEach((r) => r()); } };
}

describe('Timeline', () => {
  it('looks back at the group on screen, follows it, and goes back to live', async () => {
    const server = fakeServer();
    let changes = 0;
    const timeline = new Timeline({ baseUrl: '', contest: 'ppwp', fetch: server.fetchImpl, onChange: () => { changes++; } });
    expect(await timeline.refreshSpan()).toEqual(span);
    expect(timeline.lookingBack).toBe(false);

    await timeline.lookAt(NINE_PM + 30 * 60_000, '0');
    expect(timeline.lookingBack).toBe(true);
    expect(timeline.snapshotFor('0')?.votes['01']).toBe(30);
    expect(server.asked.at(-1)).toBe(`/api/v1/results/ppwp/0?asOf=${encodeURIComponent('2019-04-17T21:30:00.000+07:00')}`);

    // Another group on screen: fetched as of the same moment; until it comes, none is shown.
    timeline.follow('12920');
    expect(timeline.snapshotFor('12920')).toBeNull();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(timeline.snapshotFor('12920')?.asOf.seq).toBe(30);

    timeline.backToLive();
    expect(timeline.lookingBack).toBe(false);
    expect(timeline.snapshotFor('12920')).toBeNull();
    expect(changes).toBeGreaterThan(3);
  });

  it('shows only the newest moment asked for, fetching one at a time', async () => {
    const server = fakeServer();
    const timeline = new Timeline({ baseUrl: '', contest: 'ppwp', fetch: server.fetchImpl, onChange: () => undefined });
    server.hold(true);
    const first = timeline.lookAt(NINE_PM + 10 * 60_000, '0');
    void timeline.lookAt(NINE_PM + 20 * 60_000, '0');
    void timeline.lookAt(NINE_PM + 40 * 60_000, '0');
    server.hold(false);
    await first;
    // The first request was in flight; of the two asked meanwhile only the newest was fetched.
    expect(server.asked.filter((u) => u.includes('asOf'))).toHaveLength(2);
    expect(timeline.snapshotFor('0')?.votes['01']).toBe(40);
  });

  it('drops an answer that comes back after going live', async () => {
    const server = fakeServer();
    const timeline = new Timeline({ baseUrl: '', contest: 'ppwp', fetch: server.fetchImpl, onChange: () => undefined });
    server.hold(true);
    const looking = timeline.lookAt(NINE_PM + 10 * 60_000, '0');
    timeline.backToLive();
    server.hold(false);
    await looking;
    expect(timeline.past).toBeNull();
    expect(timeline.lookingBack).toBe(false);
  });

  it('says why a moment cannot be shown', async () => {
    const server = fakeServer();
    const timeline = new Timeline({ baseUrl: '', contest: 'ppwp', fetch: server.fetchImpl, onChange: () => undefined });
    await timeline.lookAt(span.latest.receivedAt + 3600_000, '0');
    expect(timeline.error).toBe('in the future');
    expect(timeline.snapshotFor('0')).toBeNull();
  });
});
