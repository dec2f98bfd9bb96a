#!/usr/bin/env node
// Load generator: K viewers over WebSocket, each subscribed to one results room (national,
// a province or a regency by --mix), spread round-robin over the servers. Counts deliveries
// and measures latency (receive time - the publisher's sentAt, one host, one wall clock) over a
// window that starts at --window-start (absolute, so that several processes and the runner
// share it) and lasts --window seconds. Writes a JSON report at the end and exits.
//
// Two clients:
//   --client socketio  the real socket.io-client 4 (transports: ['websocket']): it parses every
//                      message in full, as a browser viewer would.
//   --client raw       the same protocol (Engine.IO 4 / Socket.IO 5) spoken over a bare `ws`
//                      socket, reading only the head of each TotalsChanged (prevVersion, version,
//                      sentAt) like Broadcast's load test does; it costs the shared CPU far less.
//
//   node viewers.mjs --servers http://127.0.0.1:5401,http://127.0.0.1:5402 --connections 5000 \
//     --client raw --ramp 20 --window 60 --json out.json

import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { io as ioClient } from 'socket.io-client';
import { NATIONAL, buildCatalog, nowMs, parseMix, pickRegion, prng, roomOf } from './workload.mjs';

const HELP = `usage: node viewers.mjs [options]
  --servers <urls>        comma-separated server base URLs (default http://127.0.0.1:5401,http://127.0.0.1:5402,http://127.0.0.1:5403)
  --connections <n>       viewers in this process (default 1000; keep below ~17,000: 20,000 fds a process)
  --client <kind>         socketio | raw (default socketio)
  --bind <addrs>          comma-separated local source addresses, round-robin (default: none, the kernel's)
  --mix <weights>         default national=0.6,province=0.3,regency=0.1
  --provinces <n>         catalog size, as the server's (default 35)
  --regencies <n>         catalog size, as the server's (default 644)
  --ramp <s>              seconds over which the viewers connect (default 20)
  --settle <s>            seconds after the ramp before the window (default 3; ignored with --window-start)
  --window-start <ms>     window start, ms since the Unix epoch (default: now + ramp + settle)
  --window <s>            measured window length (default 60)
  --max-pending <n>       connects in flight at once (default 500)
  --seed <n>              seed of the subscription draw (default 2019)
  --json <path>           where to write the report (default: stdout)
  --index <n>             this process's number, for logs (default 0)`;

