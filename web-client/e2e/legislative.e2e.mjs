// End-to-end check of the legislative screens against a running Broadcast server on the 2024
// election (Election__Name=pemilu2024; e2e/run.sh starts one at BROADCAST_LEGISLATIVE_URL):
// the monitor's parliament view of DPRD Kabupaten Berau follows forms posted in waves (seats,
// elected candidates, last-seat margins as the read API gives them), a dapil view, navigation,
// the DPR parliament with its 4 % threshold, the ticker and lower third on the DPR and the
// ticker on Berau, each checked to subscribe for its view and rate and receive only its frames.
//   BROADCAST_LEGISLATIVE_URL=http://127.0.0.1:5081 BROADCAST_INGEST_KEY=... node --test e2e/legislative.e2e.mjs
// Optional: BROADCAST_NOTICE (the notice the server was started with: every screen must show it),
// BROADCAST_DOCS_SCREENSHOTS=1 (also writes docs/screenshots/monitor-parliament.png and overlay-dpr.png).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { watchHub } from './hub-frames.mjs';

const BASE = (process.env.BROADCAST_LEGISLATIVE_URL ?? 'http://127.0.0.1:5081').replace(/\/+$/, '');
const KEY = process.env.BROADCAST_INGEST_KEY ?? '';
const NOTICE = process.env.BROADCAST_NOTICE ?? '';
// Screenshots: the run's own folder (run.sh sets it), else web-client/test-results/.
const OUT = process.env.BROADCAST_E2E_RESULTS ? `${process.env.BROADCAST_E2E_RESULTS.replace(/\/+$/, '')}/` : fileURLToPath(new URL('../test-results/', import.meta.url));
const DOCS = process.env.BROADCAST_DOCS_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : null;
mkdirSync(OUT, { recursive: true });

const BERAU = 'parliament:6403';
const WAVES = 3;
const PER_DAPIL = 2; // stations per dapil and wave

const intFmt = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const pct1 = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pct2 = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const reporting = (st, f = pct2) => `${f.format(st.total > 0 ? (st.reported * 100) / st.total : 0)}%`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(path) {
  const res = await fetch(`${BASE}${path}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return res.json();
}

const results = (contest, id) => getJson(`/api/v1/results/${contest}/${encodeURIComponent(id)}`);

/** Stations of a group not yet reported, walking its children depth first down to level tps. */
async function freshStations(contest, id, n, taken) {
  const out = [];
  const stack = [id];
  while (stack.length > 0 && out.length < n) {
    const snap = await results(contest, stack.shift());
    const below = [];
    for (const c of snap.children) {
      if (c.level === 'tps') {
        if (c.stations.reported === 0 && !taken.has(c.id) && out.length < n) out.push(c.id);
      } else if (c.stations.reported < c.stations.total) {
        below.push(c.id);
      }
    }
    stack.unshift(...below);
  }
  assert.equal(out.length, n, `not enough stations in ${contest} ${id}`);
  for (const s of out) taken.add(s);
  return out;
}

/**
 * A valid form for a station of a dapil: every party on its ballot and every candidate of its
 * list (0 included), 200 valid votes spread with a random lean per party, so seats move.
 */
function dapilForm(dapil, station, contest, lean) {
  const votes = {};
  const entries = [];
  for (const party of Object.keys(dapil.votes)) {
    votes[party] = { party: 0, candidates: {} };
    entries.push({ party, candidate: null, weight: (lean[party] ?? 1) * 0.5 });
  }
  for (const c of dapil.candidates) {
    votes[c.party].candidates[String(c.number)] = 0;
    entries.push({ party: c.party, candidate: String(c.number), weight: (lean[c.party] ?? 1) * (c.number <= 2 ? 1 : Math.random()) });
  }
  const sum = entries.reduce((a, e) => a + e.weight, 0);
  const valid = 200;
  for (let i = 0; i < valid; i++) {
    let x = Math.random() * sum;
    const e = entries.find((en) => (x -= en.weight) <= 0) ?? entries[entries.length - 1];
    if (e.candidate === null) votes[e.party].party++;
    else votes[e.party].candidates[e.candidate]++;
  }
  return { station, contest, votes, valid, invalid: 0, total: valid };
}

/** Posts forms in one batch; every one must be counted. Returns the highest seq. */
async function postBatch(forms) {
  const res = await fetch(`${BASE}/api/v1/forms:batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(forms),
  });
  const body = await res.json().catch(() => null);
  assert.equal(res.status, 202, `POST forms:batch answered ${res.status}: ${JSON.stringify(body)?.slice(0, 500)}`);
  for (const r of body.receipts) assert.equal(r.status, 'counted', `form not counted: ${JSON.stringify(r)}`);
  return Math.max(...body.receipts.map((r) => r.seq));
}

