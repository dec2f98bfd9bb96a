// End-to-end, in real Chromium against real servers, of the two marks every screen carries:
//   * a publication hold (docs/api.md, "Publication holds") on BROADCAST_URL: an operator holds
//     the presidential count nationally; the ticker, the monitor (live, opened during the hold,
//     and polling over HTTP with the hub blocked), the lower third and the station view show
//     DITAHAN · HELD with the hold's time and keep their numbers while forms are counted; at the
//     release the mark goes and the numbers move to the API's;
//   * a rehearsal server (--rehearsal) at BROADCAST_REHEARSAL_URL: each page shows the striped
//     LATIHAN · REHEARSAL band, with the numbers still in view and still moving.
//   BROADCAST_URL=... BROADCAST_REHEARSAL_URL=... BROADCAST_INGEST_KEY=... BROADCAST_OPERATOR_KEY=... node --test e2e/held.e2e.mjs
// (e2e/run.sh starts the servers: e2e/run.sh e2e/held.e2e.mjs runs this file alone.)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.BROADCAST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
const REHEARSAL = (process.env.BROADCAST_REHEARSAL_URL ?? '').replace(/\/+$/, '');
const KEY = process.env.BROADCAST_INGEST_KEY ?? '';
const OPERATOR = process.env.BROADCAST_OPERATOR_KEY ?? '';
const STATION = process.env.BROADCAST_STATION ?? '4.1';
const CONTEST = 'ppwp';
const OUT = process.env.BROADCAST_E2E_RESULTS ? `${process.env.BROADCAST_E2E_RESULTS.replace(/\/+$/, '')}/` : fileURLToPath(new URL('../test-results/', import.meta.url));
mkdirSync(OUT, { recursive: true });

const pctFmt = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (x) => `${pctFmt.format(x)}%`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(base, path, headers = {}) {
  const res = await fetch(`${base}${path}`, { headers: { Accept: 'application/json', ...headers }, cache: 'no-store' });
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return res.json();
}

