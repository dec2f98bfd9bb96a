// The monitoring screen's timeline against a running Broadcast server (e2e/run.sh starts one):
// scrub back to a moment between two batches of forms, see that moment's numbers (the read
// API's ?asOf= answer, not the live ones), drill down while looking back, stay on that moment
// while new forms arrive, and return to live.
//   BROADCAST_URL=http://127.0.0.1:5000 BROADCAST_INGEST_KEY=... node --test e2e/timeline.e2e.mjs
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.BROADCAST_URL ?? 'http://127.0.0.1:5000').replace(/\/+$/, '');
const KEY = process.env.BROADCAST_INGEST_KEY ?? '';
const CONTEST = 'ppwp';
const VILLAGE = '4'; // KEUDE BAKONGAN, ACEH SELATAN (province 1, ACEH)
const PROVINCE = '1';
const OUT = fileURLToPath(new URL('../test-results/', import.meta.url));
mkdirSync(OUT, { recursive: true });

const intFmt = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const pctFmt = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (x) => `${pctFmt.format(x)}%`;
const WIB_MS = 7 * 3600_000;
const isoWib = (ms) => new Date(ms + WIB_MS).toISOString().replace('Z', '+07:00');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(path) {
  const res = await fetch(`${BASE}${path}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return res.json();
}

/** Posts forms for the village's stations with numbers of their own; returns the receipts. */
async function postForms(stations, a, b) {
  const forms = stations.map((station, i) => ({
    station, contest: CONTEST, votes: { '01': a + i, '02': b + i }, valid: a + b + 2 * i, invalid: 1, total: a + b + 2 * i + 1,
  }));
  const res = await fetch(`${BASE}/api/v1/forms:batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Idempotency-Key': randomUUID(), 'Content-Type': 'application/json' },
    body: JSON.stringify(forms),
  });
  const body = await res.json();
  assert.equal(res.status, 202, JSON.stringify(body));
  for (const r of body.receipts) assert.equal(r.status, 'counted', JSON.stringify(r));
  return body.receipts;
}

/** What the monitor must show for a snapshot: the region's name, each pair's votes and share, % reporting. */
function expectedTexts(snap, choices) {
  const total = Object.values(snap.votes).reduce((x, y) => x + Number(y), 0);
  const out = [snap.region.name];
  for (const c of choices) {
    const v = Number(snap.votes[c.id] ?? 0);
    out.push(c.name, intFmt.format(v), pct(total > 0 ? (v * 100) / total : 0));
  }
  out.push(pct(snap.stations.total > 0 ? (snap.stations.reported * 100) / snap.stations.total : 0));
  return out;
}

const pageState = () => ({
  timeline: document.documentElement.dataset.timeline ?? null,
  asof: document.documentElement.dataset.asof ?? null,
  region: document.documentElement.dataset.region ?? null,
  version: document.documentElement.dataset.version ?? null,
  busy: document.querySelector('main')?.getAttribute('aria-busy') ?? null,
  moment: document.querySelector('.tl-moment')?.textContent ?? '',
  text: document.querySelector('main')?.textContent ?? '',
});

/** Waits until the page shows `snap` (its texts) in the given timeline mode. */
async function waitShows(page, snap, choices, mode, what) {
  const want = expectedTexts(snap, choices);
  let last = null;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    last = await page.evaluate(pageState);
    // Screens re-case names written in capitals ("ACEH" shows as "Aceh"): names compare without case.
    const missing = want.filter((s) => !last.text.toLocaleLowerCase('id').includes(s.toLocaleLowerCase('id')));
    if (last.timeline === mode && last.region === snap.region.id && last.busy === 'false' && missing.length === 0
      && (mode === 'live' || last.asof === String(snap.asOf.seq))) return last;
    last.missing = missing;
    await sleep(100);
  }
  assert.fail(`${what}: the page does not show it: ${JSON.stringify({ ...last, text: undefined })}`);
}

