// End-to-end, in real Chromium against a real rehearsal server: an operator runs a rehearsal
// night from the console alone. Signs in with their own secret; creates an ingest key and
// posts forms with the secret the page showed once; decides on the held ones in the review
// queue; holds the contest (viewers' numbers freeze, `held`), releases it (they move); rebuilds,
// reconciles, aggregates; revokes the key (a post with it is then 401); watches the live panel
// (forms/s, viewers) and the operator actions; resets the rehearsal.
//   BROADCAST_REHEARSAL_URL=... BROADCAST_OPERATOR_KEY=... node --test e2e/operator.e2e.mjs
// (docs/screenshots/operator.png comes from scripts/screenshots.mjs in demo mode, a fuller queue.)
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.BROADCAST_REHEARSAL_URL ?? 'http://127.0.0.1:5082').replace(/\/+$/, '');
const OPERATOR = process.env.BROADCAST_OPERATOR_KEY ?? '';
const OUT = process.env.BROADCAST_E2E_RESULTS ? `${process.env.BROADCAST_E2E_RESULTS.replace(/\/+$/, '')}/` : fileURLToPath(new URL('../test-results/', import.meta.url));
mkdirSync(OUT, { recursive: true });

/** Names as the page writes them may differ from the data's in case and spacing. */
const norm = (s) => String(s ?? '').replace(/\s+/g, '').toLowerCase();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(path, { method = 'GET', body, secret } = {}) {
  const headers = { Accept: 'application/json' };
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${BASE}${path}`, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
async function getJson(path, secret) {
  const { status, body } = await call(path, { secret });
  assert.equal(status, 200, `GET ${path} answered ${status}: ${JSON.stringify(body)?.slice(0, 300)}`);
  return body;
}
const national = () => getJson('/api/v1/results/ppwp/0');
const status = () => getJson('/api/v1/operator/status', OPERATOR);

/** Waits until `check` returns something truthy (polling), or fails saying what it waited for. */
async function until(what, check, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await sleep(250);
  }
  assert.fail(`waited ${timeout} ms for ${what}`);
}

/** Polling stations of one village, none reported yet (the rehearsal starts empty). */
async function villageStations() {
  let region = '0';
  for (;;) {
    const snap = await getJson(`/api/v1/results/ppwp/${encodeURIComponent(region)}`);
    const tps = snap.children.filter((c) => c.level === 'tps' && c.stations.reported === 0 && c.stations.quarantined === 0);
    if (tps.length >= 8) return { village: snap.region, stations: tps.map((c) => c.id), path: [...snap.parents, snap.region] };
    const next = snap.children.filter((c) => c.level !== 'tps' && c.stations.reported === 0 && c.id !== '-99')
      .sort((x, y) => y.stations.total - x.stations.total)[0];
    assert.ok(next, `no fresh region under ${region}`);
    region = next.id;
  }
}

/** A presidential form within the station's ballot limit. */
async function form(station, lead) {
  const limit = (await getJson(`/api/v1/stations/${encodeURIComponent(station)}/forms/ppwp`)).ballotLimit;
  const each = Math.max(1, Math.floor(limit / 8));
  const votes = { '01': lead === '01' ? 3 * each : each, '02': lead === '02' ? 3 * each : each };
  const valid = votes['01'] + votes['02'];
  return { station, contest: 'ppwp', votes, valid, invalid: 1, total: valid + 1, limit };
}

async function postForm(secret, body) {
  const { limit, ...sent } = body;
  void limit;
  const res = await call('/api/v1/forms', { method: 'POST', secret, body: sent });
  return res;
}

let browser;
let page;
const consoleLines = [];
const errors = [];

describe('an operator can run a rehearsal night from the console alone', { timeout: 300_000 }, () => {
  let stations;
  let keyId;
  let secret;
  let heldR1;
  let heldR3;

  before(async () => {
    assert.ok(OPERATOR, 'BROADCAST_OPERATOR_KEY must be set (e2e/run.sh sets it)');
    const election = await getJson('/api/v1/election');
    assert.equal(election.rehearsal, true, `${BASE} must be a rehearsal server (--rehearsal)`);
    stations = await villageStations();
    browser = await chromium.launch({
      executablePath: process.env.BROADCAST_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
    page = await context.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
  });

  test('the landing page links the console; a wrong secret is refused (401); the right one signs in', async () => {
    await page.goto(`${BASE}/`);
    await page.locator('a[href="./operator.html"]').click();
    await page.waitForURL(/operator\.html/);
    await page.goto(`${BASE}/operator.html?lang=en`);
    const notice = page.locator('#notice');
    await notice.waitFor({ state: 'visible' });
    assert.match(await notice.textContent(), /REHEARSAL · LATIHAN/);
    const secretBox = page.getByLabel('Operator secret');
    await secretBox.fill(`${OPERATOR}-not`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong secret: the server refused it (401).').waitFor();
    assert.equal(await secretBox.getAttribute('aria-invalid'), 'true');
    await secretBox.fill(OPERATOR);
    await secretBox.press('Enter');
    await page.locator('#operator-id').filter({ hasText: 'operator' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('broadcast.operator.secret')), OPERATOR);
    assert.ok(!(await page.content()).includes(OPERATOR), 'the secret is not on the page');
    assert.equal(await page.locator('nav.tabs a[data-tab="rehearsal"]').count(), 1, 'a rehearsal offers its reset');
    // A reload keeps the session (this tab's sessionStorage).
    await page.reload();
    await page.locator('#operator-id').filter({ hasText: 'operator' }).waitFor();
  });

  test('creates an ingest key: problems by field, then the secret shown once with a copy button', async () => {
    await page.locator('nav.tabs a[data-tab="keys"]').click();
    const create = page.locator('form.create-key');
    keyId = `e2e-app-${Date.now().toString(36)}`;
    await create.getByLabel('Key id').fill(keyId);
    await create.getByRole('button', { name: 'Create a key' }).click();
    await create.locator('[data-field="reason"] .field-error').filter({ hasText: 'A reason is required' }).waitFor();
    // The server's refusal (422) is shown under the field it names.
    await create.getByLabel('Regions (ids, comma-separated)').fill('1, no-such-region');
    await create.getByLabel('Reason').fill('counting app of the rehearsal');
    await create.getByRole('button', { name: 'Create a key' }).click();
    await create.locator('[data-field="regions"] .field-error').filter({ hasText: 'regions[1]: is not a region id' }).waitFor();
    await create.getByLabel('Regions (ids, comma-separated)').fill('');
    await create.getByLabel('ppwp').check();
    await create.getByRole('button', { name: 'Create a key' }).click();
    const panel = page.locator('.secret-panel');
    await panel.waitFor();
    assert.match(await panel.textContent(), /it will not be shown again/);
    secret = await panel.locator('input.secret').inputValue();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    await panel.getByRole('button', { name: 'Copy' }).click();
    await panel.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await panel.getByRole('button', { name: 'I have stored it' }).click();
    await panel.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page');
    const row = page.locator(`tr[data-key-id="${keyId}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Contests: ppwp/);
    assert.match(await row.textContent(), /operator.*counting app of the rehearsal/);
    assert.equal(await page.locator('tr[data-key-id="env"][data-source="config"]').count(), 1, 'the configured key is listed, read-only');
    assert.equal(await page.locator('tr[data-key-id="env"] button').count(), 0);
  });

  test('forms posted with that secret; the held ones wait in the review queue, the live panel shows forms/s', async () => {
    const [a, b, c, d] = stations.stations;
    for (const [station, lead] of [[a, '01'], [b, '02'], [c, '01']]) {
      const res = await postForm(secret, await form(station, lead));
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.status, 'counted');
    }
    // A correction with a typo: the pairs no longer add up to the valid votes (R1).
    const good = await form(c, '01');
    heldR1 = await postForm(secret, { ...good, votes: { ...good.votes, '02': good.votes['02'] + 100 } });
    // More ballots than the station may have (R3), at a station with nothing counted.
    const big = await form(d, '02');
    const over = big.limit + 50;
    heldR3 = await postForm(secret, { ...big, votes: { '01': 50, '02': over - 50 }, valid: over, invalid: 0, total: over });
    assert.deepEqual([heldR1.body.status, heldR3.body.status], ['quarantined', 'quarantined']);
    await page.waitForFunction(() => Number(document.getElementById('live')?.dataset.formsPerSecond) > 0, null, { timeout: 15_000 });

    await page.locator('nav.tabs a[data-tab="queue"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.queue-item').length === 2, null, { timeout: 15_000 });
    assert.match(await page.locator('#panel-queue .count').textContent(), /1–2 of 2 stations awaiting a decision/);
    const item = page.locator(`.queue-item[data-station="${c}"]`);
    const text = await item.textContent();
    assert.match(text, /R1 the choices' votes do not add up to the valid votes/);
    assert.match(text, /Counted \(revision 1\)/);
    assert.match(text, /Held \(revision 2\)/);
    const path = (await item.locator('.path').textContent()).split(' › ');
    assert.equal(path.length, 4, 'province to village');
    assert.equal(norm(path.at(-1)), norm(stations.village.name));
    assert.equal(await item.locator('tr[data-row="02"] .change').textContent(), '+100');
    assert.equal(await item.locator('tr[data-row="01"] .change').textContent(), '');
    const href = await item.getByRole('link', { name: 'Station view' }).getAttribute('href');
    assert.equal(href, `station.html?contest=ppwp&station=${encodeURIComponent(c)}&lang=en`);
    assert.match(await page.locator(`.queue-item[data-station="${d}"]`).textContent(), /Counted: none.*R3|R3.*Counted: none/s);
    await page.screenshot({ path: `${OUT}operator-queue.png`, fullPage: true });
  });

  test('accepts one and rejects the other with a reason; the queue empties', async () => {
    const [, , c, d] = stations.stations;
    const first = page.locator(`.queue-item[data-station="${c}"]`);
    await first.getByRole('button', { name: 'Accept' }).click();
    await first.locator('[data-field="reason"] .field-error').filter({ hasText: 'A reason is required' }).waitFor();
    assert.equal(await first.getByLabel('Reason').evaluate((e) => e === document.activeElement), true, 'the reason is focused');
    await first.getByLabel('Reason').fill('photo of the C1 shows these numbers');
    await first.getByRole('button', { name: 'Accept' }).click();
    await page.locator('#panel-queue .result').filter({ hasText: `${c}: revision 2 accepted and counted` }).waitFor();
    const second = page.locator(`.queue-item[data-station="${d}"]`);
    await second.getByLabel('Reason').fill('more ballots than voters: asked the PPS to recount');
    await second.getByLabel('Reason').press('Enter'); // the form's first button: accept
    await page.locator('#panel-queue .result').filter({ hasText: `${d}: revision 1 accepted` }).waitFor();
    const trailD = await getJson(`/api/v1/stations/${d}/forms/ppwp`);
    assert.equal(trailD.revisions.at(-1).status, 'counted', 'Enter submits with the first button (accept)');
    // Held again by a newer form, then rejected from the queue.
    const again = await postForm(secret, { ...(await form(d, '02')), votes: { '01': 1, '02': 1 }, valid: 5, invalid: 0, total: 5 });
    assert.equal(again.body.status, 'quarantined');
    await page.locator('#panel-queue button.refresh').click();
    const third = page.locator(`.queue-item[data-station="${d}"]`);
    await third.waitFor();
    await third.getByLabel('Reason').fill('the pairs do not add up; the PPS will send a correction');
    await third.getByRole('button', { name: 'Reject' }).click();
    await page.locator('#panel-queue .result').filter({ hasText: `${d}: revision 3 rejected` }).waitFor();
    await page.locator('#panel-queue .empty').filter({ hasText: 'No station awaits a decision.' }).waitFor({ timeout: 15_000 });
    const trailC = await getJson(`/api/v1/stations/${c}/forms/ppwp`);
    assert.deepEqual([trailC.revisions.at(-1).status, trailC.revisions.at(-1).submitter, trailC.revisions.at(-1).reason],
      ['counted', 'operator:operator', 'photo of the C1 shows these numbers']);
    const last = (await getJson(`/api/v1/stations/${d}/forms/ppwp`)).revisions.at(-1);
    assert.deepEqual([last.status, last.reason], ['rejected', 'the pairs do not add up; the PPS will send a correction']);
  });

  test('holds the contest: viewers see it held and unchanged while forms arrive; the release moves the numbers', async () => {
    const tab = page.locator('nav.tabs a[data-tab="holds"]');
    await tab.focus();
    await page.keyboard.press('Enter');
    const take = page.locator('form.take-hold');
    await take.waitFor({ state: 'visible' });
    // Picked by name: the province's id goes into the region box.
    const province = stations.path[1];
    const provinceSelect = take.locator('select[data-depth="0"]');
    await provinceSelect.waitFor();
    await provinceSelect.selectOption(province.id);
    await until('the picked province in the region box', async () => (await take.getByLabel('Region id').inputValue()) === province.id);
    await take.locator('select[data-depth="1"]').waitFor();
    // The server names a bad region (422).
    await take.getByLabel('Region id').fill('no-such-region');
    await take.getByLabel('Reason').fill('on air at 19:00');
    await take.getByRole('button', { name: 'Hold publication' }).click();
    await take.locator('[data-field="region"] .field-error').filter({ hasText: 'must be the id of a region' }).waitFor();
    await take.getByLabel('Region id').fill('0');
    await take.getByRole('button', { name: 'Hold publication' }).click();
    await page.locator('#panel-holds .result').filter({ hasText: /ppwp in Indonesia held at seq \d+/ }).waitFor();
    const row = page.locator('table.holds tr[data-contest="ppwp"][data-region="0"]');
    await row.waitFor();
    assert.match(await row.textContent(), /operator.*on air at 19:00/);

    const before = await national();
    assert.ok(before.held, 'the public snapshot says it is held');
    const [, , , , e, f] = stations.stations;
    const posted = [];
    for (const [station, lead] of [[e, '01'], [f, '01']]) posted.push((await postForm(secret, await form(station, lead))).body);
    const seq = Math.max(...posted.map((r) => r.seq));
    await until('the totals folded the new forms', async () => (await status()).checkpoint >= seq);
    const during = await national();
    assert.deepEqual([during.votes, during.stations.reported, during.version], [before.votes, before.stations.reported, before.version]);
    assert.ok(during.held);

    await row.getByLabel(/Reason/).fill('off air');
    await row.getByRole('button', { name: 'Release' }).click();
    await page.locator('#panel-holds .result').filter({ hasText: 'ppwp in Indonesia released.' }).waitFor();
    await page.locator('#panel-holds .empty').filter({ hasText: 'No holds.' }).waitFor();
    const moved = await until('the numbers move after the release', async () => {
      const now = await national();
      return !now.held && now.version >= seq && now.stations.reported >= before.stations.reported + 2 ? now : null;
    });
    assert.ok(moved.votes['01'] > before.votes['01']);
  });

  test('rebuilds with a reason (spinner, then the result), reconciles (no drift), aggregates', async () => {
    await page.locator('nav.tabs a[data-tab="totals"]').click();
    const panel = page.locator('#panel-totals');
    await panel.getByRole('button', { name: 'Rebuild every total' }).click();
    await panel.locator('[data-field="reason"] .field-error').filter({ hasText: 'A reason is required' }).waitFor();
    await page.evaluate(() => {
      window.sawSpinner = false;
      new MutationObserver(() => { if (document.querySelector('#panel-totals .spinner')) window.sawSpinner = true; })
        .observe(document.getElementById('panel-totals'), { childList: true, subtree: true });
    });
    await panel.getByLabel('Reason').fill('rehearse the rebuild');
    await panel.getByRole('button', { name: 'Rebuild every total' }).click();
    const report = panel.locator('.report[data-kind="rebuild"]');
    await report.waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.sawSpinner), true, 'a spinner ran while the rebuild did');
    const text = await report.textContent();
    const epoch = (await national()).epoch;
    assert.ok(text.includes(`Epoch${epoch}`), `the new epoch ${epoch} in "${text}"`);
    assert.match(text, /Took[\d.]+ (ms|s)/);

    await panel.getByRole('button', { name: 'Reconcile' }).click();
    await panel.locator('.report[data-kind="reconcile"] .no-drift').filter({ hasText: 'No drift.' }).waitFor({ timeout: 60_000 });
    assert.match(await panel.locator('.report').textContent(), /Groups compared[\d,]+/);
    await panel.getByRole('button', { name: 'Aggregate now' }).click();
    await panel.locator('.report[data-kind="aggregate"]').filter({ hasText: 'Aggregation done.' }).waitFor();
  });

  test('revokes the key with a reason; a post with it is refused (401)', async () => {
    await page.locator('nav.tabs a[data-tab="keys"]').click();
    const row = page.locator(`tr[data-key-id="${keyId}"]`);
    await row.getByRole('button', { name: 'Change' }).click();
    const change = page.locator('form.key-change');
    await change.getByLabel('Require signatures').check();
    await change.getByLabel('Reason').fill('signatures from now on');
    await change.getByRole('button', { name: 'Save' }).click();
    await page.locator('#panel-keys .result').filter({ hasText: `Key ${keyId} changed.` }).waitFor();
    await until('the change listed', async () => (await row.locator('td').nth(2).textContent()) === 'yes');
    const bearer = await postForm(secret, await form(stations.stations[6], '01'));
    assert.equal(bearer.status, 401, 'a key that requires signatures refuses its secret as a bearer');
    assert.match(bearer.body.type, /signature-required/);

    await row.getByRole('button', { name: 'Revoke' }).click();
    const revoke = page.locator('form.key-revoke');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await revoke.locator('[data-field="reason"] .field-error').waitFor();
    await revoke.getByLabel('Reason').fill('phone lost at the rehearsal');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await page.locator(`tr[data-key-id="${keyId}"][data-revoked="true"]`).waitFor();
    assert.match(await page.locator(`tr[data-key-id="${keyId}"]`).textContent(), /revoked.*phone lost at the rehearsal/s);
    const refused = await postForm(secret, await form(stations.stations[7], '01'));
    assert.equal(refused.status, 401);
  });

  test('the live panel shows viewers and the operator actions; the labels switch to Indonesian', async () => {
    const viewer = await page.context().newPage();
    await viewer.goto(`${BASE}/monitor.html?contest=ppwp&region=0`);
    await page.waitForFunction(() => Number(document.getElementById('live')?.dataset.viewers) >= 1, null, { timeout: 15_000 });
    assert.match(await page.locator('#live [data-figure="viewers"]').textContent(), /Viewers[1-9]/);
    assert.equal(await page.locator('#live').getAttribute('data-chain'), 'ok');
    const actions = await page.locator('#live .actions li').evaluateAll((items) => items.map((i) => i.dataset.action));
    for (const a of ['ingest-key-create', 'hold', 'release', 'rebuild', 'ingest-key-change', 'ingest-key-revoke']) assert.ok(actions.includes(a), `${a} in ${actions}`);
    assert.match(await page.locator('#live .actions li[data-action="release"]').first().textContent(), /operator · Release ppwp 0\s*off air/);
    await viewer.close();

    await page.getByRole('button', { name: 'ID', exact: true }).click();
    await page.locator('nav.tabs a[data-tab="queue"]').filter({ hasText: 'Antrean tinjauan' }).waitFor();
    assert.match(await page.locator('#live h2').textContent(), /Panel langsung/);
    assert.match(await page.locator('#who').textContent(), /Masuk sebagai/);
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.locator('nav.tabs a[data-tab="queue"]').filter({ hasText: 'Review queue' }).waitFor();
  });

  test('resets the rehearsal after a confirmation; every count starts again from nothing', async () => {
    await page.locator('nav.tabs a[data-tab="rehearsal"]').click();
    const panel = page.locator('#panel-rehearsal');
    await panel.getByLabel('Reason').fill('second run-through at 14:00');
    await panel.getByRole('button', { name: 'Reset rehearsal' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.ok((await national()).stations.reported > 0, 'cancel changes nothing');
    await panel.getByRole('button', { name: 'Reset rehearsal' }).click();
    await dialog.getByRole('button', { name: 'Yes, reset' }).click();
    await panel.locator('.result').filter({ hasText: 'Rehearsal reset.' }).waitFor({ timeout: 60_000 });
    const after = await until('an empty count', async () => { const n = await national(); return n.stations.reported === 0 ? n : null; });
    assert.deepEqual(after.votes, { '01': 0, '02': 0 });
    await page.locator('#live .actions li[data-action="rehearsal-reset"]').first().filter({ hasText: 'second run-through at 14:00' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Operator secret').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('broadcast.operator.secret')), null);
  });

  test('no page error, and no secret in the browser console', () => {
    assert.deepEqual(errors, []);
    for (const line of consoleLines) {
      assert.ok(!line.includes(OPERATOR) && !(secret && line.includes(secret)), `a secret in the console: ${line}`);
    }
  });
});
