// End-to-end check, in real Chromium against real servers, of the monitor's province map, the
// station view, and the names and errors of the ticker and lower third:
//   * 2019 (BROADCAST_URL): every shape coloured by its province's leader as the read API has it
//     (joined by KPU id), % reporting, the attribution; a click drills down; a held station says
//     why in the village table and opens a station view that follows its correction live;
//   * the ticker in a 760 px column shows whole names (or first names, never initials), and an
//     unknown region is an error, not "loading" forever; the lower third cuts no pair's name;
//   * 2024 (BROADCAST_LEGISLATIVE_URL): Papua's four provinces summed onto the old Papua shape,
//     which offers them to choose from; the DPR map coloured by the leading party.
//   BROADCAST_URL=... BROADCAST_LEGISLATIVE_URL=... BROADCAST_INGEST_KEY=... node --test e2e/map-station.e2e.mjs
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE19 = (process.env.BROADCAST_URL ?? 'http://127.0.0.1:5080').replace(/\/+$/, '');
const BASE24 = (process.env.BROADCAST_LEGISLATIVE_URL ?? 'http://127.0.0.1:5081').replace(/\/+$/, '');
const KEY = process.env.BROADCAST_INGEST_KEY ?? '';
const OUT = fileURLToPath(new URL('../test-results/', import.meta.url));
mkdirSync(OUT, { recursive: true });
const ATTRIBUTION = 'Contains data © OpenStreetMap contributors, ODbL 1.0; Natural Earth (public domain).';
const SHAPES = JSON.parse(readFileSync(new URL('../../data/geo/indonesia-provinces.geojson', import.meta.url), 'utf8'))
  .features.map((f) => f.properties);

/** Names as the screens write them may differ from the data's in case and spacing ("P A P U A" → "Papua"). */
const norm = (s) => String(s ?? '').replace(/\s+/g, '').toLowerCase();
const pairLines = (name) => name.split(/\s+[\u2013\u2014-]\s+/);
const shortName = (name) => pairLines(name).map((p) => p.split(/\s+/).find((w) => !w.endsWith('.'))).join(' \u2013 ');

async function getJson(base, path) {
  const res = await fetch(`${base}${path}`, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return res.json();
}
const results = (base, contest, id) => getJson(base, `/api/v1/results/${contest}/${encodeURIComponent(id)}`);
const trail = (base, contest, station) => getJson(base, `/api/v1/stations/${encodeURIComponent(station)}/forms/${contest}`);

/** A polling station of a region not reported yet (depth first through the children). */
async function freshStation(base, contest, region, taken) {
  const stack = [region];
  while (stack.length > 0) {
    const snap = await results(base, contest, stack.shift());
    const below = [];
    for (const c of snap.children) {
      if (c.level === 'tps') {
        if (c.stations.reported === 0 && c.stations.quarantined === 0 && !taken.has(c.id)) {
          taken.add(c.id);
          return { station: c.id, village: snap.region };
        }
      } else if (c.stations.reported < c.stations.total) below.push(c.id);
    }
    stack.unshift(...below.slice(0, 3));
  }
  assert.fail(`no fresh station in ${contest} ${region}`);
}

async function post(base, forms) {
  const res = await fetch(`${base}/api/v1/forms:batch`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(forms),
  });
  const body = await res.json().catch(() => null);
  assert.equal(res.status, 202, `POST forms:batch answered ${res.status}: ${JSON.stringify(body)?.slice(0, 400)}`);
  return body.receipts;
}

/** A presidential form the station's ballot limit allows, `lead` well ahead of the others. */
async function pairForm(base, station, choices, lead) {
  const limit = (await trail(base, 'ppwp', station)).ballotLimit;
  const each = Math.max(1, Math.floor(limit / (4 * choices.length)));
  const votes = Object.fromEntries(choices.map((c) => [c, c === lead ? 3 * each : each]));
  const valid = Object.values(votes).reduce((a, b) => a + b, 0);
  return { station, contest: 'ppwp', votes, valid, invalid: 1, total: valid + 1 };
}

/** The leading choice of some votes, as the screens pick it ('' for none counted or a tie). */
function leaderOf(votes) {
  const ranked = Object.entries(votes).sort((a, b) => b[1] - a[1]);
  if (!ranked[0] || ranked[0][1] === 0 || ranked[0][1] === ranked[1]?.[1]) return '';
  return ranked[0][0];
}

