#!/usr/bin/env node
// Merges one run's files (written by run.sh) into a table on stdout and summary.json:
//   params.json, gen-*.json (viewers.mjs reports), samples.jsonl (CPU/RSS at idle/start/end),
//   server-<port>.log (server.mjs stats lines; the publisher's carry runs and message sizes).
//
//   node report.mjs /tmp/socketio-bench/15000

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) { console.error('usage: node report.mjs OUT_DIR'); process.exit(2); }

const params = JSON.parse(readFileSync(join(dir, 'params.json'), 'utf8'));
const gens = readdirSync(dir).filter((f) => /^gen-\d+\.json$/.test(f)).sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
if (!gens.length) throw new Error(`no gen-*.json in ${dir}`);
const samples = readFileSync(join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const serverLogs = readdirSync(dir).filter((f) => /^server-\d+\.log$/.test(f)).sort().map((f) => ({
  file: f,
  lines: readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)),
}));

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const windowS = gens[0].windowMs / 1000;
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');

// ---- latency: merge the per-process histograms, then take percentiles ----
const bucketMs = gens[0].latency.bucketMs;
const merged = new Map();
for (const g of gens) for (const [i, n] of g.latency.buckets) merged.set(i, (merged.get(i) ?? 0) + n);
const order = [...merged.keys()].sort((a, b) => a - b);
const count = sum(gens.map((g) => g.latency.count));
const overflow = sum(gens.map((g) => g.latency.overflow));
const maxMs = Math.max(...gens.map((g) => g.latency.maxMs));
const percentile = (p) => {
  const want = Math.ceil((p / 100) * count);
  let seen = 0;
  for (const i of order) { seen += merged.get(i); if (seen >= want) return Math.min((i + 1) * bucketMs, maxMs); } // bucket's upper edge
  return maxMs; // in the overflow
};
// The same per server the viewers were connected to (which process lags).
const byServer = new Map();
for (const g of gens) for (const { server, buckets } of g.latency.byServer ?? []) {
  if (!byServer.has(server)) byServer.set(server, new Map());
  const m = byServer.get(server);
  for (const [i, n] of buckets) m.set(i, (m.get(i) ?? 0) + n);
}
const quantiles = (m) => {
  const keys = [...m.keys()].sort((a, b) => a - b);
  const n = sum([...m.values()]);
  const q = (p) => {
    const want = Math.ceil((p / 100) * n);
    let seen = 0;
    for (const i of keys) { seen += m.get(i); if (seen >= want) return (i + 1) * bucketMs; }
    return NaN;
  };
  return { samples: n, p50: q(50), p99: q(99) };
};
const latencyByServer = [...byServer].map(([server, m]) => ({ server, ...quantiles(m) }));
const latency = {
  samples: count, meanMs: sum(gens.map((g) => g.latency.sumMs)) / count,
  p50: percentile(50), p95: percentile(95), p99: percentile(99), p999: percentile(99.9), max: maxMs, overflow,
  negative: sum(gens.map((g) => g.latency.negative)),
  byServer: latencyByServer,
};

// ---- deliveries, connections, errors ----
const byKind = { national: 0, province: 0, regency: 0 };
for (const g of gens) for (const k in byKind) byKind[k] += g.deliveries.window[k];
const deliveries = sum(Object.values(byKind));
const held = {
  startConnected: sum(gens.map((g) => g.atStart?.connected ?? 0)), startSubscribed: sum(gens.map((g) => g.atStart?.subscribed ?? 0)),
  endConnected: sum(gens.map((g) => g.atEnd.connected)), endSubscribed: sum(gens.map((g) => g.atEnd.subscribed)),
};
const errors = {
  connect: sum(gens.map((g) => g.errors.connect)), subscribe: sum(gens.map((g) => g.errors.subscribe)),
  closes: sum(gens.map((g) => g.errors.closes)), closesInWindow: sum(gens.map((g) => g.errors.closesInWindow)),
  gaps: sum(gens.map((g) => g.gaps)), gapsInWindow: sum(gens.map((g) => g.gapsInWindow)), stale: sum(gens.map((g) => g.stale)),
  samples: gens.flatMap((g) => g.errors.samples).slice(0, 5),
};