/** An operator call: its status and body. */
async function operator(method, path, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** Posts a counted form with fresh numbers to `base`; returns its receipt. */
async function postForm(base, choices) {
  for (let i = 0; i < 5; i++) {
    const votes = {};
    let valid = 0;
    for (const c of choices) {
      votes[c.id] = 20 + Math.floor(Math.random() * 100);
      valid += votes[c.id];
    }
    const res = await fetch(`${base}/api/v1/forms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Idempotency-Key': randomUUID(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ station: STATION, contest: CONTEST, votes, valid, invalid: 1, total: valid + 1 }),
    });
    const body = await res.json().catch(() => null);
    assert.equal(res.status, 202, `POST /api/v1/forms answered ${res.status}: ${JSON.stringify(body)}`);
    if (body.status === 'counted') return body;
  }
  assert.fail('five random forms in a row were not counted');
}

/** Waits until the aggregator has folded everything up to `seq` (the held screens must not show it). */
async function waitAggregated(seq) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await operator('GET', '/api/v1/operator/status');
    assert.equal(status.status, 200, `operator status: ${JSON.stringify(status.body)}`);
    if (status.body.checkpoint >= seq) return;
    assert.ok(Date.now() < deadline, `aggregation did not reach seq ${seq}: ${JSON.stringify(status.body)}`);
    await sleep(100);
  }
}

/** "sejak 19.00 WIB" as the screens write the hold's time (WIB is UTC+7). */
function sinceText(iso) {
  const wib = new Date(Date.parse(iso) + 7 * 3600_000);
  const two = (n) => String(n).padStart(2, '0');
  return `sejak ${two(wib.getUTCHours())}.${two(wib.getUTCMinutes())} WIB`;
}

// What a page shows, read in the page: its version, its state, the held mark, its numbers (the
// elements with the totals, not the "updated 3 s ago" line), and its notice band.
const tickerProbe = () => {
  const el = document.querySelector('broadcast-ticker');
  const root = el?.shadowRoot;
  const mark = root?.querySelector('.held-mark');
  const notice = root?.querySelector('.notice');
  return {
    version: el?.dataset.version ?? null,
    state: el?.dataset.state ?? null,
    held: Boolean(el?.hasAttribute('data-held')) && Boolean(mark && !mark.hidden),
    heldText: mark?.hidden ? '' : mark?.textContent ?? '',
    numbers: `${root?.querySelector('.label')?.textContent}|${root?.querySelector('.choices')?.textContent}|${root?.querySelector('.meta')?.textContent}`,
    rehearsal: Boolean(el?.hasAttribute('data-rehearsal')),
    notice: notice && !notice.hidden ? { text: notice.textContent, rehearsal: notice.classList.contains('rehearsal') } : null,
  };
};
const pageProbe = (numbers) => {
  const root = document.documentElement;
  const mark = document.getElementById('held');
  const notice = document.getElementById('notice');
  return {
    version: root.dataset.version ?? null,
    state: root.dataset.state ?? null,
    held: root.hasAttribute('data-held') && Boolean(mark && !mark.hidden),
    heldText: mark?.hidden ? '' : mark?.textContent ?? '',
    numbers: numbers ? [...document.querySelectorAll(numbers)].map((e) => e.textContent).join('|') : '',
    rehearsal: root.hasAttribute('data-rehearsal'),
    notice: notice && !notice.hidden ? { text: notice.textContent, rehearsal: notice.classList.contains('rehearsal') } : null,
  };
};

// `numbers`: the totals' elements; `band` and `figures`: the notice band and the numbers, which
// must both be in view and apart on a rehearsal (Playwright's CSS locators pierce the ticker's shadow root).
const SCREENS = [
  { name: 'ticker', path: '/index.html', viewport: { width: 1280, height: 720 }, probe: tickerProbe,
    band: 'broadcast-ticker .notice', figures: 'broadcast-ticker .choices' },
  { name: 'monitor', path: `/monitor.html?contest=${CONTEST}&region=0&lang=id`, viewport: { width: 1440, height: 900 }, probe: pageProbe,
    numbers: 'main .summary', band: '#notice', figures: 'main .summary .bars' },
  { name: 'overlay', path: `/overlay.html?contest=${CONTEST}&region=0`, viewport: { width: 1920, height: 1080 }, probe: pageProbe, transparent: true,
    numbers: '#choices, #reporting', band: '#notice', figures: '#choices' },
  { name: 'station', path: `/station.html?contest=${CONTEST}&station=${STATION}`, viewport: { width: 1280, height: 640 }, probe: pageProbe,
    numbers: null, band: '#notice', figures: 'main .revisions' },
];
const RESULTS_SCREENS = ['ticker', 'monitor', 'overlay'];

let browser;
let choices = [];
const pages = new Map();
let hold = null;
let lastSeq = 0;

function probe(page, screen) {
  return page.evaluate(screen.probe, screen.numbers ?? null);
}

async function waitFor(page, screen, what, check, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe(page, screen);
    if (check(last)) return last;
    if (Date.now() > deadline) assert.fail(`${screen.name}: ${what}; it shows ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

/** The shares and % reporting of the API's national snapshot, as the screens write them. */
function apiTexts(snap) {
  const total = Object.values(snap.votes).reduce((a, b) => a + Number(b), 0);
  const st = snap.stations;
  return [...choices.map((c) => pct(total > 0 ? (Number(snap.votes[c.id] ?? 0) * 100) / total : 0)), pct((st.reported * 100) / st.total)];
}

async function open(base, screen, { blockHub = false } = {}) {
  const page = await browser.newPage({ viewport: screen.viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // No hub at all (negotiation refused): the page falls back to polling the HTTP snapshot.
  if (blockHub) await page.route('**/hubs/results/**', (route) => route.abort());
  const res = await page.goto(`${base}${screen.path}`);
  assert.equal(res?.status(), 200);
  page.errors = errors;
  return page;
}

describe('publication holds and rehearsals on the screens', { timeout: 240_000 }, () => {
  before(async () => {
    assert.ok(KEY && OPERATOR, 'BROADCAST_INGEST_KEY and BROADCAST_OPERATOR_KEY must be set (e2e/run.sh sets them)');
    browser = await chromium.launch({
      executablePath: process.env.BROADCAST_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const election = await getJson(BASE, '/api/v1/election');
    choices = election.contests.find((c) => c.id === CONTEST)?.choices ?? [];
    assert.ok(choices.length > 0);
    assert.equal(election.rehearsal, false, `${BASE} must be a live server`);
  });

  after(async () => {
    // Never leave the server held for whatever runs after this file.
    if (hold) await operator('POST', '/api/v1/operator/holds/release', { contest: CONTEST, region: '0', reason: 'e2e cleanup' }).catch(() => undefined);
    await browser?.close();
  });

  test('the screens are live, unmarked, on a live server', async () => {
    assert.deepEqual((await operator('GET', '/api/v1/operator/holds')).body, [], 'a hold is already in force');
    lastSeq = (await postForm(BASE, choices)).seq;
    await waitAggregated(lastSeq);
    for (const screen of SCREENS) {
      const page = await open(BASE, screen);
      pages.set(screen.name, page);
      await waitFor(page, screen, 'never went live', (p) => p.state === 'live' && (screen.name === 'station' || Number(p.version) >= lastSeq));
      const p = await probe(page, screen);
      assert.equal(p.held, false, `${screen.name} is marked held`);
      assert.equal(p.rehearsal, false, `${screen.name} is marked a rehearsal`);
      assert.equal(p.notice, null, `${screen.name} shows a notice band: ${JSON.stringify(p.notice)}`);
    }
  });

  test('a hold marks every screen DITAHAN · HELD, and their numbers stand while forms are counted', async () => {
    const taken = await operator('POST', '/api/v1/operator/holds', { contest: CONTEST, region: '0', reason: 'e2e: on air at 19:00' });
    assert.equal(taken.status, 201, JSON.stringify(taken.body));
    hold = taken.body;
    const since = sinceText(hold.since);
    const shown = new Map();
    for (const screen of SCREENS) {
      const page = pages.get(screen.name);
      const p = await waitFor(page, screen, 'shows no held mark', (x) => x.held, 5000);
      assert.ok(p.heldText.includes('DITAHAN · HELD') && p.heldText.includes(since), `${screen.name} mark reads ${JSON.stringify(p.heldText)}, not ${since}`);
      shown.set(screen.name, p);
    }

    // Counting goes on underneath: three more forms, folded into the totals.
    for (let i = 0; i < 3; i++) lastSeq = (await postForm(BASE, choices)).seq;
    await waitAggregated(lastSeq);
    const api = await getJson(BASE, `/api/v1/results/${CONTEST}`);
    assert.deepEqual(api.held, { seq: hold.seq, since: api.held?.since }, `the read API is not held: ${JSON.stringify(api.held)}`);
    assert.ok(api.epoch.endsWith('-held') && api.version === hold.seq, `held snapshot ${api.epoch}.${api.version}, hold at ${hold.seq}`);

    // Opened during the hold: over the hub (a held snapshot), and polling with the hub blocked.
    const monitor = SCREENS.find((s) => s.name === 'monitor');
    for (const [name, blockHub] of [['monitor-opened-held', false], ['monitor-polling', true]]) {
      const page = await open(BASE, monitor, { blockHub });
      pages.set(name, page);
      const p = await waitFor(page, monitor, 'does not show the held snapshot', (x) => x.held && Number(x.version) === hold.seq
        && x.state === (blockHub ? 'polling' : 'live'));
      assert.ok(p.heldText.includes(since), `${name} mark reads ${JSON.stringify(p.heldText)}`);
      for (const text of apiTexts(api)) assert.ok(p.numbers.includes(text), `${name} does not show ${text} of the held snapshot`);
    }

    // Frames would have come within a second or two (the ticker's cap is 1 a second): none did.
    await sleep(2500);
    for (const screen of SCREENS) {
      const page = pages.get(screen.name);
      const now = await probe(page, screen);
      assert.equal(now.held, true, `${screen.name} lost its mark during the hold`);
      assert.equal(now.version, shown.get(screen.name).version, `${screen.name} moved during the hold`);
      assert.equal(now.numbers, shown.get(screen.name).numbers, `${screen.name}'s numbers moved during the hold`);
      await page.screenshot({ path: `${OUT}${screen.name}-held.png`, omitBackground: Boolean(screen.transparent) });
    }
  });

  test('at the release the mark goes and every screen shows the numbers counted meanwhile', async () => {
    assert.ok(hold, 'no hold was taken');
    const released = await operator('POST', '/api/v1/operator/holds/release', { contest: CONTEST, region: '0', reason: 'e2e: off air' });
    assert.equal(released.status, 200, JSON.stringify(released.body));
    hold = null;
    const api = await getJson(BASE, `/api/v1/results/${CONTEST}`);
    assert.equal(api.held, undefined);
    assert.ok(api.version >= lastSeq, `the API is at ${api.version}, the last form at ${lastSeq}`);
    const screens = [...SCREENS.map((s) => [s.name, s]), ['monitor-opened-held', SCREENS[1]], ['monitor-polling', SCREENS[1]]];
    for (const [name, screen] of screens) {
      const page = pages.get(name);
      const results = RESULTS_SCREENS.includes(screen.name);
      // The lower third's numbers glide to their new values: wait for them to land.
      await waitFor(page, { ...screen, name }, `kept its mark, or does not show ${apiTexts(api)} of version ${api.version}`,
        (x) => !x.held && (!results || (Number(x.version) === api.version && apiTexts(api).every((text) => x.numbers.includes(text)))));
      if (SCREENS.some((s) => s.name === name)) await page.screenshot({ path: `${OUT}${name}-released.png`, omitBackground: Boolean(screen.transparent) });
      assert.deepEqual(page.errors, [], `${name} page errors`);
    }
    for (const page of pages.values()) await page.close();
  });

  test('a rehearsal server marks every screen LATIHAN · REHEARSAL, its numbers in view and moving', async () => {
    assert.ok(REHEARSAL, 'BROADCAST_REHEARSAL_URL must be set (e2e/run.sh starts a rehearsal server)');
    const election = await getJson(REHEARSAL, '/api/v1/election');
    assert.equal(election.rehearsal, true, `${REHEARSAL} is not a rehearsal server`);
    for (const screen of SCREENS) {
      const page = await open(REHEARSAL, screen);
      const p = await waitFor(page, screen, 'shows no rehearsal band', (x) => x.rehearsal && x.notice?.rehearsal && x.state === 'live');
      assert.ok(p.notice.text.startsWith('LATIHAN · REHEARSAL'), `${screen.name} band reads ${JSON.stringify(p.notice.text)}`);
      const band = page.locator(screen.band).first();
      const stripes = await band.evaluate((el) => getComputedStyle(el).backgroundImage);
      assert.match(stripes, /repeating-linear-gradient/, `${screen.name} band is not striped`);
      if (RESULTS_SCREENS.includes(screen.name)) {
        // The numbers are there, apart from the band, and they move.
        const seq = (await postForm(REHEARSAL, choices)).seq;
        await waitFor(page, screen, `does not show seq ${seq}`, (x) => Number(x.version) >= seq);
        // Both measured at once: the lower third is still sliding in.
        const [b, f] = await page.evaluate(([bandSel, figuresSel]) => {
          const find = (sel) => {
            const [host, inner] = sel.split(' ');
            const el = document.querySelector(host);
            return host === 'broadcast-ticker' ? el?.shadowRoot?.querySelector(inner) : document.querySelector(sel);
          };
          return [bandSel, figuresSel].map((sel) => {
            const r = find(sel)?.getBoundingClientRect();
            return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
          });
        }, [screen.band, screen.figures]);
        assert.ok(b && f && b.height > 0 && f.height > 0, `${screen.name}: band ${JSON.stringify(b)}, numbers ${JSON.stringify(f)}`);
        const apart = b.y + b.height <= f.y + 0.5 || f.y + f.height <= b.y + 0.5;
        assert.ok(apart, `${screen.name}: the band ${JSON.stringify(b)} covers the numbers ${JSON.stringify(f)}`);
      }
      await page.screenshot({ path: `${OUT}${screen.name}-rehearsal.png`, omitBackground: Boolean(screen.transparent) });
      assert.deepEqual(page.errors, [], `${screen.name} page errors`);
      await page.close();
    }
  });
});
