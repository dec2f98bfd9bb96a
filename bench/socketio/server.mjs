#!/usr/bin/env node
// A minimal Socket.IO 4 broadcaster doing Broadcast's fan-out: viewers emit `subscribe` with a
// room name and join it; the one process started with --publish runs an "aggregation" every
// --interval ms and emits one TotalsChanged per changed group to that group's room. The Redis
// adapter carries each emit to the other processes, which deliver it to their own viewers.
//
//   node server.mjs --port 5401 --redis redis://127.0.0.1:6396 --publish
//   node server.mjs --port 5402 --redis redis://127.0.0.1:6396
//
// Prints one JSON line of counters every --stats-every seconds and one at exit (SIGTERM/SIGINT).

import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import {
  NATIONAL, RegionTotals, allRooms, buildCatalog, nowMs, prng, roomOf, totalsChanged,
} from './workload.mjs';

const HELP = `usage: node server.mjs [options]
  --port <n>                 listen port (default 5401)
  --host <addr>              listen address (default 127.0.0.1)
  --redis <url>              Redis for the adapter (default redis://127.0.0.1:6396); "none" = no adapter
  --publish                  this process is the aggregator: it emits the TotalsChanged messages
  --interval <ms>            time between the starts of two runs (default 200, i.e. 5 runs/s)
  --provinces <n>            provinces in the catalog (default 35)
  --regencies <n>            regencies in the catalog (default 644)
  --provinces-per-run <n>    provinces changed per run (default 33)
  --regencies-per-run <n>    regencies changed per run (default 218)
  --children <n>             at most this many changed children per message (default 3)
  --forms-per-run <n>        forms folded per run, spread over the changed regencies (default 400)
  --seed <n>                 seed of the publisher's choices (default 2019)
  --stats-every <s>          seconds between stats lines (default 5)
  --keep-request             keep each session's first HTTP request in memory (Socket.IO's default;
                             by default this server drops it, as Socket.IO's memory-usage guide advises)`;