const { values: o } = parseArgs({
  options: {
    servers: { type: 'string', default: 'http://127.0.0.1:5401,http://127.0.0.1:5402,http://127.0.0.1:5403' },
    connections: { type: 'string', default: '1000' },
    client: { type: 'string', default: 'socketio' },
    bind: { type: 'string', default: '' },
    mix: { type: 'string', default: 'national=0.6,province=0.3,regency=0.1' },
    provinces: { type: 'string', default: '35' },
    regencies: { type: 'string', default: '644' },
    ramp: { type: 'string', default: '20' },
    settle: { type: 'string', default: '3' },
    'window-start': { type: 'string', default: '' },
    window: { type: 'string', default: '60' },
    'max-pending': { type: 'string', default: '500' },
    seed: { type: 'string', default: '2019' },
    json: { type: 'string', default: '' },
    index: { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});
if (o.help) { console.log(HELP); process.exit(0); }

const num = (name) => {
  const v = Number(o[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
};
if (o.client !== 'socketio' && o.client !== 'raw') throw new Error('--client must be socketio or raw');
const servers = o.servers.split(',').filter(Boolean).map((s) => new URL(s));
const binds = o.bind.split(',').filter(Boolean);
const total = num('connections');
const rampMs = num('ramp') * 1000;
const windowMs = num('window') * 1000;
const windowStart = o['window-start'] ? num('window-start') : nowMs() + rampMs + num('settle') * 1000;
const windowEnd = windowStart + windowMs;
const maxPending = Math.max(1, num('max-pending'));
const catalog = buildCatalog({ provinces: num('provinces'), regencies: num('regencies') });
const provinceIds = new Set(catalog.province.map((p) => p.id));
const mix = parseMix(o.mix);
const random = prng(num('seed'));
const tag = `viewers#${o.index}`;

// ---- measurements ----

const BUCKET_MS = 0.1; // latency histogram: 0.1 ms buckets up to 60 s, then one overflow count
const buckets = new Uint32Array(600_000);
const serverBuckets = servers.map(() => new Uint32Array(buckets.length)); // the same, per server
const c = {
  connected: 0, subscribed: 0, connectErrors: 0, subscribeErrors: 0, closes: 0,
  deliveries: 0, windowDeliveries: { national: 0, province: 0, regency: 0 },
  gaps: 0, stale: 0, latencyCount: 0, latencyOverflow: 0, latencyMax: 0, latencySum: 0, negative: 0,
};
let inWindow = false;
const errorSamples = [];
const noteError = (what) => { if (errorSamples.length < 10) errorSamples.push(String(what)); };

class Viewer {
  constructor(i) {
    this.region = pickRegion(catalog, mix, random);
    this.room = roomOf(this.region);
    this.kind = this.region === NATIONAL ? 'national' : provinceIds.has(this.region) ? 'province' : 'regency';
    this.serverIndex = i % servers.length;
    this.server = servers[this.serverIndex];
    this.localAddress = binds.length ? binds[i % binds.length] : undefined;
    this.held = -1;
    this.open = false;
    this.isSubscribed = false;
    this.done = false; // ended on purpose
    this.conn = null;
  }

  delta(prevVersion, version, sentAt) {
    const now = nowMs();
    c.deliveries++;
    if (this.held >= 0) {
      if (version <= this.held) c.stale++;
      else if (prevVersion !== this.held) c.gaps++;
    }
    if (version > this.held) this.held = version;
    if (!inWindow) return;
    c.windowDeliveries[this.kind]++;
    let ms = now - sentAt;
    if (ms < 0) { c.negative++; ms = 0; }
    c.latencyCount++;
    c.latencySum += ms;
    if (ms > c.latencyMax) c.latencyMax = ms;
    const b = Math.floor(ms / BUCKET_MS);
    if (b < buckets.length) { buckets[b]++; serverBuckets[this.serverIndex][b]++; } else c.latencyOverflow++;
  }

  onOpen() { this.open = true; c.connected++; }

  onSubscribed(ok) {
    if (ok) { this.isSubscribed = true; c.subscribed++; } else { c.subscribeErrors++; noteError('subscribe refused'); }
  }

  onClose(reason) {
    if (this.open) { c.connected--; if (this.isSubscribed) c.subscribed--; }
    else if (!this.done) { c.connectErrors++; noteError(reason); }
    if (this.open && !this.done) { c.closes++; noteError(`closed: ${reason}`); }
    this.open = false;
    this.isSubscribed = false;
  }
}

// ---- clients ----

/** socket.io-client 4, WebSocket only, one Manager (one connection) per viewer. */
function connectSocketIo(v, settled) {
  const socket = ioClient(v.server.origin, {
    transports: ['websocket'], forceNew: true, reconnection: false, timeout: 30_000,
    localAddress: v.localAddress, perMessageDeflate: false,
  });
  v.conn = socket;
  let first = true;
  const settle = () => { if (first) { first = false; settled(); } };
  socket.on('connect', () => {
    settle();
    v.onOpen();
    socket.timeout(30_000).emit('subscribe', v.room, (err, res) => v.onSubscribed(!err && res?.ok === true));
  });
  socket.on('TotalsChanged', (m) => v.delta(m.prevVersion, m.version, m.sentAt));
  socket.on('connect_error', (e) => { settle(); v.onClose(`connect_error: ${e.message}`); });
  socket.on('disconnect', (reason) => v.onClose(reason));
}

const numberAfter = (head, key) => {
  const at = head.indexOf(key);
  if (at < 0) return NaN;
  const from = at + key.length;
  let end = from;
  while (end < head.length && head.charCodeAt(end) !== 44 /* , */ && head.charCodeAt(end) !== 125 /* } */) end++;
  return Number(head.slice(from, end));
};

/** Engine.IO 4 / Socket.IO 5 over a bare WebSocket: open, connect "/", subscribe with ack id 1. */
function connectRaw(v, settled) {
  const url = `ws://${v.server.host}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { localAddress: v.localAddress, perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 30_000 });
  v.conn = ws;
  let first = true;
  const settle = () => { if (first) { first = false; settled(); } };
  ws.on('message', (data) => {
    // data: a Buffer holding one Engine.IO packet as text.
    const type = data[0];
    if (type === 0x34 /* '4' message */) {
      const sio = data[1];
      if (sio === 0x32 /* '2' EVENT */) {
        const head = data.latin1Slice(0, Math.min(data.length, 240));
        if (head.startsWith('42["TotalsChanged"'))
          v.delta(numberAfter(head, '"prevVersion":'), numberAfter(head, '"version":'), numberAfter(head, '"sentAt":'));
      } else if (sio === 0x33 /* '3' ACK */) {
        v.onSubscribed(data.latin1Slice(0, data.length).startsWith('431[{"ok":true'));
      } else if (sio === 0x30 /* '0' CONNECT ok */) {
        settle();
        v.onOpen();
        ws.send(`421${JSON.stringify(['subscribe', v.room])}`);
      } else if (sio === 0x34 /* '4' CONNECT_ERROR */) {
        settle();
        noteError(`connect_error: ${data.toString()}`);
        ws.terminate();
      }
    } else if (type === 0x32 /* '2' ping */) {
      ws.send('3');
    } else if (type === 0x30 /* '0' open */) {
      ws.send('40');
    }
  });
  ws.on('error', (e) => { settle(); noteError(e.message); });
  ws.on('close', (code) => { settle(); v.onClose(`ws close ${code}`); });
}

const connect = o.client === 'raw' ? connectRaw : connectSocketIo;

// ---- the ramp: `total` connects spread evenly over rampMs, at most maxPending in flight ----

const viewers = Array.from({ length: total }, (_, i) => new Viewer(i));
const t0 = nowMs();
let started = 0;
let pending = 0;
const rampTimer = setInterval(() => {
  const due = rampMs > 0 ? Math.min(total, Math.ceil((total * (nowMs() - t0)) / rampMs)) : total;
  while (started < due && pending < maxPending) {
    pending++;
    connect(viewers[started++], () => { pending--; });
  }
  if (started >= total) clearInterval(rampTimer);
}, 10);

// ---- progress and window ----

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let lastDeliveries = 0;
let lastT = nowMs();
const progress = setInterval(() => {
  const now = nowMs();
  const rate = ((c.deliveries - lastDeliveries) * 1000) / (now - lastT);
  lastDeliveries = c.deliveries;
  lastT = now;
  console.error(`${tag} t=${((now - t0) / 1000).toFixed(0)}s started ${started} open ${c.connected} subscribed ${c.subscribed} `
    + `deliveries ${rate.toFixed(0)}/s conn-errors ${c.connectErrors} closes ${c.closes} gaps ${c.gaps}${inWindow ? ' [window]' : ''}`);
}, 5000);

let atStart;
setTimeout(() => {
  inWindow = true;
  loop.reset();
  atStart = { connected: c.connected, subscribed: c.subscribed, cpu: process.cpuUsage(), t: nowMs(), gaps: c.gaps, closes: c.closes };
}, Math.max(0, windowStart - nowMs()));

setTimeout(() => {
  inWindow = false;
  const cpu = process.cpuUsage(atStart?.cpu);
  const whole = process.cpuUsage();
  const t = nowMs();
  const toSparse = (array) => {
    const out = [];
    for (let i = 0; i < array.length; i++) if (array[i]) out.push([i, array[i]]);
    return out;
  };
  const sparse = toSparse(buckets);
  const report = {
    index: Number(o.index), pid: process.pid, client: o.client, node: process.version,
    servers: servers.map((s) => s.origin), binds, mix, catalog: { provinces: catalog.province.length, regencies: catalog.regency.length },
    requested: total, started, rampMs, windowStart, windowMs, windowActualMs: atStart ? t - atStart.t : 0,
    atStart: atStart ? { connected: atStart.connected, subscribed: atStart.subscribed } : null,
    atEnd: { connected: c.connected, subscribed: c.subscribed },
    errors: {
      connect: c.connectErrors, subscribe: c.subscribeErrors, closes: c.closes,
      closesInWindow: atStart ? c.closes - atStart.closes : c.closes, samples: errorSamples,
    },
    deliveries: { total: c.deliveries, window: c.windowDeliveries },
    gaps: c.gaps, gapsInWindow: atStart ? c.gaps - atStart.gaps : c.gaps, stale: c.stale,
    latency: {
      bucketMs: BUCKET_MS, count: c.latencyCount, sumMs: c.latencySum, maxMs: c.latencyMax,
      overflow: c.latencyOverflow, negative: c.negative, buckets: sparse,
      byServer: servers.map((srv, i) => ({ server: srv.origin, buckets: toSparse(serverBuckets[i]) })),
    },
    cpu: { windowMs: (cpu.user + cpu.system) / 1000, wholeMs: (whole.user + whole.system) / 1000 },
    loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    rssMB: process.memoryUsage.rss() / 2 ** 20,
  };
  const text = JSON.stringify(report);
  if (o.json) writeFileSync(o.json, `${text}\n`); else console.log(text);
  clearInterval(progress);
  clearInterval(rampTimer);
  for (const v of viewers) {
    v.done = true;
    if (!v.conn) continue;
    if (o.client === 'raw') v.conn.terminate(); else v.conn.disconnect();
  }
  setTimeout(() => process.exit(0), 200).unref();
}, Math.max(0, windowEnd - nowMs()));