// ---- servers: CPU in the window, RSS idle / window start / window end ----
const at = (label) => samples.filter((s) => s.label === label);
const servers = at('start').filter((s) => s.role.startsWith('server')).map((s) => {
  const pick = (label) => at(label).find((x) => x.pid === s.pid);
  return {
    pid: s.pid, role: s.role, cpuS: pick('end').cpuS - s.cpuS,
    rssIdleMB: pick('idle').rssKB / 1024, rssStartMB: s.rssKB / 1024, rssEndMB: pick('end').rssKB / 1024,
  };
});
const redisStart = at('start').find((s) => s.role.startsWith('redis'));
const redisEnd = at('end').find((s) => s.role.startsWith('redis'));
const redis = redisStart && redisEnd ? { cpuS: redisEnd.cpuS - redisStart.cpuS, rssEndMB: redisEnd.rssKB / 1024 } : null;
const serverCpuS = sum(servers.map((s) => s.cpuS));
const machineStart = at('start').find((s) => s.role === 'machine');
const machineEnd = at('end').find((s) => s.role === 'machine');
const machineCpuS = machineStart && machineEnd ? machineEnd.cpuS - machineStart.cpuS : NaN;
const rssIdle = sum(servers.map((s) => s.rssIdleMB));
const rssEnd = sum(servers.map((s) => s.rssEndMB));
const conns = held.endConnected || 1;

// ---- the publisher: runs and emits in the window, from its once-a-second stats lines ----
const t0 = gens[0].windowStart;
const t1 = t0 + gens[0].windowMs;
let publisher = null;
for (const log of serverLogs) {
  const lines = log.lines.filter((l) => l.publish && !l.final);
  if (!lines.length) continue;
  const nearest = (t) => lines.reduce((a, b) => (Math.abs(b.t - t) < Math.abs(a.t - t) ? b : a));
  const a = nearest(t0);
  const b = nearest(t1);
  const s = (b.t - a.t) / 1000;
  publisher = {
    file: log.file, runsPerS: (b.runs - a.runs) / s, emitsPerS: (b.emits - a.emits) / s,
    messageBytes: b.messageBytes, runMsMean: b.runMsMean, runMsMax: b.runMsMax, lateStarts: b.lateStarts - a.lateStarts,
  };
}
const loopP99 = serverLogs.map((log) => {
  const inWin = log.lines.filter((l) => !l.final && l.t > t0 && l.t <= t1 + 500);
  return { file: log.file, p99: Math.max(0, ...inWin.map((l) => l.loopDelayMs.p99)), max: Math.max(0, ...inWin.map((l) => l.loopDelayMs.max)) };
});

const summary = {
  params, windowS, held, deliveries: { total: deliveries, perS: deliveries / windowS, byKind },
  // per viewer subscribed, the mean of the window's start and end counts
  perViewerPerS: deliveries / windowS / (((held.startSubscribed + held.endSubscribed) / 2) || 1),
  latency, errors,
  servers, serverCpuS, serverCores: serverCpuS / windowS,
  deliveriesPerServerCpuS: deliveries / serverCpuS, serverCpuMsPer1000: (serverCpuS * 1e6) / deliveries,
  machineCpuS, otherCpuS: machineCpuS - serverCpuS - (redis?.cpuS ?? 0) - sum(gens.map((g) => g.cpu.windowMs)) / 1000,
  redis, rss: { idleMB: rssIdle, endMB: rssEnd, addedKBPerConn: ((rssEnd - rssIdle) * 1024) / conns, totalKBPerConn: (rssEnd * 1024) / conns },
  publisher, serverLoopDelay: loopP99,
  generators: {
    processes: gens.length, client: gens[0].client, cpuWindowS: sum(gens.map((g) => g.cpu.windowMs)) / 1000,
    cpuWholeS: sum(gens.map((g) => g.cpu.wholeMs)) / 1000, loopDelayP99MaxMs: Math.max(...gens.map((g) => g.loopDelayMs.p99)),
    peakRssMB: Math.max(...gens.map((g) => g.rssMB)),
  },
};
writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);