const { values: o } = parseArgs({
  options: {
    port: { type: 'string', default: '5401' },
    host: { type: 'string', default: '127.0.0.1' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6396' },
    publish: { type: 'boolean', default: false },
    interval: { type: 'string', default: '200' },
    provinces: { type: 'string', default: '35' },
    regencies: { type: 'string', default: '644' },
    'provinces-per-run': { type: 'string', default: '33' },
    'regencies-per-run': { type: 'string', default: '218' },
    children: { type: 'string', default: '3' },
    'forms-per-run': { type: 'string', default: '400' },
    seed: { type: 'string', default: '2019' },
    'stats-every': { type: 'string', default: '5' },
    'keep-request': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (o.help) { console.log(HELP); process.exit(0); }

const int = (name) => {
  const v = Number(o[name]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
  return v;
};
const port = int('port');
const interval = int('interval');
const catalog = buildCatalog({ provinces: int('provinces'), regencies: int('regencies') });
const provincesPerRun = Math.min(int('provinces-per-run'), catalog.province.length);
const regenciesPerRun = Math.min(int('regencies-per-run'), catalog.regency.length);
const maxChildren = int('children');
const formsPerRun = int('forms-per-run');
const rooms = allRooms(catalog);

const httpServer = createServer((req, res) => { res.writeHead(404).end(); });
const io = new Server(httpServer, {
  transports: ['websocket'], // WebSocket only, no long-polling upgrade dance
  serveClient: false,
  perMessageDeflate: false, // the default, stated: Broadcast does not compress either
  maxHttpBufferSize: 4096, // viewers only send `subscribe`
});

// Nothing here needs the handshake request after the connection is made (no sessions, no cookies).
if (!o['keep-request']) io.engine.on('connection', (rawSocket) => { rawSocket.request = null; });

let redisClients = [];
if (o.redis !== 'none') {
  const pub = createClient({ url: o.redis });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', (e) => console.error(`redis: ${e.message}`));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
  redisClients = [pub, sub];
}

const counters = { connects: 0, disconnects: 0, subscribes: 0, badSubscribes: 0 };
io.on('connection', (socket) => {
  counters.connects++;
  socket.on('subscribe', (room, ack) => {
    if (typeof room !== 'string' || !rooms.has(room)) {
      counters.badSubscribes++;
      if (typeof ack === 'function') ack({ ok: false, error: 'unknown group' });
      return;
    }
    socket.join(room);
    counters.subscribes++;
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('disconnect', () => { counters.disconnects++; });
});

// ---- the publisher ("aggregator") ----

const pubStats = { runs: 0, emits: 0, runMsTotal: 0, runMsMax: 0, lateStarts: 0 };
// Mean WebSocket payload per kind of message ("42" + JSON, as Socket.IO frames an event),
// measured on every 25th run outside the timed emits' way.
const sizes = { national: 0, province: 0, regency: 0 };
function measureSizes(deltas) {
  const sum = { national: 0, province: 0, regency: 0 };
  const n = { national: 0, province: 0, regency: 0 };
  for (const [, message, kind] of deltas) {
    sum[kind] += Buffer.byteLength(`42${JSON.stringify(['TotalsChanged', message])}`);
    n[kind]++;
  }
  for (const kind in sum) if (n[kind]) sizes[kind] = Math.round(sum[kind] / n[kind]);
}
let timer;

function startPublisher() {
  const random = prng(int('seed'));
  const epoch = Math.floor(random() * 2 ** 52).toString(16).padStart(13, '0');
  const national = new RegionTotals(NATIONAL, 'IDN', 'nasional', 813_336);
  const provinces = new Map(catalog.province.map((p) => [p.id, new RegionTotals(p.id, p.name, p.level, 23_000)]));
  const regencies = new Map(catalog.regency.map((r) => [r.id, new RegionTotals(r.id, r.name, r.level, 1_260)]));
  // Regencies' children are districts; a regency message carries `maxChildren` made-up ones.
  const districts = new Map(catalog.regency.map((r) => [r.id,
    Array.from({ length: maxChildren }, (_, i) => new RegionTotals(`${r.id}${String(i + 1).padStart(2, '0')}`, `KECAMATAN ${r.id}${i + 1}`, 'kecamatan', 90))]));

  const sample = (list, n) => { // partial Fisher-Yates: n distinct random items
    const a = list.slice();
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(random() * (a.length - i));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, n);
  };

  let version = 0;
  let nextStart = nowMs();
  const run = () => {
    const start = nowMs();
    if (start - nextStart > interval / 2) pubStats.lateStarts++;
    version++;
    // Which groups changed in this run (the same for every run's shape, random members).
    // Regencies change only inside changed provinces, as forms would make them.
    const changedProvinces = sample(catalog.province, provincesPerRun);
    const changedProvinceIds = new Set(changedProvinces.map((p) => p.id));
    const changedRegencies = sample(changedProvinces.flatMap((p) => p.regencies), regenciesPerRun);
    const formsEach = Math.max(1, Math.round(formsPerRun / Math.max(1, changedRegencies.length)));

    const deltas = []; // [room, message, kind]
    const bump = (totals, forms) => {
      const prev = totals.version;
      totals.grow(forms, random);
      totals.version = version;
      return prev;
    };
    const nationalPrev = bump(national, formsPerRun);
    const provinceChildren = new Map(); // province id -> changed regencies' child rows
    for (const r of changedRegencies) {
      const totals = regencies.get(r.id);
      const prev = bump(totals, formsEach);
      const children = districts.get(r.id).map((d) => { d.grow(1, random); return d.child(); });
      deltas.push([roomOf(r.id), totalsChanged(epoch, totals, prev, children), 'regency']);
      let list = provinceChildren.get(r.parent);
      if (!list) provinceChildren.set(r.parent, list = []);
      if (list.length < maxChildren) list.push(totals.child());
    }
    const nationalChildren = [];
    for (const id of changedProvinceIds) {
      const totals = provinces.get(id);
      const prev = bump(totals, formsEach);
      deltas.push([roomOf(id), totalsChanged(epoch, totals, prev, provinceChildren.get(id) ?? []), 'province']);
      if (nationalChildren.length < maxChildren) nationalChildren.push(totals.child());
    }
    deltas.push([roomOf(NATIONAL), totalsChanged(epoch, national, nationalPrev, nationalChildren), 'national']);

    // National first, like a viewer would want it; then provinces, then regencies.
    for (let i = deltas.length - 1; i >= 0; i--) {
      const [room, message] = deltas[i];
      message.sentAt = nowMs();
      io.to(room).emit('TotalsChanged', message);
    }
    pubStats.emits += deltas.length;
    const took = nowMs() - start;
    if (version % 25 === 0) measureSizes(deltas);
    pubStats.runs++;
    pubStats.runMsTotal += took;
    pubStats.runMsMax = Math.max(pubStats.runMsMax, took);
    // Fixed rate of one run per interval; a run that ends late starts the next one at once
    // (no catch-up burst), like Broadcast's Aggregation:MinRunInterval spacing.
    nextStart = Math.max(nextStart + interval, nowMs());
    timer = setTimeout(run, Math.max(0, nextStart - nowMs()));
  };
  timer = setTimeout(run, interval);
}

// ---- stats ----

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const statsLine = (final) => JSON.stringify({
  t: Math.round(nowMs()), port, pid: process.pid, final: final || undefined, publish: o.publish,
  connections: io.engine.clientsCount, ...counters,
  ...(o.publish ? {
    ...pubStats, runMsMean: pubStats.runs ? +(pubStats.runMsTotal / pubStats.runs).toFixed(2) : 0,
    runMsMax: +pubStats.runMsMax.toFixed(2), runMsTotal: undefined, messageBytes: sizes,
  } : {}),
  loopDelayMs: { p50: +(loop.percentile(50) / 1e6).toFixed(1), p99: +(loop.percentile(99) / 1e6).toFixed(1), max: +(loop.max / 1e6).toFixed(1) },
  rssMB: +(process.memoryUsage.rss() / 2 ** 20).toFixed(1),
});
const statsTimer = setInterval(() => { console.log(statsLine(false)); loop.reset(); }, int('stats-every') * 1000);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearTimeout(timer);
  clearInterval(statsTimer);
  console.log(statsLine(true));
  io.close();
  await Promise.allSettled(redisClients.map((c) => c.quit()));
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

httpServer.listen(port, o.host, () => {
  console.error(`socket.io server ${process.pid} on ${o.host}:${port}${o.publish ? ', publishing' : ''}, adapter ${o.redis === 'none' ? 'in-memory' : o.redis}`);
  if (o.publish) startPublisher();
});
