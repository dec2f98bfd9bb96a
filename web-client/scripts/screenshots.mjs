// Takes the README's screenshots of the screens from a running server (ideally in demo mode:
// dotnet run --project src/Broadcast.Server -- --demo, a few minutes into the night).
//   BROADCAST_URL=http://127.0.0.1:5000 node scripts/screenshots.mjs
// With BROADCAST_OPERATOR_KEY (the server's), also the operator console (operator.png).
// BROADCAST_STATION (default 11037.3: a 2019 form held for R1, then corrected, about five minutes into the demo) picks the station view.
import { chromium } from 'playwright-core';

const BASE = process.env.BROADCAST_URL ?? 'http://127.0.0.1:5000';
const STATION = process.env.BROADCAST_STATION ?? '11037.3';
const OUT = new URL('../../docs/screenshots/', import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const shots = [
  { file: 'monitor.png', path: '/monitor.html?contest=ppwp&region=0&lang=en', viewport: { width: 1440, height: 900 } },
  // The province map beside the tiles (the element only).
  { file: 'monitor-map.png', path: '/monitor.html?contest=ppwp&region=0&lang=en', viewport: { width: 1440, height: 900 }, element: '.map-panel' },
  { file: 'monitor-regency.png', path: '/monitor.html?contest=ppwp&region=26141&lang=id', viewport: { width: 1440, height: 900 } },
  { file: 'station.png', path: `/station.html?contest=ppwp&station=${STATION}&lang=en`, viewport: { width: 1280, height: 640 } },
  { file: 'overlay.png', path: '/overlay.html?contest=ppwp&region=0', viewport: { width: 1920, height: 1080 }, transparent: true },
  { file: 'ticker.png', path: '/index.html', viewport: { width: 1280, height: 720 } },
];
for (const shot of shots) {
  const page = await browser.newPage({ viewport: shot.viewport });
  await page.goto(`${BASE}${shot.path}`);
  await page.waitForTimeout(3000);
  const target = shot.element ? page.locator(shot.element) : page;
  await target.screenshot({ path: `${OUT}${shot.file}`, omitBackground: Boolean(shot.transparent) });
  await page.close();
}
// The operator console, signed in (its secret put where the page keeps it: this tab's sessionStorage).
if (process.env.BROADCAST_OPERATOR_KEY) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript((secret) => sessionStorage.setItem('broadcast.operator.secret', secret), process.env.BROADCAST_OPERATOR_KEY);
  await page.goto(`${BASE}/operator.html?lang=en`);
  await page.waitForSelector('.queue-item, #panel-queue .empty', { timeout: 15000 });
  await page.waitForTimeout(4500);
  await page.screenshot({ path: `${OUT}operator.png` });
  await page.close();
}
await browser.close();
console.log(`screenshots written to ${OUT}`);
