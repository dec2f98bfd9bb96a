// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResultsClient } from './results-client';
import { BroadcastTicker } from './ticker';
import { FakeHub } from './test/fake-hub';
import { delta, snap } from './test/fixtures';
import { parliamentSnap } from './test/legislative-fixtures';
import { type WireFrame, pack, viaMsgpack } from './test/packed';

const election = {
  id: 'pilpres2019', name: 'Pilpres 2019',
  contests: [{ id: 'ppwp', name: 'Presiden', choices: [{ id: '01', name: 'Jokowi' }, { id: '02', name: 'Prabowo' }] }],
};

let hub: FakeHub;
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A Headline as MessagePack hands it over; `votes` in the ordinal order of the choice ids. */
function headline(prevVersion: number, version: number, votes: number[], items: Partial<WireFrame> = {}): unknown {
  const valid = votes.reduce((a, b) => a + b, 0);
  const totals = { stations: { total: 8, reported: 4, quarantined: 0 }, valid, invalid: 0, votes };
  return viaMsgpack('Headline', { contest: 'ppwp', region: '0', prevVersion, version, packed: pack({ totals }), ...items });
}

beforeEach(() => {
  hub = new FakeHub();
  const first = { ...snap(10), votes: { '01': 600, '02': 400 }, stations: { total: 8, reported: 2, quarantined: 0 } };
  hub.answers.set('SubscribeWith', () => first);
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
    expect(hub.calls.map((c) => `${c.method}:${String(c.args[1])}`)).toEqual(['SubscribeWith:0', 'Unsubscribe:0', 'SubscribeWith:1']);
  });

  it('follows the headline at one frame a second unless view= and rate= say otherwise', async () => {
    const el = document.createElement('broadcast-ticker');
    document.body.append(el);
    await vi.waitFor(() => expect(text(el)).toContain('Jokowi'));
    expect(hub.calls[0]?.args[2]).toEqual({ view: 'headline', maxPerSecond: 1 });
    hub.push('Headline', headline(10, 12, [300, 700]));
    expect(text(el)).toContain('70,00%');
    expect(el.dataset.version).toBe('12');
    // Another rate (or view) is another feed: the ticker subscribes again.
    el.setAttribute('rate', '0.5');
    await flush();
    expect(hub.calls.at(-1)?.args[2]).toEqual({ view: 'headline', maxPerSecond: 0.5 });
    const other = document.createElement('broadcast-ticker');
    other.setAttribute('view', 'full');
    other.setAttribute('rate', 'none');
    document.body.append(other);
    await flush();
    expect(hub.calls.at(-1)).toEqual({ method: 'SubscribeWith', args: ['ppwp', '0', { view: 'full', maxPerSecond: null }] });
  });
});

describe('<broadcast-ticker> marks', () => {
  it('shows DITAHAN · HELD beside the region while an operator holds the numbers, and drops it at the release', async () => {
    const el = document.createElement('broadcast-ticker');
    document.body.append(el);
    await vi.waitFor(() => expect(text(el)).toContain('Jokowi'));
    const mark = el.shadowRoot?.querySelector('.held-mark') as HTMLElement;
    expect(mark.hidden).toBe(true);
    expect(el.hasAttribute('data-held')).toBe(false);
    hub.push('Held', { contest: 'ppwp', region: '0', held: true, seq: 10, since: new Date().toISOString() });
    expect(mark.hidden).toBe(false);
    expect(mark.textContent).toMatch(/^DITAHAN · HELDsejak \d\d\.\d\d WIB$/);
    expect(el.hasAttribute('data-held')).toBe(true);
    // The numbers stay as they were.
    expect(text(el)).toContain('60,00%');
    hub.push('Held', { contest: 'ppwp', region: '0', held: false, seq: 10, since: new Date().toISOString() });
    expect(mark.hidden).toBe(true);
    expect(el.hasAttribute('data-held')).toBe(false);
    hub.push('Headline', headline(10, 14, [300, 700]));
    expect(text(el)).toContain('70,00%');
  });

  it('turns the notice into a striped LATIHAN · REHEARSAL band on a rehearsal server', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({
      ...election, rehearsal: true, notice: 'REHEARSAL · LATIHAN: not election results / bukan hasil pemilu' }), { status: 200 })));
    const el = document.createElement('broadcast-ticker');
    document.body.append(el);
    await vi.waitFor(() => expect(el.hasAttribute('data-rehearsal')).toBe(true));
    const band = el.shadowRoot?.querySelector('.notice') as HTMLElement;
    expect(band.hidden).toBe(false);
    expect(band.classList.contains('rehearsal')).toBe(true);
    expect(band.querySelector('.mark-label')?.textContent).toBe('LATIHAN · REHEARSAL');
    expect(band.textContent).toContain('bukan hasil pemilu');
    // The numbers are still there.
    await vi.waitFor(() => expect(text(el)).toContain('60,00%'));
  });
});