function sum(children) {
  const votes = {};
  const stations = { total: 0, reported: 0 };
  for (const c of children) {
    for (const [k, v] of Object.entries(c.votes)) votes[k] = (votes[k] ?? 0) + v;
    stations.total += c.stations.total;
    stations.reported += c.stations.reported;
  }
  return { votes, stations };
}

/** What the map shows, per shape. */
const readMap = () => [...document.querySelectorAll('.province-map .shape')].map((s) => ({
  id: s.dataset.shape, leader: s.dataset.leader, reporting: s.dataset.reporting, members: s.dataset.members,
  region: s.dataset.mapRegion ?? null, label: s.getAttribute('aria-label'), fill: getComputedStyle(s.querySelector('.fill')).fill,
}));

let browser;
const errors = [];

async function open(base, path, viewport = { width: 1440, height: 900 }) {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => errors.push(`${path}: ${e}`));
  await page.goto(`${base}${path}`);
  return page;
}

const live = (page) => page.waitForFunction(() => document.documentElement.dataset.state === 'live', null, { timeout: 15_000 });

/** Waits until the map agrees with the read API's national snapshot at `minVersion` or later; returns both. */
async function mapMatchesApi(page, base, contest, scheme, minVersion) {
  let last = null;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const national = await results(base, contest, '0');
    const shown = await page.evaluate(readMap);
    const version = Number(await page.evaluate(() => document.documentElement.dataset.version));
    const problems = [];
    if (national.version < minVersion || version !== national.version) problems.push(`page at ${version}, API at ${national.version}, form at ${minVersion}`);
    for (const f of SHAPES) {
      const ids = scheme === 'kpu2019' ? [String(f.kpu2019_id)] : f.kode2024;
      const members = national.children.filter((c) => ids.includes(c.id));
      const { votes, stations } = sum(members);
      const s = shown.find((x) => x.id === f.id);
      const pct = (stations.total ? (stations.reported * 100) / stations.total : 0).toFixed(2);
      if (!s) problems.push(`no shape ${f.id}`);
      else if (s.leader !== leaderOf(votes) || s.reporting !== pct || s.members !== members.map((m) => m.id).join(' ')) {
        problems.push(`${f.id}: shows ${s.leader}/${s.reporting}/${s.members}, API ${leaderOf(votes)}/${pct}/${members.map((m) => m.id).join(' ')}`);
      }
    }
    last = problems;
    if (problems.length === 0) return { national, shown };
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`the map does not show the API: ${last.slice(0, 5).join('; ')}`);
}