/** One wave of forms over the given dapils of a contest (PER_DAPIL stations each). */
async function postWave(contest, dapilIds, taken, perDapil = PER_DAPIL) {
  const forms = [];
  for (const id of dapilIds) {
    const dapil = await results(contest, id);
    const lean = Object.fromEntries(Object.keys(dapil.votes).map((p) => [p, Math.random() ** 2 + 0.05]));
    for (const station of await freshStations(contest, id, perDapil, taken)) forms.push(dapilForm(dapil, station, contest, lean));
  }
  return postBatch(forms);
}

/** Seats per party as the screens write them in data-won: most seats first, then ballot number. */
const wonKey = (won) => Object.entries(won).filter(([, n]) => n > 0)
  .sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0])).map(([p, n]) => `${p}:${n}`).join(',');

/** What the page shows, read in the page. */
const readParliament = () => ({
  version: document.documentElement.dataset.version ?? null,
  state: document.documentElement.dataset.state ?? null,
  title: document.querySelector('#region-title')?.textContent ?? '',
  reporting: document.querySelector('[data-fact="reporting"]')?.textContent ?? '',
  notice: document.querySelector('#notice:not([hidden])')?.textContent ?? '',
  seats: Object.fromEntries([...document.querySelectorAll('.seat-table tbody tr')].map((tr) => [tr.dataset.party, tr.querySelector('[data-seats]')?.textContent])),
  passes: Object.fromEntries([...document.querySelectorAll('.seat-table tbody tr')].map((tr) => [tr.dataset.party, tr.querySelector('[data-passes]')?.dataset.passes ?? null])),
  threshold: document.querySelector('.threshold')?.textContent ?? '',
  allocated: document.querySelector('.hemi-caption')?.dataset.allocated ?? '',
  dots: document.querySelectorAll('.hemicycle circle').length,
  dapils: Object.fromEntries([...document.querySelectorAll('tr[data-dapil]')].map((tr) => [tr.dataset.dapil, {
    won: tr.dataset.won, last: tr.dataset.last, runnerUp: tr.dataset.runnerUp, votesNeeded: tr.dataset.votesNeeded,
    close: tr.classList.contains('close'), seats: tr.querySelector('[data-seats]')?.textContent,
    elected: [...tr.querySelectorAll('[data-candidate]')].map((li) => li.dataset.candidate),
    text: tr.textContent,
  }])),
});

