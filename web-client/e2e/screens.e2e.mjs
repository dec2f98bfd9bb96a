// End-to-end check of the three screens against a running Broadcast server.
//   BROADCAST_URL=http://127.0.0.1:5000 BROADCAST_INGEST_KEY=... npm run e2e
// Optional: BROADCAST_STATION (default "4.1": KEUDE BAKONGAN, ACEH SELATAN, 292 voters in
// the 2019 data), BROADCAST_UPDATE_BUDGET_MS (default 1000, plus one frame interval for the
// rate-capped ticker and lower third), BROADCAST_CHROMIUM
// (default /usr/bin/chromium). Screenshots go to web-client/test-results/ (BROADCAST_E2E_RESULTS).
// Needs the built client in the server's wwwroot (npm run build) and Debian's chromium.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { watchHub } from './hub-frames.mjs';

const BASE = (process.env.BROADCAST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
const KEY = process.env.BROADCAST_INGEST_KEY ?? '';
// A restart command (e2e/run.sh sets one) for the test that restarts the server under open pages.
const RESTART = process.env.BROADCAST_RESTART ?? '';
const STATION = process.env.BROADCAST_STATION ?? '4.1';
const BUDGET_MS = Number(process.env.BROADCAST_UPDATE_BUDGET_MS ?? 1000);
const CONTEST = 'ppwp';
// Screenshots: the run's own folder (run.sh sets it), else web-client/test-results/.
const OUT = process.env.BROADCAST_E2E_RESULTS ? `${process.env.BROADCAST_E2E_RESULTS.replace(/\/+$/, '')}/` : fileURLToPath(new URL('../test-results/', import.meta.url));
mkdirSync(OUT, { recursive: true });

// The screens format numbers as Indonesian (the default language); so do we.
const intFmt = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const pctFmt = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (x) => `${pctFmt.format(x)}%`;

async function getJson(path) {
  const res = await fetch(`${BASE}${path}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return res.json();
}

/** A pair as a screen may write it: whole, one person a line (the lower third), or first names (a narrow ticker). */
const pairLines = (name) => name.split(/\s+[\u2013\u2014-]\s+/);
const shortName = (name) => pairLines(name).map((p) => p.split(/\s+/).find((w) => !w.endsWith('.'))).join(' \u2013 ');
const showsName = (text, name) => text.includes(name) || pairLines(name).every((l) => text.includes(l)) || text.includes(shortName(name));

/** What a screen must show for a snapshot: region name, choice names, votes, shares, % reporting (names checked by showsName). */
function expectedTexts(snap, choices, { votes }) {
  const total = Object.values(snap.votes).reduce((a, b) => a + Number(b), 0);
  const out = [snap.region.name];
  for (const c of choices) {
    const v = Number(snap.votes[c.id] ?? 0);
    out.push(pct(total > 0 ? (v * 100) / total : 0));
    if (votes) out.push(intFmt.format(v));
  }
  const st = snap.stations;
  out.push(pct(st.total > 0 ? (st.reported * 100) / st.total : 0));
  return out;
}

// Each probe runs in the page and reports { version, state, text } of the screen.
// textContent, not innerText: the overlay upper-cases names with CSS.
const rootProbe = () => ({
  version: document.documentElement.dataset.version ?? null,
  state: document.documentElement.dataset.state ?? null,
  text: document.body.textContent,
});
const tickerProbe = () => {
  const el = document.querySelector('broadcast-ticker');
  return {
    version: el?.dataset.version ?? null,
    state: el?.dataset.state ?? null,
    text: el?.shadowRoot?.querySelector('.strip')?.textContent ?? '',
  };
};

// Each screen subscribes with SubscribeWith: `view` and `rate` (maxPerSecond) are what it must ask
// for by default, `frame` the push it must then receive (and no other kind of results push).
// A rate-capped screen gets a frame at the next whole 1/rate s: its update budget grows by that.
const SCREENS = [
  { name: 'monitor', path: `/monitor.html?contest=${CONTEST}&region=0&lang=id`, viewport: { width: 1440, height: 900 }, probe: rootProbe, votes: true,
    view: 'full', rate: null, frame: 'Delta' },
  { name: 'overlay', path: `/overlay.html?contest=${CONTEST}&region=0`, viewport: { width: 1920, height: 1080 }, probe: rootProbe, votes: true, transparent: true,
    view: 'headline', rate: 2, frame: 'Headline' },
  { name: 'ticker', path: '/index.html', viewport: { width: 1280, height: 720 }, probe: tickerProbe, votes: false,
    view: 'headline', rate: 1, frame: 'Headline' },
];
const FRAMES = ['TotalsChanged', 'Headline', 'Delta'];
const budgetOf = (screen) => BUDGET_MS + (screen.rate ? 1000 / screen.rate : 0);

let browser;
let choices = [];
const pages = new Map();
const hubs = new Map();
const errors = new Map();

/** The probe as an expression for page.waitForFunction. */
const probeExpr = (screen) => `(${screen.probe.toString()})()`;

async function probe(screen) {
  return pages.get(screen.name).evaluate(screen.probe);
}

/** Waits until the screen shows exactly the API's national snapshot (same version). */
async function assertShowsApi(screen, minVersion = 0) {
  let last = null;
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline) {
    const p = await probe(screen);
    const snap = await getJson(`/api/v1/results/${CONTEST}`);
    const missing = [...expectedTexts(snap, choices, screen).filter((s) => !p.text.includes(s)),
      ...choices.map((c) => c.name).filter((name) => !showsName(p.text, name))];
    last = { page: p.version, api: snap.version, missing };
    // Counting may go on meanwhile; compare only when both sides agree on the version.
    if (String(snap.version) === p.version && snap.version >= minVersion && missing.length === 0) return snap;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${screen.name} does not show the API totals: ${JSON.stringify(last)}`);
}

function randomForm() {
  const votes = {};
  let valid = 0;
  for (const c of choices) {
    const v = 20 + Math.floor(Math.random() * (240 / choices.length));
    votes[c.id] = v;
    valid += v;
  }
  const invalid = Math.floor(Math.random() * 6);
  return { station: STATION, contest: CONTEST, votes, valid, invalid, total: valid + invalid };
}

/** Posts a form with fresh numbers (so it counts, not a duplicate); returns the receipt. */
async function postForm() {
  for (let i = 0; i < 5; i++) {
    // After a server restart a pooled keep-alive socket may be dead: one retry on a network error.
    const send = () => fetch(`${BASE}/api/v1/forms`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Idempotency-Key': randomUUID(), 'Content-Type': 'application/json' },
      body: JSON.stringify(randomForm()),
    });
    const res = await send().catch(() => new Promise((r) => setTimeout(r, 200)).then(send));
    const body = await res.json().catch(() => null);
    assert.equal(res.status, 202, `POST /api/v1/forms answered ${res.status}: ${JSON.stringify(body)}`);
    if (body.status === 'counted') return body;
    assert.equal(body.status, 'duplicate', `form not counted: ${JSON.stringify(body)}`);
  }
  assert.fail('five random forms in a row were duplicates');
}