describe('province map, station view, names and errors', { timeout: 240_000 }, () => {
  const taken = new Set();
  let provinces19 = [];

  before(async () => {
    assert.ok(KEY, 'BROADCAST_INGEST_KEY must be set (e2e/run.sh sets it)');
    browser = await chromium.launch({
      executablePath: process.env.BROADCAST_CHROMIUM ?? '/usr/bin/chromium',
      // The ticker's news page is served by page.route, which Chromium treats as public: let it reach 127.0.0.1.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-features=LocalNetworkAccessChecks'],
    });
  });

  after(async () => {
    await browser?.close();
  });

  test('2019: each province on the map in its leader\'s colour, % reporting, the attribution shown', async () => {
    const national = await results(BASE19, 'ppwp', '0');
    provinces19 = national.children.filter((c) => c.level === 'province' && c.id !== '-99').slice(0, 6);
    const forms = [];
    for (const [i, p] of provinces19.entries()) {
      const { station } = await freshStation(BASE19, 'ppwp', p.id, taken);
      forms.push(await pairForm(BASE19, station, ['01', '02'], i % 2 === 0 ? '01' : '02'));
    }
    const receipts = await post(BASE19, forms);
    assert.deepEqual(receipts.map((r) => r.status), forms.map(() => 'counted'));
    const seq = Math.max(...receipts.map((r) => r.seq));
    const page = await open(BASE19, '/monitor.html?contest=ppwp&region=0&lang=en');
    await live(page);
    await page.waitForSelector('.province-map .shape', { timeout: 10_000 });
    const { shown } = await mapMatchesApi(page, BASE19, 'ppwp', 'kpu2019', seq);
    assert.equal(shown.length, 34);
    // Coloured: a pair's provinces share a fill, the two pairs' differ, and both differ from "no votes".
    const byLeader = (l) => new Set(shown.filter((s) => s.leader === l && Number(s.reporting) > 0).map((s) => s.fill));
    const empty = new Set(shown.filter((s) => s.leader === '').map((s) => s.fill));
    assert.ok(byLeader('01').size > 0 && byLeader('02').size > 0, 'both pairs lead somewhere');
    for (const f of byLeader('01')) assert.ok(!byLeader('02').has(f) && !empty.has(f), `fill ${f} of 01 is not its own`);
    assert.ok(shown.filter((s) => s.leader).every((s) => / leads by [\d.]+ points · [\d.]+% stations reporting$/.test(s.label)), 'each led shape names its leader');
    const attribution = page.locator('.map-attribution');
    assert.equal(await attribution.textContent(), ATTRIBUTION);
    assert.ok(await attribution.isVisible(), 'the attribution is on screen with the map');
    assert.equal(await page.locator('.map-abroad a[data-map-region="-99"]').count(), 1, 'abroad, which has no shape, is linked beside the map');
    await page.screenshot({ path: `${OUT}monitor-map.png` });
    await page.close();
  });

  test('2019: clicking a province on the map drills down like its tile', async () => {
    const target = provinces19[1];
    assert.ok(target, 'the previous test chose provinces');
    const page = await open(BASE19, '/monitor.html?contest=ppwp&region=0&lang=en');
    await live(page);
    await page.locator(`.province-map .shape[data-map-region="${target.id}"]`).click();
    await page.waitForFunction((name) => document.documentElement.dataset.level === 'province'
      && (document.querySelector('#region-title')?.textContent ?? '').replace(/\s+/g, '').toLowerCase() === name, norm(target.name), { timeout: 8000 });
    assert.equal(new URL(page.url()).searchParams.get('region'), target.id);
    await page.goBack();
    await page.waitForSelector('.province-map', { timeout: 5000 });
    await page.close();
  });

  test('2019: a held station says why in its village, and its station view follows the correction', async () => {
    const province = provinces19[2];
    const { station, village } = await freshStation(BASE19, 'ppwp', province.id, taken);
    const good = await pairForm(BASE19, station, ['01', '02'], '02');
    // 100 typed into a pair's box: the pairs no longer add up to the valid votes (R1).
    const typo = { ...good, votes: { ...good.votes, '02': good.votes['02'] + 100 } };
    const [held] = await post(BASE19, [typo]);
    assert.equal(held.status, 'quarantined');
    assert.deepEqual(held.problems, ['R1']);
    const words = held.rules?.R1;
    assert.ok(words && words.length > 10, `the receipt says R1 in words: ${JSON.stringify(held)}`);

    const page = await open(BASE19, `/monitor.html?contest=ppwp&region=${encodeURIComponent(village.id)}&lang=en`);
    await live(page);
    const row = page.locator('.children tbody tr', { has: page.locator(`a[href*="station=${encodeURIComponent(station)}"]`) });
    await row.locator('.held-note').waitFor({ timeout: 10_000 });
    assert.match(await row.locator('.held-note').textContent(), new RegExp(`Held: R1 ${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(await row.locator('.station-state').textContent(), 'Held');

    await row.locator('a').first().click();
    await page.waitForURL(/station\.html/, { timeout: 5000 });
    await page.waitForSelector('.verdict', { timeout: 10_000 });
    assert.equal(await page.locator('.verdict').getAttribute('data-state'), 'held');
    assert.match(await page.locator('.verdict').textContent(), /^Revision 1 is held out of the totals: /);
    assert.ok((await page.locator('.verdict').textContent()).includes(words));
    assert.match(await page.locator('th.rev[data-revision="1"] .findings').textContent(), /R1/);
    assert.equal(norm(await page.locator('#crumbs li:last-child').textContent()), norm(`TPS ${station.split('.').pop()}`));

    // The correction: the page reads the trail again by itself when the village moves.
    const [fixed] = await post(BASE19, [good]);
    assert.equal(fixed.status, 'counted');
    await page.waitForFunction(() => document.querySelector('.verdict')?.dataset.state === 'counted', null, { timeout: 10_000 });
    assert.equal(await page.locator('.verdict').textContent(), 'Revision 2 is counted in the totals.');
    assert.equal(await page.locator('th.rev').count(), 2);
    assert.equal(await page.locator('th.rev[data-counted="true"]').getAttribute('data-revision'), '2');
    // Each number beside the one before: pair 02 went down by the 100 typed too many.
    assert.match(await page.locator('tr[data-row="02"] td').nth(1).textContent(), /−100$/);
    await page.screenshot({ path: `${OUT}station.png` });
    await page.close();
  });

  /** A news page on the server's origin with the built ticker in a 760 px column per region. */
  async function tickerPage(base, regions) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    page.on('pageerror', (e) => errors.push(`ticker: ${e}`));
    await page.route(`${base}/e2e-names.html`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><body style="margin:16px;background:#fff">${regions.map((r) =>
        `<div style="width:760px;margin-bottom:12px"><broadcast-ticker contest="ppwp" region="${r}"></broadcast-ticker></div>`).join('')}
        <script src="${base}/ticker.js"></script></body></html>`,
    }));
    await page.goto(`${base}/e2e-names.html`);
    return page;
  }

  const readTicker = (i) => {
    const el = document.querySelectorAll('broadcast-ticker')[i];
    const root = el?.shadowRoot;
    return {
      state: el?.dataset.state ?? null,
      label: root?.querySelector('.label')?.textContent ?? '',
      role: root?.querySelector('.label')?.getAttribute('role') ?? null,
      names: [...(root?.querySelectorAll('.choice .name') ?? [])].map((n) => ({ text: n.textContent, cut: n.scrollWidth > n.clientWidth + 1, full: n.dataset.full })),
    };
  };

  async function assertTickerNames(page, index, choices) {
    await page.waitForFunction((i) => document.querySelectorAll('broadcast-ticker')[i]?.dataset.version, index, { timeout: 15_000 });
    await page.waitForFunction(([i, n]) => document.querySelectorAll('broadcast-ticker')[i]?.shadowRoot?.querySelectorAll('.name[data-full]').length === n
      && [...document.querySelectorAll('broadcast-ticker')[i].shadowRoot.querySelectorAll('.name')].every((x) => x.dataset.full.includes(' ')), [index, choices.length], { timeout: 10_000 });
    const t = await page.evaluate(readTicker, index);
    assert.deepEqual(t.names.map((n) => n.full), choices.map((c) => c.name));
    for (const n of t.names) {
      assert.ok(!n.cut, `"${n.text}" is cut in a 760 px column`);
      assert.ok(n.text === n.full || n.text === shortName(n.full), `"${n.text}" is neither "${n.full}" nor its first names`);
    }
    return t;
  }

  test('ticker in a 760 px column: whole names or first names, never cut; an unknown region is an error', async () => {
    const election = await getJson(BASE19, '/api/v1/election');
    const page = await tickerPage(BASE19, ['0', 'nowhere-999']);
    const t = await assertTickerNames(page, 0, election.contests.find((c) => c.id === 'ppwp').choices);
    console.log(`# ticker 2019 at 760 px: ${t.names.map((n) => n.text).join(' | ')}`);
    await page.waitForFunction(() => document.querySelectorAll('broadcast-ticker')[1]?.dataset.state === 'notFound', null, { timeout: 10_000 });
    const unknown = await page.evaluate(readTicker, 1);
    assert.equal(unknown.label, '⚠ Unknown region or contest: nowhere-999');
    assert.equal(unknown.role, 'alert');
    await page.screenshot({ path: `${OUT}ticker-names-2019.png` });
    await page.close();
  });

  /** Every line of every pair's name on the lower third is whole, and says what the election says. */
  async function assertOverlayNames(base) {
    const election = await getJson(base, '/api/v1/election');
    const choices = election.contests.find((c) => c.id === 'ppwp').choices;
    const page = await open(base, '/overlay.html?contest=ppwp&region=0', { width: 1920, height: 1080 });
    await page.waitForFunction((n) => document.querySelectorAll('.lt-choice').length === n && document.documentElement.dataset.version, choices.length, { timeout: 15_000 });
    await page.waitForTimeout(300);
    const cells = await page.evaluate(() => [...document.querySelectorAll('.lt-choice')].map((c) => ({
      lines: [...c.querySelectorAll('.lt-name .lt-line')].map((l) => ({ text: l.textContent, scroll: l.scrollWidth, client: l.clientWidth })),
      inside: c.getBoundingClientRect().right <= document.querySelector('#lower-third').getBoundingClientRect().right + 1,
    })));
    assert.deepEqual(cells.map((c) => c.lines.map((l) => l.text)), choices.map((c) => pairLines(c.name)));
    for (const line of cells.flatMap((c) => c.lines)) assert.ok(line.scroll <= line.client, `"${line.text}" is cut: ${line.scroll} > ${line.client}`);
    assert.ok(cells.every((c) => c.inside), 'a cell runs off the lower third');
    await page.screenshot({ path: `${OUT}overlay-names-${election.id}.png`, omitBackground: true });
    await page.close();
  }

  test('2019 lower third at 1920x1080: both pairs\' names whole', () => assertOverlayNames(BASE19));

  test('2024: Papua\'s four provinces are summed onto the old Papua shape, which offers them; abroad has none', async () => {
    const forms = [];
    for (const [code, lead] of [['91', '01'], ['93', '02'], ['94', '02'], ['95', '03'], ['96', '01'], ['11', '03'], ['31', '01']]) {
      const { station } = await freshStation(BASE24, 'ppwp', code, taken);
      forms.push(await pairForm(BASE24, station, ['01', '02', '03'], lead));
    }
    const receipts = await post(BASE24, forms);
    assert.deepEqual(receipts.map((r) => r.status), forms.map(() => 'counted'));
    const page = await open(BASE24, '/monitor.html?contest=ppwp&region=0&lang=en');
    await live(page);
    await page.waitForSelector('.province-map .shape', { timeout: 10_000 });
    const { shown } = await mapMatchesApi(page, BASE24, 'ppwp', 'kode2024', Math.max(...receipts.map((r) => r.seq)));
    const papua = shown.find((s) => s.id === '91');
    assert.equal(papua.members, '91 93 94 95');
    assert.equal(papua.region, null, 'the Papua shape does not open province 91 alone');
    assert.match(papua.label, /^Papua \(4 provinces\): /);
    assert.equal(shown.find((s) => s.id === '92').members, '92 96');
    await page.locator('.province-map .shape[data-shape="91"]').click();
    const offered = await page.locator('.map-chooser a').evaluateAll((as) => as.map((a) => a.dataset.mapRegion));
    assert.deepEqual(offered, ['91', '93', '94', '95']);
    await page.locator('.map-chooser a[data-map-region="93"]').click();
    await page.waitForFunction(() => document.documentElement.dataset.region === '93' && document.documentElement.dataset.level === 'province', null, { timeout: 8000 });
    assert.equal(await page.locator('#region-title').textContent(), 'Papua Selatan');
    await page.close();
  });

  test('2024: the ticker in a 760 px column and the lower third show all three pairs\' names whole', async () => {
    const election = await getJson(BASE24, '/api/v1/election');
    const page = await tickerPage(BASE24, ['0']);
    const t = await assertTickerNames(page, 0, election.contests.find((c) => c.id === 'ppwp').choices);
    console.log(`# ticker 2024 at 760 px: ${t.names.map((n) => n.text).join(' | ')}`);
    await page.screenshot({ path: `${OUT}ticker-names-2024.png` });
    await page.close();
    await assertOverlayNames(BASE24);
  });

  test('2024 DPR: the map colours each province by its leading party', async () => {
    const { station } = await freshStation(BASE24, 'dpr', '64', taken);
    const dapils = await getJson(BASE24, '/api/v1/election/dpr/parliaments');
    const dapil = dapils[0].dapils.find((d) => d.code.startsWith('64'));
    const ballot = await results(BASE24, 'dpr', dapil.id);
    const lead = Object.keys(ballot.votes)[2];
    const votes = Object.fromEntries(Object.keys(ballot.votes).map((p) => [p, { party: p === lead ? 150 : 0, candidates: {} }]));
    for (const c of ballot.candidates) votes[c.party].candidates[String(c.number)] = 0;
    const [receipt] = await post(BASE24, [{ station, contest: 'dpr', votes, valid: 150, invalid: 0, total: 150 }]);
    assert.equal(receipt.status, 'counted');
    const page = await open(BASE24, '/monitor.html?contest=dpr&region=0&lang=en');
    await live(page);
    await page.waitForSelector('.province-map .shape', { timeout: 10_000 });
    const { national } = await mapMatchesApi(page, BASE24, 'dpr', 'kode2024', receipt.seq);
    assert.equal(leaderOf(national.children.find((c) => c.id === '64').votes), (await page.evaluate(readMap)).find((s) => s.id === '64').leader);
    assert.notEqual((await page.evaluate(readMap)).find((s) => s.id === '64').leader, '');
    await page.screenshot({ path: `${OUT}monitor-map-dpr.png` });
    await page.close();
  });

  test('no page error on any of these pages', () => {
    assert.deepEqual(errors, []);
  });
});