/** Differences between the parliament view and the read API (empty: it shows exactly the API). */
function parliamentMismatches(p, snap, closest) {
  const problems = [];
  const seats = snap.seats;
  if (p.title !== snap.region.name) problems.push(`title ${p.title}`);
  if (!p.reporting.startsWith(reporting(snap.stations))) problems.push(`reporting ${p.reporting} vs ${reporting(snap.stations)}`);
  if (p.dots !== seats.total) problems.push(`hemicycle ${p.dots} dots`);
  const given = Object.values(seats.won).reduce((a, b) => a + b, 0);
  if (p.allocated !== String(given)) problems.push(`allocated ${p.allocated} vs ${given}`);
  for (const [party, n] of Object.entries(seats.won)) if (p.seats[party] !== String(n)) problems.push(`party ${party}: ${p.seats[party]} seats vs ${n}`);
  for (const [party, shown] of Object.entries(p.seats)) if (shown !== String(seats.won[party] ?? 0)) problems.push(`party ${party} shows ${shown}`);
  if (seats.threshold) {
    for (const [party, passes] of Object.entries(p.passes)) {
      if (passes !== String(seats.threshold.passing.includes(party))) problems.push(`party ${party} passes=${passes}`);
    }
    if (!p.threshold.includes(`${intFmt.format(seats.threshold.votes)} suara dari ${intFmt.format(seats.threshold.valid)}`)) problems.push(`threshold ${p.threshold}`);
  }
  const children = new Map(snap.children.map((c) => [c.id, c]));
  for (const d of seats.dapils) {
    const row = p.dapils[d.id];
    if (!row) { problems.push(`dapil ${d.id} missing`); continue; }
    if (row.won !== wonKey(d.won)) problems.push(`${d.id} won ${row.won} vs ${wonKey(d.won)}`);
    if (row.seats !== String(d.seats)) problems.push(`${d.id} seats ${row.seats}`);
    if (row.last !== (d.last?.choice ?? '')) problems.push(`${d.id} last ${row.last} vs ${d.last?.choice}`);
    if (row.runnerUp !== (d.runnerUp?.choice ?? '')) problems.push(`${d.id} runner-up ${row.runnerUp} vs ${d.runnerUp?.choice}`);
    if (row.votesNeeded !== String(d.runnerUp?.votesNeeded ?? '')) problems.push(`${d.id} needs ${row.votesNeeded} vs ${d.runnerUp?.votesNeeded}`);
    if (row.elected.join(',') !== d.elected.map((e) => e.id).join(',')) problems.push(`${d.id} elected ${row.elected} vs ${d.elected.map((e) => e.id)}`);
    for (const e of d.elected) if (!row.text.includes(e.name)) problems.push(`${d.id} does not name ${e.name}`);
    if (d.runnerUp && !row.text.includes(`+${intFmt.format(d.runnerUp.votesNeeded)}`)) problems.push(`${d.id} margin text`);
    const st = children.get(d.id)?.stations;
    if (st && !row.text.includes(reporting(st, pct1))) problems.push(`${d.id} reporting ${reporting(st, pct1)}`);
    if (row.close !== closest.includes(d.id)) problems.push(`${d.id} close=${row.close}`);
  }
  return problems;
}

/** The dapils the parliament view highlights: one in four (at most three) with the fewest votes needed. */
function closestOf(snap) {
  const n = Math.min(3, Math.ceil(snap.children.length / 4));
  return snap.seats.dapils.filter((d) => d.runnerUp)
    .sort((a, b) => a.runnerUp.votesNeeded - b.runnerUp.votesNeeded || a.id.localeCompare(b.id))
    .slice(0, n).map((d) => d.id);
}

/** Waits until the page shows exactly the API's snapshot of `group` at the same version (at least minVersion). */
async function assertParliament(page, contest, group, minVersion = 0) {
  let last = null;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const p = await page.evaluate(readParliament);
    const snap = await results(contest, group);
    const problems = parliamentMismatches(p, snap, closestOf(snap));
    last = { page: p.version, api: snap.version, problems };
    if (String(snap.version) === p.version && snap.version >= minVersion && problems.length === 0) return { page: p, snap };
    await sleep(200);
  }
  assert.fail(`the ${group} screen does not show the API: ${JSON.stringify(last)}`);
}

const readDapil = () => ({
  version: document.documentElement.dataset.version ?? null,
  candidates: Object.fromEntries([...document.querySelectorAll('.cand-list li[data-candidate]')].map((li) => [li.dataset.candidate, {
    mark: li.className, rank: li.dataset.rank, votes: li.querySelector('.cand-votes')?.textContent,
  }])),
  allocation: (() => {
    const a = document.querySelector('.allocation');
    return a ? { won: a.dataset.won, last: a.dataset.last, runnerUp: a.dataset.runnerUp, votesNeeded: a.dataset.votesNeeded } : null;
  })(),
  seats: Object.fromEntries([...document.querySelectorAll('.party-bars [data-choice]')].map((li) => [li.dataset.choice, li.querySelector('[data-seats]')?.dataset.seats])),
});