const rows = [
  ['viewers requested / processes / client', `${fmt(params.connections)} / ${gens.length} / ${gens[0].client}`],
  ['mix', params.mix],
  ['ramp / measured window', `${params.rampS} s / ${windowS} s`],
  ['connections held (subscribed) at window start / end', `${fmt(held.startConnected)} (${fmt(held.startSubscribed)}) / ${fmt(held.endConnected)} (${fmt(held.endSubscribed)})`],
  ['publisher runs/s, emits/s', publisher ? `${fmt(publisher.runsPerS, 2)}, ${fmt(publisher.emitsPerS)}` : '-'],
  ['payload bytes (national / province / regency)', publisher ? `${publisher.messageBytes.national} / ${publisher.messageBytes.province} / ${publisher.messageBytes.regency}` : '-'],
  ['publisher run (emit loop) mean / max', publisher ? `${fmt(publisher.runMsMean, 1)} / ${fmt(publisher.runMsMax, 1)} ms, late starts ${publisher.lateStarts}` : '-'],
  ['deliveries in window, per second', `${fmt(deliveries)}, ${fmt(deliveries / windowS)}/s (${fmt(summary.perViewerPerS, 2)} per viewer)`],
  ['  national / province / regency', `${fmt(byKind.national)} / ${fmt(byKind.province)} / ${fmt(byKind.regency)}`],
  ['latency sentAt -> received', `p50 ${fmt(latency.p50, 1)}, p95 ${fmt(latency.p95, 1)}, p99 ${fmt(latency.p99, 1)}, p99.9 ${fmt(latency.p999, 1)}, max ${fmt(latency.max, 1)} ms, mean ${fmt(latency.meanMs, 1)} (${fmt(count)} samples)`],
  ...latencyByServer.map((l) => [`  viewers on ${l.server}`, `p50 ${fmt(l.p50, 1)}, p99 ${fmt(l.p99, 1)} ms (${fmt(l.samples)} samples, in the 60 s histogram range)`]),
  ['server CPU in window (3 processes, summed)', `${fmt(serverCpuS, 2)} s (${fmt(summary.serverCores, 2)} cores)`],
  ...servers.map((s) => [`  ${s.role} pid ${s.pid}`, `CPU ${fmt(s.cpuS, 2)} s, RSS ${fmt(s.rssIdleMB)} -> ${fmt(s.rssStartMB)} -> ${fmt(s.rssEndMB)} MB, loop delay p99 ${fmt(loopP99.find((l) => l.file.includes(s.role.split(':')[1]))?.p99, 0)} ms`]),
  ['deliveries per server CPU second', `${fmt(summary.deliveriesPerServerCpuS)} (${fmt(summary.serverCpuMsPer1000, 1)} ms CPU per 1,000 frames)`],
  ['redis CPU in window, RSS', redis ? `${fmt(redis.cpuS, 2)} s, ${fmt(redis.rssEndMB)} MB` : '-'],
  ['server RSS idle / end of window (summed)', `${fmt(rssIdle)} MB / ${fmt(rssEnd)} MB`],
  ['server RSS per connection (added / total)', `${fmt(summary.rss.addedKBPerConn, 1)} KB / ${fmt(summary.rss.totalKBPerConn, 1)} KB`],
  ['errors: connect / subscribe / closes (in window)', `${errors.connect} / ${errors.subscribe} / ${errors.closes} (${errors.closesInWindow})`],
  ['version gaps (in window) / stale', `${errors.gaps} (${errors.gapsInWindow}) / ${errors.stale}`],
  ['generator CPU window / whole run, loop p99, RSS', `${fmt(summary.generators.cpuWindowS, 1)} s / ${fmt(summary.generators.cpuWholeS, 1)} s, ${fmt(summary.generators.loopDelayP99MaxMs, 0)} ms, ${fmt(summary.generators.peakRssMB)} MB a process`],
  ['machine CPU in window: all / other processes', `${fmt(machineCpuS, 1)} s (${fmt(machineCpuS / windowS, 2)} cores) / ${fmt(summary.otherCpuS, 1)} s`],
];
if (errors.samples.length) rows.push(['error samples', errors.samples.join(' | ')]);
const width = Math.max(...rows.map(([k]) => k.length)) + 2;
for (const [k, v] of rows) console.log(`${k.padEnd(width)}${v}`);