describe('Monitor timeline', { timeout: 120_000 }, () => {
  let browser;
  let choices = [];
  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.BROADCAST_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    choices = (await getJson('/api/v1/election')).contests.find((c) => c.id === CONTEST).choices;
  });
  after(async () => { await browser?.close(); });

  test('scrubs back to an earlier moment, stays there while forms arrive, and returns to live', async () => {
    assert.ok(KEY, 'BROADCAST_INGEST_KEY must be set (e2e/run.sh sets it)');
    const stations = (await getJson(`/api/v1/results/${CONTEST}/${VILLAGE}`)).children.map((c) => c.id).slice(0, 3);
    assert.equal(stations.length, 3);

    // Two batches 1.5 s apart: the moment looked at lies between them.
    const first = await postForms(stations, 100, 60);
    const between = (await getJson('/api/v1/history')).latest;
    await sleep(1500);
    const second = await postForms(stations, 30, 150);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${BASE}/monitor.html?contest=${CONTEST}&region=0&lang=id`);
    await page.waitForFunction(() => document.documentElement.dataset.state === 'live', null, { timeout: 15_000 });
    const liveBefore = await getJson(`/api/v1/results/${CONTEST}`);
    assert.ok(liveBefore.version >= second.at(-1).seq);
    await waitShows(page, liveBefore, choices, 'live', 'the live national totals');

    // The scrubber's position for half a second after the first batch was received.
    const slider = page.locator('.tl-range');
    await slider.focus(); // learns the night's latest moment
    const span = await getJson('/api/v1/history');
    const from = Date.parse(span.first.receivedAt);
    const to = Date.parse(span.latest.receivedAt);
    const target = Date.parse(between.receivedAt) + 500;
    const position = Math.round(((target - from) * 1000) / (to - from));
    const at = Math.round(from + ((to - from) * position) / 1000);
    assert.ok(at >= Date.parse(between.receivedAt) && at < Date.parse(between.receivedAt) + 1400, `no scrubber step between the batches (night ${to - from} ms)`);
    await slider.fill(String(position));

    const past = await getJson(`/api/v1/results/${CONTEST}?asOf=${encodeURIComponent(isoWib(at))}`);
    assert.equal(past.asOf.seq, first.at(-1).seq, 'the moment is after the first batch and before the second');
    assert.notDeepEqual(past.votes, liveBefore.votes);
    const shown = await waitShows(page, past, choices, 'past', `national as of ${isoWib(at)}`);
    assert.match(shown.moment, /^Per \d\d\.\d\d\.\d\d WIB/);
    assert.ok(new URL(page.url()).searchParams.get('asOf'), 'the moment is in the URL');
    await page.screenshot({ path: `${OUT}monitor-timeline-past.png` });

    // The URL opens on the moment.
    const linked = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    linked.on('pageerror', (e) => errors.push(String(e)));
    await linked.goto(page.url());
    await waitShows(linked, past, choices, 'past', 'the moment in the URL');
    await linked.close();

    // New forms while looking back: the screen stays on the moment.
    const third = await postForms(stations, 70, 70);
    await page.waitForFunction((seq) => Number(document.documentElement.dataset.version) <= seq, first.at(-1).seq, { timeout: 2000 });
    await sleep(1000);
    await waitShows(page, past, choices, 'past', 'the same moment after new forms');

    // Drilling down while looking back shows the province as of the same moment.
    await page.locator(`main [data-region="${PROVINCE}"]`).first().click();
    const pastProvince = await getJson(`/api/v1/results/${CONTEST}/${PROVINCE}?asOf=${encodeURIComponent(isoWib(at))}`);
    await waitShows(page, pastProvince, choices, 'past', `ACEH as of ${isoWib(at)}`);

    // Back to live: the province's live totals, the new forms included.
    await page.locator('.tl-back').click();
    await page.waitForFunction((seq) => document.documentElement.dataset.timeline === 'live'
      && Number(document.documentElement.dataset.version) >= seq, third.at(-1).seq, { timeout: 10_000 });
    const live = await getJson(`/api/v1/results/${CONTEST}/${PROVINCE}`);
    const state = await waitShows(page, live, choices, 'live', 'the live province');
    assert.equal(state.asof, null);
    assert.match(state.moment, /LANGSUNG/);
    assert.equal(new URL(page.url()).searchParams.get('asOf'), null);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