/** Waits until a dapil view shows every candidate's votes, rank and mark and the seat allocation of the API. */
async function assertDapil(page, contest, id, minVersion = 0) {
  let last = null;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const p = await page.evaluate(readDapil);
    const snap = await results(contest, id);
    const problems = [];
    const seats = snap.seats.dapils[0];
    // Next: per party, the best-ranked candidate not elected once the list has a vote.
    const next = new Set();
    for (const party of new Set(snap.candidates.map((c) => c.party))) {
      const list = snap.candidates.filter((c) => c.party === party).sort((a, b) => a.rank - b.rank);
      const out = list.find((c) => !c.elected);
      if (out && list.some((c) => c.votes > 0)) next.add(out.id);
    }
    for (const c of snap.candidates) {
      const shown = p.candidates[c.id];
      const mark = c.elected ? 'elected' : next.has(c.id) ? 'next' : '';
      if (!shown) problems.push(`${c.id} missing`);
      else if (shown.mark !== mark || shown.rank !== String(c.rank) || shown.votes !== intFmt.format(c.votes)) problems.push(`${c.id} ${JSON.stringify(shown)} vs ${mark} ${c.rank} ${c.votes}`);
    }
    const a = p.allocation;
    if (!a || a.won !== wonKey(seats.won) || a.last !== (seats.last?.choice ?? '') || a.runnerUp !== (seats.runnerUp?.choice ?? '')
      || a.votesNeeded !== String(seats.runnerUp?.votesNeeded ?? '')) problems.push(`allocation ${JSON.stringify(a)}`);
    for (const [party, n] of Object.entries(p.seats)) if (n !== String(snap.seats.won[party] ?? 0)) problems.push(`party ${party} seats ${n}`);
    last = { page: p.version, api: snap.version, problems: problems.slice(0, 10) };
    if (String(snap.version) === p.version && snap.version >= minVersion && problems.length === 0) return snap;
    await sleep(200);
  }
  assert.fail(`the ${id} screen does not show the API: ${JSON.stringify(last)}`);
}

/** The parties the ticker and lower third show: on the ballot, most seats, then votes, then ballot number. */
function standings(snap, contest, election) {
  const info = election.contests.find((c) => c.id === contest);
  const onBallot = new Set(snap.children.flatMap((c) => Object.keys(c.votes)));
  const total = Object.values(snap.votes).reduce((a, b) => a + b, 0);
  return info.choices.filter((c) => onBallot.has(c.id)).map((c, i) => ({
    id: c.id, name: c.name, i,
    share: total > 0 ? ((snap.votes[c.id] ?? 0) * 100) / total : 0,
    votes: snap.votes[c.id] ?? 0,
    seats: snap.seats.won[c.id] ?? 0,
  })).sort((a, b) => b.seats - a.seats || b.votes - a.votes || a.i - b.i);
}

/** The first `max` (the last place going to "Lainnya" when there are more). */
function expectedCells(rows, max) {
  if (rows.length <= max) return rows.map((r) => [r.name, `${pct1.format(r.share)}%`, String(r.seats)]);
  const shown = rows.slice(0, max - 1);
  const rest = rows.slice(max - 1);
  return [
    ...shown.map((r) => [r.name, `${pct1.format(r.share)}%`, String(r.seats)]),
    [`Lainnya (${rest.length})`, `${pct1.format(rest.reduce((a, r) => a + r.share, 0))}%`, String(rest.reduce((a, r) => a + r.seats, 0))],
  ];
}

let browser;
let election;
const taken = new Set();
const errors = [];

async function open(path, viewport = { width: 1440, height: 900 }) {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => errors.push(`${path}: ${e}`));
  page.hub = watchHub(page);
  const res = await page.goto(`${BASE}${path}`);
  assert.equal(res?.status(), 200);
  return page;
}

