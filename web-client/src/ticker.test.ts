// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResultsClient } from './results-client';
import { BroadcastTicker } from './ticker';
import { FakeHub } from './test/fake-hub';
import { delta, snap } from './test/fixtures';

const election = {
  id: 'pilpres2019', name: 'Pilpres 2019',
  contests: [{ id: 'ppwp', name: 'Presiden', choices: [{ id: '01', name: 'Jokowi' }, { id: '02', name: 'Prabowo' }] }],
};

let hub: FakeHub;
const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  hub = new FakeHub();
  const first = { ...snap(10), votes: { '01': 600, '02': 400 }, stations: { total: 8, reported: 2, quarantined: 0 } };
  hub.answers.set('Subscribe', () => first);
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(election), { status: 200 })));
  BroadcastTicker.clientFactory = (opts) => new ResultsClient({ ...opts, hubFactory: () => hub });
});

afterEach(() => {
  document.body.replaceChildren();
  vi.unstubAllGlobals();
});

function text(el: Element): string {
  return (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

describe('<broadcast-ticker>', () => {
  it('shows names, shares, reporting and state, and follows deltas', async () => {
    const el = document.createElement('broadcast-ticker');
    el.setAttribute('server', 'https://results.example');
    document.body.append(el);
    await vi.waitFor(() => expect(text(el)).toContain('Jokowi'));
    expect(fetch).toHaveBeenCalledWith('https://results.example/api/v1/election', expect.anything());
    const s = text(el);
    expect(s).toContain('Jokowi');
    expect(s).toContain('60,00%');
    expect(s).toContain('40,00%');
    expect(s).toContain('25,00% TPS masuk');
    expect(el.dataset.state).toBe('live');
    expect(el.dataset.version).toBe('10');

    hub.push('TotalsChanged', { ...delta(10, 11), votes: { '01': 500, '02': 500 } });
    expect(text(el)).toContain('50,00%');
    expect(el.dataset.version).toBe('11');
  });

  it('is accessible: a labelled region, a throttled polite summary, a named state', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    try {
      const el = document.createElement('broadcast-ticker');
      el.setAttribute('lang', 'en');
      document.body.append(el);
      await vi.advanceTimersByTimeAsync(10);
      await vi.waitFor(() => expect(text(el)).toContain('Prabowo'));
      const root = el.shadowRoot as ShadowRoot;
      expect(root.querySelector('[role="region"]')?.getAttribute('aria-label')).toBe('Results Presiden');
      expect(root.querySelector('.dot')?.getAttribute('aria-label')).toBe('Live');
      expect(text(el)).toContain('25.00% stations reporting');
      const live = root.querySelector('[aria-live="polite"]') as HTMLElement;
      const first = live.textContent;
      expect(first).toContain('40.0%');
      // Changes within 30 s are not read out one by one...
      hub.push('TotalsChanged', { ...delta(10, 11), votes: { '01': 500, '02': 500 } });
      expect(live.textContent).toBe(first);
      // ...but the standings then are, once the throttle window has passed.
      await vi.advanceTimersByTimeAsync(30_000);
      expect(live.textContent).toContain('Prabowo 50.0%');
      expect(text(el)).toMatch(/updated (29|30) s ago/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('switches region when the attribute changes', async () => {
    const el = document.createElement('broadcast-ticker');
    document.body.append(el);
    await flush();
    el.setAttribute('region', '1');
    await flush();
    expect(hub.calls.map((c) => `${c.method}:${String(c.args[1])}`)).toEqual(['Subscribe:0', 'Unsubscribe:0', 'Subscribe:1']);
  });
});
