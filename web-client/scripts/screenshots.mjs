// Takes the README's screenshots of the three screens from a running server (ideally in demo
// mode: dotnet run --project src/Broadcast.Server -- --demo).
//   BROADCAST_URL=http://127.0.0.1:5000 node scripts/screenshots.mjs
import { chromium } from 'playwright-core';

const BASE = process.env.BROADCAST_URL ?? 'http://127.0.0.1:5000';
const OUT = new URL('../../docs/screenshots/', import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const shots = [
  { file: 'monitor.png', path: '/monitor.html?contest=ppwp&region=0&lang=en', viewport: { width: 1440, height: 900 } },
  { file: 'monitor-regency.png', path: '/monitor.html?contest=ppwp&region=26141&lang=id', viewport: { width: 1440, height: 900 } },
  { file: 'overlay.png', path: '/overlay.html?contest=ppwp&region=0', viewport: { width: 1920, height: 1080 }, transparent: true },
  { file: 'ticker.png', path: '/index.html', viewport: { width: 1280, height: 720 } },
];
for (const shot of shots) {
  const page = await browser.newPage({ viewport: shot.viewport });
  await page.goto(`${BASE}${shot.path}`);
  await page.waitForTimeout(3000);
  await page.screenshot({ path: `${OUT}${shot.file}`, omitBackground: Boolean(shot.transparent) });
  await page.close();
}
await browser.close();
console.log(`screenshots written to ${OUT}`);
