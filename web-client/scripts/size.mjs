// Prints the gzipped size of the embeddable ticker and fails the build over budget:
// news sites load it on article pages, so it must stay small (SignalR client included).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1024;
const file = fileURLToPath(new URL('../../src/Broadcast.Server/wwwroot/ticker.js', import.meta.url));
const raw = readFileSync(file);
const gz = gzipSync(raw, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`ticker.js: ${kb(raw.length)} raw, ${kb(gz)} gzipped (budget ${kb(BUDGET)})`);
// vite.ticker.config.ts asks esbuild for ASCII output, but esbuild leaves regular expression
// literals as written: a "–" in one turns into mojibake on a page that is not UTF-8.
const nonAscii = raw.findIndex((b) => b > 0x7f);
if (nonAscii >= 0) {
  console.error(`ticker.js is not pure ASCII at byte ${nonAscii}: ...${raw.subarray(Math.max(0, nonAscii - 40), nonAscii + 20).toString('utf8')}... (write \\u escapes)`);
  process.exit(1);
}
if (gz > BUDGET) {
  console.error(`ticker.js is over budget by ${kb(gz - BUDGET)}`);
  process.exit(1);
}