describe('Broadcast screens', { timeout: 180_000 }, () => {
  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.BROADCAST_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await browser?.close();
  });

  test(`server at ${BASE} answers the read API`, async () => {
    const election = await getJson('/api/v1/election').catch((e) => assert.fail(`cannot read ${BASE}/api/v1/election: ${e.cause ?? e}`));
    choices = election.contests.find((c) => c.id === CONTEST)?.choices ?? [];
    assert.ok(choices.length > 0, `no choices for ${CONTEST} in /api/v1/election`);
    const snap = await getJson(`/api/v1/results/${CONTEST}`);
    assert.equal(snap.region.id, '0');
  });

  for (const screen of SCREENS) {
    test(`${screen.name} loads live and shows the national totals`, async () => {
      const page = await browser.newPage({ viewport: screen.viewport });
      pages.set(screen.name, page);
      errors.set(screen.name, []);
      page.on('pageerror', (e) => errors.get(screen.name).push(String(e)));
      hubs.set(screen.name, watchHub(page));
      const res = await page.goto(`${BASE}${screen.path}`);
      assert.equal(res?.status(), 200);
      await page.waitForFunction(`${probeExpr(screen)}.state === 'live'`, null, { timeout: 15_000 })
        .catch(async () => assert.fail(`${screen.name} never went live: ${JSON.stringify(await probe(screen))}`));
      await assertShowsApi(screen);
      await page.screenshot({ path: `${OUT}${screen.name}-national.png`, omitBackground: Boolean(screen.transparent) });
      assert.deepEqual(errors.get(screen.name), []);
    });

    test(`${screen.name} shows a new form within ${budgetOf(screen)} ms`, async () => {
      assert.ok(KEY, 'BROADCAST_INGEST_KEY must be set (e2e/run.sh sets it)');
      const page = pages.get(screen.name);
      assert.ok(page, 'the page did not load');
      const started = Date.now();
      const receipt = await postForm();
      await page.waitForFunction(`Number(${probeExpr(screen)}.version) >= ${receipt.seq}`, null, { timeout: budgetOf(screen) * 5, polling: 20 })
        .catch(async () => assert.fail(`${screen.name} still at ${JSON.stringify((await probe(screen)).version)}, form seq ${receipt.seq}`));
      const elapsed = Date.now() - started;
      console.log(`# ${screen.name}: form post to visible change ${elapsed} ms`);
      assert.ok(elapsed <= budgetOf(screen), `${screen.name} took ${elapsed} ms to show seq ${receipt.seq} (budget ${budgetOf(screen)} ms)`);
      await assertShowsApi(screen, receipt.seq);
      await page.screenshot({ path: `${OUT}${screen.name}-updated.png`, omitBackground: Boolean(screen.transparent) });
      assert.deepEqual(errors.get(screen.name), []);
    });
  }

  for (const screen of SCREENS) {
    test(`${screen.name} subscribes for ${screen.view} at ${screen.rate ?? 'no cap'} and receives ${screen.frame} frames only`, () => {
      const hub = hubs.get(screen.name);
      assert.ok(hub, 'the page did not load');
      const asked = hub.subscribeOptions();
      assert.ok(asked.length > 0, `no SubscribeWith: ${hub.summary()}`);
      for (const o of asked) assert.deepEqual(o, { view: screen.view, maxPerSecond: screen.rate });
      assert.ok(hub.count(screen.frame) > 0, `no ${screen.frame} frame: ${hub.summary()}`);
      for (const other of FRAMES.filter((f) => f !== screen.frame)) assert.equal(hub.count(other), 0, `${other} frames: ${hub.summary()}`);
      console.log(`# ${screen.name}: ${hub.summary()}`);
    });
  }

  test('view= and rate= override a page\'s defaults (lower third in the full view at 5 a second, JSON)', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const hub = watchHub(page);
    const screen = SCREENS.find((s) => s.name === 'overlay');
    await page.goto(`${BASE}/overlay.html?contest=${CONTEST}&region=0&view=full&rate=5&protocol=json`);
    await page.waitForFunction(`${probeExpr(screen)}.state === 'live'`, null, { timeout: 15_000 });
    const receipt = await postForm();
    await page.waitForFunction(`Number(${probeExpr(screen)}.version) >= ${receipt.seq}`, null, { timeout: 5000, polling: 20 });
    assert.deepEqual(hub.subscribeOptions(), [{ view: 'full', maxPerSecond: 5 }]);
    assert.ok(hub.count('Delta') > 0, hub.summary());
    assert.equal(hub.count('Headline'), 0, hub.summary());
    await assertShowsApi({ ...screen, probe: rootProbe }, receipt.seq);
    await page.close();
  });

  test('every screen recovers the right totals after the server restarts while it stays open', async () => {
    assert.ok(RESTART, 'BROADCAST_RESTART must be set (e2e/run.sh sets it)');
    execSync(RESTART, { stdio: 'inherit' });
    const receipt = await postForm();
    for (const screen of SCREENS) {
      const page = pages.get(screen.name);
      await page.waitForFunction(`Number(${probeExpr(screen)}.version) >= ${receipt.seq}`, null, { timeout: 30_000, polling: 100 })
        .catch(async () => assert.fail(`${screen.name} did not recover: ${JSON.stringify(await probe(screen))}`));
      await assertShowsApi(screen, receipt.seq);
      await page.screenshot({ path: `${OUT}${screen.name}-after-restart.png`, omitBackground: Boolean(screen.transparent) });
    }
  });

  test('monitor drills down to the station\'s village and back', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${BASE}/monitor.html?contest=${CONTEST}&region=0`);
    const village = STATION.slice(0, STATION.lastIndexOf('.'));
    const target = await getJson(`/api/v1/results/${CONTEST}/${encodeURIComponent(village)}`);
    // Click down the path: province tile, then the child rows, to the village.
    const path = [...target.parents.slice(1), target.region];
    for (const r of path) {
      await page.locator(`main [data-region="${r.id}"]`).first().click();
      // Names as the screen writes them ("DKI JAKARTA" → "DKI Jakarta"): compared without case and spaces.
      await page.waitForFunction((name) => (document.querySelector('#region-title')?.textContent ?? '').replace(/\s+/g, '').toLowerCase() === name
        && document.querySelector('main')?.getAttribute('aria-busy') === 'false', r.name.replace(/\s+/g, '').toLowerCase(), { timeout: 5000 });
    }
    const text = await page.evaluate(() => document.body.textContent);
    assert.ok(text.replace(/\s+/g, '').toLowerCase().includes(target.region.name.replace(/\s+/g, '').toLowerCase()));
    assert.equal(await page.locator('.children tbody tr').count(), target.children.length);
    await page.screenshot({ path: `${OUT}monitor-village.png` });
    // Back to national through the first breadcrumb.
    await page.locator('#crumbs a').first().click();
    await page.waitForFunction(() => document.documentElement.dataset.region === '0' && document.querySelector('.tiles'), null, { timeout: 5000 });
    await page.close();
  });
});