/** The page subscribed with `options` only, and received `frame` pushes and no other kind of results push. */
function assertFrames(hub, options, frame) {
  const asked = hub.subscribeOptions();
  assert.ok(asked.length > 0, `no SubscribeWith: ${hub.summary()}`);
  for (const o of asked) assert.deepEqual(o, options);
  assert.ok(hub.count(frame) > 0, `no ${frame} frame: ${hub.summary()}`);
  for (const other of ['TotalsChanged', 'Headline', 'Delta'].filter((f) => f !== frame)) assert.equal(hub.count(other), 0, `${other} frames: ${hub.summary()}`);
  console.log(`# ${hub.summary()}`);
}

/** A news page on the server's origin embedding the built ticker.js in a 760 px column, as a site would. */
async function tickerPage(contest, region) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  page.on('pageerror', (e) => errors.push(`ticker: ${e}`));
  page.hub = watchHub(page);
  const path = `/e2e-ticker-${contest}.html`;
  await page.route(`${BASE}${path}`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html lang="id"><body style="margin:16px;background:#fff"><div id="col" style="width:760px">
      <broadcast-ticker contest="${contest}" region="${region}"></broadcast-ticker></div><script src="${BASE}/ticker.js"></script></body></html>`,
  }));
  await page.goto(`${BASE}${path}`);
  return page;
}

const tickerProbe = () => {
  const el = document.querySelector('broadcast-ticker');
  const root = el?.shadowRoot;
  return {
    version: el?.dataset.version ?? null,
    state: el?.dataset.state ?? null,
    notice: root?.querySelector('.notice:not([hidden])')?.textContent ?? '',
    cells: [...(root?.querySelectorAll('.choice') ?? [])].map((li) => [li.querySelector('.name')?.textContent, li.querySelector('.pct')?.textContent, li.querySelector('.seats')?.textContent]),
    truncated: [...(root?.querySelectorAll('.choice .name') ?? [])].filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent),
    width: el?.getBoundingClientRect().width ?? 0,
    meta: root?.querySelector('.meta')?.textContent ?? '',
  };
};

/** Waits until the ticker shows the parties the read API has for the group (at `minVersion` or later). */
async function checkTicker(page, contest, region, minVersion) {
  let last = null;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const p = await page.evaluate(tickerProbe);
    const snap = await results(contest, region);
    const want = expectedCells(standings(snap, contest, election), 9);
    last = { page: p, api: snap.version, want };
    if (p.version === String(snap.version) && snap.version >= minVersion && JSON.stringify(p.cells) === JSON.stringify(want)) return p;
    await sleep(200);
  }
  assert.fail(`ticker does not show the API: ${JSON.stringify(last)}`);
}

async function waitLive(page, probe = () => document.documentElement.dataset.state) {
  await page.waitForFunction(`(${probe.toString()})() === 'live'`, null, { timeout: 20_000 });
}

describe('Broadcast legislative screens (pemilu2024)', { timeout: 300_000 }, () => {
  before(async () => {
    browser = await chromium.launch({
      executablePath: process.env.BROADCAST_CHROMIUM ?? '/usr/bin/chromium',
      // The ticker's news page is served by page.route, which Chromium's Local Network Access
      // checks treat as a public page: its WebSocket to 127.0.0.1 would be blocked and SignalR
      // would fall back to long polling. A real news site and server are both public.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-features=LocalNetworkAccessChecks'],
    });
  });

  after(async () => {
    await browser?.close();
  });

  test(`server at ${BASE} has the 2024 legislative contests`, async () => {
    election = await getJson('/api/v1/election').catch((e) => assert.fail(`cannot read ${BASE}/api/v1/election: ${e.cause ?? e}`));
    assert.deepEqual(election.contests.map((c) => c.id), ['ppwp', 'dpr', 'dpd', 'dprd_prov', 'dprd_kab']);
    assert.equal(election.parties.length, 24);
    if (NOTICE) assert.equal(election.notice, NOTICE);
    const kaltim = await getJson('/api/v1/election/dprd_kab/parliaments?within=64');
    const berau = kaltim.find((p) => p.id === BERAU);
    assert.equal(berau?.seats, 30);
    assert.equal(berau?.dapils.length, 4);
    assert.ok(KEY, 'BROADCAST_INGEST_KEY must be set (e2e/run.sh sets it)');
  });

  test('DPRD Kabupaten Berau: parties, projected seats, leading candidates and margins move with every wave of forms', async () => {
    const parliament = await results('dprd_kab', BERAU);
    const dapils = parliament.children.map((c) => c.id);
    assert.equal(dapils.length, 4);
    const page = await open(`/monitor.html?contest=dprd_kab&region=${encodeURIComponent(BERAU)}`);
    // A dapil view stays open as well: candidate deltas are merged by id in the browser.
    const dapilPage = await open(`/monitor.html?contest=dprd_kab&region=${encodeURIComponent(dapils[0])}`);
    await waitLive(page);
    await waitLive(dapilPage);
    let { page: shown } = await assertParliament(page, 'dprd_kab', BERAU);
    if (NOTICE) assert.equal(shown.notice, `⚠ ${NOTICE}`);
    for (let wave = 1; wave <= WAVES; wave++) {
      const seq = await postWave('dprd_kab', dapils, taken);
      const now = await assertParliament(page, 'dprd_kab', BERAU, seq);
      // Moving: more stations in, and the dapils' seats are allocated from the first wave on.
      assert.notEqual(now.page.reporting, shown.reporting, `wave ${wave}: reporting did not move`);
      assert.equal(Object.values(now.snap.seats.won).reduce((a, b) => a + b, 0), 30, `wave ${wave}: every seat is projected`);
      assert.ok(Object.values(now.page.dapils).every((d) => d.elected.length > 0), `wave ${wave}: every dapil names its elected`);
      shown = now.page;
      await assertDapil(dapilPage, 'dprd_kab', dapils[0], seq);
      console.log(`# wave ${wave}: seq ${seq}, seats ${wonKey(now.snap.seats.won)}, closest ${closestOf(now.snap).join(',')}`);
      await page.screenshot({ path: `${OUT}legislative-berau-wave-${wave}.png`, fullPage: true });
    }
    await dapilPage.screenshot({ path: `${OUT}legislative-berau-dapil.png`, fullPage: true });
    // The monitor follows the full view with no cap: Delta frames, children patched by index.
    assertFrames(page.hub, { view: 'full', maxPerSecond: null }, 'Delta');
    assertFrames(dapilPage.hub, { view: 'full', maxPerSecond: null }, 'Delta');
    if (DOCS) await page.screenshot({ path: `${DOCS}monitor-parliament.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await dapilPage.close();
    await page.close();
  });

  test('monitor drills down from the parliament to a dapil and a region, and back', async () => {
    const page = await open(`/monitor.html?contest=dprd_kab&region=${encodeURIComponent(BERAU)}`);
    await waitLive(page);
    const parliament = await results('dprd_kab', BERAU);
    const dapil = await results('dprd_kab', parliament.children[1].id);
    const region = dapil.children[0];
    await page.locator(`main a[data-region="${parliament.children[1].id}"]`).click();
    await page.waitForFunction((name) => document.querySelector('#region-title')?.textContent === name
      && document.documentElement.dataset.level === 'dapil', dapil.region.name, { timeout: 5000 });
    assert.equal(new URL(page.url()).searchParams.get('region'), dapil.region.id);
    await assertDapil(page, 'dprd_kab', dapil.region.id);
    await page.locator(`main a[data-region="${region.id}"]`).click();
    // Region names as the screen writes them ("SAMBALIUNG" → "Sambaliung"): compared without case and spaces.
    await page.waitForFunction((name) => (document.querySelector('#region-title')?.textContent ?? '').replace(/\s+/g, '').toLowerCase() === name,
      region.name.replace(/\s+/g, '').toLowerCase(), { timeout: 5000 });
    assert.equal(await page.locator('.children tbody tr').count(), (await results('dprd_kab', region.id)).children.length);
    await page.screenshot({ path: `${OUT}legislative-region.png` });
    await page.goBack();
    await page.goBack();
    await page.waitForFunction(() => document.documentElement.dataset.level === 'parliament', null, { timeout: 5000 });
    await assertParliament(page, 'dprd_kab', BERAU);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('monitor switches contest and picks a DPRD by province, then regency', async () => {
    const page = await open('/monitor.html?contest=ppwp&region=0');
    await waitLive(page);
    await page.selectOption('#contest', 'dprd_kab');
    await page.waitForURL(/contest=dprd_kab/);
    await waitLive(page);
    await page.waitForFunction(() => document.querySelectorAll('#province option').length > 30, null, { timeout: 10_000 });
    await page.selectOption('#province', '64');
    await page.waitForFunction(() => document.querySelector('#region-title')?.textContent === 'Kalimantan Timur', null, { timeout: 10_000 });
    // The province lists its regencies' parliaments, and the second picker offers them.
    await page.waitForFunction((id) => document.querySelector(`#parliament option[value="${id}"]`) && document.querySelector(`.parliament-links a[data-region="${id}"]`), BERAU, { timeout: 10_000 });
    await page.selectOption('#parliament', BERAU);
    await page.waitForFunction(() => document.querySelector('#region-title')?.textContent === 'DPRD Kabupaten Berau', null, { timeout: 10_000 });
    assert.equal(new URL(page.url()).searchParams.get('region'), BERAU);
    await assertParliament(page, 'dprd_kab', BERAU);
    // DPR opens on its parliament.
    await page.selectOption('#contest', 'dpr');
    await page.waitForURL(/contest=dpr&region=parliament%3A0/);
    await page.waitForFunction(() => document.querySelector('#region-title')?.textContent === 'DPR RI', null, { timeout: 10_000 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('DPR parliament view: seats per party, the 4 % threshold and who passes, dapils with margins', async () => {
    const dpr = (await getJson('/api/v1/election/dpr/parliaments'))[0];
    const some = dpr.dapils.filter((d) => d.id.startsWith('dapil:64') || d.id === 'dapil:1101' || d.id === 'dapil:3101').map((d) => d.id);
    assert.ok(some.length >= 3);
    const page = await open('/monitor.html?contest=dpr&region=parliament%3A0');
    await waitLive(page);
    const seq = await postWave('dpr', some, taken, 3);
    const { snap, page: shown } = await assertParliament(page, 'dpr', 'parliament:0', seq);
    assert.equal(snap.seats.threshold.percent, 4);
    assert.ok(Object.values(shown.passes).some((p) => p === 'true'), 'some party passes the threshold');
    assert.equal(await page.locator('.threshold-line').count(), Object.keys(shown.passes).length);
    await page.screenshot({ path: `${OUT}legislative-dpr.png` });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('ticker on dpr parliament:0 in a 760 px column: party shares and projected seats, readable, live', async () => {
    const page = await tickerPage('dpr', 'parliament:0');
    await waitLive(page, () => document.querySelector('broadcast-ticker')?.dataset.state);
    let p = await checkTicker(page, 'dpr', 'parliament:0', 0);
    assert.deepEqual(p.truncated, [], 'party names are cut');
    assert.ok(p.width <= 760);
    if (NOTICE) assert.equal(p.notice, `⚠ ${NOTICE}`);
    assert.match(p.meta, /Proyeksi kursi \d+\/580/);
    const seq = await postWave('dpr', ['dapil:6401'], taken, 2);
    p = await checkTicker(page, 'dpr', 'parliament:0', seq);
    assert.deepEqual(p.truncated, []);
    await page.locator('#col').screenshot({ path: `${OUT}legislative-ticker-dpr.png` });
    assertFrames(page.hub, { view: 'headline', maxPerSecond: 1 }, 'Headline');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('ticker on DPRD Kabupaten Berau: the headline has no dapils, yet only the parties standing there show', async () => {
    const page = await tickerPage('dprd_kab', BERAU);
    await waitLive(page, () => document.querySelector('broadcast-ticker')?.dataset.state);
    const parliament = await results('dprd_kab', BERAU);
    const standing = standings(parliament, 'dprd_kab', election);
    // The parliament's votes list every party of the contest; fewer stand in Berau.
    assert.ok(standing.length < Object.keys(parliament.votes).length, `${standing.length} of ${Object.keys(parliament.votes).length}`);
    const seq = await postWave('dprd_kab', parliament.children.map((c) => c.id), taken, 1);
    const p = await checkTicker(page, 'dprd_kab', BERAU, seq);
    assert.equal(p.cells.at(-1)?.[0], `Lainnya (${standing.length - 8})`);
    assertFrames(page.hub, { view: 'headline', maxPerSecond: 1 }, 'Headline');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('lower third on dpr parliament:0 at 1920x1080: shares and projected seats, names never cut', async () => {
    const page = await open('/overlay.html?contest=dpr&region=parliament%3A0', { width: 1920, height: 1080 });
    await waitLive(page);
    const probe = () => ({
      version: document.documentElement.dataset.version ?? null,
      notice: document.querySelector('#notice:not([hidden])')?.textContent ?? '',
      head: document.querySelector('.lt-seathead')?.textContent ?? '',
      cells: [...document.querySelectorAll('.lt-party')].map((c) => [c.querySelector('.lt-pname')?.textContent, c.querySelector('.lt-pshare')?.textContent, c.querySelector('.lt-pseats b')?.textContent]),
      cut: [...document.querySelectorAll('.lt-party')].filter((c) => {
        const name = c.querySelector('.lt-pname');
        const seats = c.querySelector('.lt-pseats');
        const box = c.getBoundingClientRect();
        const frame = document.querySelector('#lower-third')?.getBoundingClientRect();
        return (frame && box.right > frame.right + 1) || !name || name.scrollWidth > name.clientWidth + 1 || name.getBoundingClientRect().right > (seats?.getBoundingClientRect().left ?? box.right)
          || (seats?.getBoundingClientRect().right ?? 0) > box.right + 1;
      }).map((c) => c.textContent),
      panel: (() => { const r = document.querySelector('#lower-third')?.getBoundingClientRect(); return r ? [r.left, r.right, r.bottom] : null; })(),
    });
    let last = null;
    const deadline = Date.now() + 10_000;
    let p;
    while (Date.now() < deadline) {
      p = await page.evaluate(probe);
      const snap = await results('dpr', 'parliament:0');
      const want = expectedCells(standings(snap, 'dpr', election), 12);
      const given = Object.values(snap.seats.won).reduce((a, b) => a + b, 0);
      last = { page: p, api: snap.version, want };
      if (p.version === String(snap.version) && JSON.stringify(p.cells) === JSON.stringify(want) && p.head.includes(`${intFmt.format(given)} / 580`)) break;
      p = null;
      await sleep(200);
    }
    assert.ok(p, `lower third does not show the API: ${JSON.stringify(last)}`);
    // At least one frame after the snapshot: counting goes on in the earlier tests' waves.
    const seq = await postWave('dpr', ['dapil:6401'], taken, 1);
    await page.waitForFunction((v) => Number(document.documentElement.dataset.version) >= v, seq, { timeout: 10_000 });
    assertFrames(page.hub, { view: 'headline', maxPerSecond: 2 }, 'Headline');
    assert.deepEqual(p.cut, [], 'names or seats cut');
    assert.ok(p.panel && p.panel[0] >= 0 && p.panel[1] <= 1920 && p.panel[2] <= 1080, `the graphic leaves the frame: ${p.panel}`);
    if (NOTICE) assert.equal(p.notice, `⚠ ${NOTICE}`);
    await page.waitForTimeout(800); // the slide-in
    await page.screenshot({ path: `${OUT}legislative-overlay-dpr.png`, omitBackground: true });
    if (DOCS) await page.screenshot({ path: `${DOCS}overlay-dpr.png`, omitBackground: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