describe('<broadcast-ticker> on a parliament', () => {
  const pemilu = {
    id: 'pemilu2024', name: 'Pemilu 2024', notice: 'SYNTHETIC rehearsal data',
    contests: [{ id: 'dprd_kab', name: 'DPRD Kabupaten/Kota', kind: 'partyList', thresholdPercent: 0, parliaments: 508,
      choices: [{ id: '1', name: 'PKB' }, { id: '2', name: 'Gerindra' }, { id: '3', name: 'PDIP' }, { id: '4', name: 'Golkar' }] }],
    parties: [
      { id: '1', number: 1, shortName: 'PKB', name: 'Partai Kebangkitan Bangsa', acehOnly: false, colour: '#00b156' },
      { id: '2', number: 2, shortName: 'Gerindra', name: 'Partai Gerakan Indonesia Raya', acehOnly: false, colour: '#9d1a2c' },
      { id: '3', number: 3, shortName: 'PDIP', name: 'Partai Demokrasi Indonesia Perjuangan', acehOnly: false, colour: '#ed0236' },
    ],
  };

  it('shows party shares and projected seats in party colours, the notice, and follows seat deltas', async () => {
    // The headline has no dapils: which parties stand (not party 4) comes from the full snapshot, once.
    vi.stubGlobal('fetch', vi.fn(async (url: string) => new Response(JSON.stringify(
      url.endsWith('/api/v1/results/dprd_kab/parliament%3A6403/latest') ? parliamentSnap(3) : pemilu), { status: 200 })));
    hub.answers.set('SubscribeWith', () => parliamentSnap(3));
    const el = document.createElement('broadcast-ticker');
    el.setAttribute('contest', 'dprd_kab');
    el.setAttribute('region', 'parliament:6403');
    document.body.append(el);
    await vi.waitFor(() => expect(text(el)).toContain('SYNTHETIC'));
    const root = el.shadowRoot as ShadowRoot;
    const parties = () => [...root.querySelectorAll('.choice')].map((li) => [li.querySelector('.name')?.textContent, li.querySelector('.pct')?.textContent, li.querySelector('.seats')?.textContent]);
    expect(parties()).toEqual([['PKB', '40,0%', '3'], ['PDIP', '33,3%', '2'], ['Gerindra', '26,7%', '1']]);
    expect(root.querySelector('.swatch')?.getAttribute('style')).toContain('var(--broadcast-party-1, #00b156)');
    expect(text(el)).toContain('Proyeksi kursi 6/6');
    expect(root.querySelector('.strip')?.classList.contains('leg')).toBe(true);
    expect(root.querySelectorAll('.bar > span')).toHaveLength(3);

    expect(vi.mocked(fetch).mock.calls.filter(([url]) => String(url).endsWith('/latest'))).toHaveLength(1);

    const next = parliamentSnap(4);
    hub.push('Headline', headline(3, 4, [60, 40, 50, 0], {
      contest: 'dprd_kab', region: 'parliament:6403', seats: { ...next.seats, won: { '1': 1, '2': 3, '3': 2 }, dapils: [] } }));
    expect(parties()[0]).toEqual(['Gerindra', '26,7%', '3']);
    expect(parties()).toHaveLength(3);
  });
});
