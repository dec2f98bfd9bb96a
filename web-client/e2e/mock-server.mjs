// A small stand-in for Broadcast.Server, for developing the web client and checking the
// e2e script before the real server exists. NOT the contract: docs/api.md is.
//   node e2e/mock-server.mjs            (PORT=5055 or 0 for any free one, MOCK_SEED=0.3, MOCK_NO_HUB=1, MOCK_DROP=0.2)
// Serves the built wwwroot, the read API (with .../latest and .../v/<epoch>.<version>),
// POST /api/v1/forms and the SignalR hub /hubs/results over WebSockets with the JSON and
// MessagePack protocols: Subscribe (TotalsChanged) and SubscribeWith (Headline or Delta, packed;
// the rate cap is not applied here, every change is sent, a Delta's children are all absolute
// and no frame carries a chain hash).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import WebSocket from 'ws';
import { MockResults } from './mock-data.mjs';

const env = process.env;
const PORT = Number(env.PORT ?? 5055);
const KEY = env.MOCK_INGEST_KEY ?? 'dev-key';
const DROP = Number(env.MOCK_DROP ?? 0); // share of pushed frames to drop (exercises Resume, and SubscribeWith's fresh snapshot)
const AGGREGATE_MS = Number(env.MOCK_AGGREGATE_MS ?? 150);
const WWWROOT = env.MOCK_WWWROOT ?? new URL('../../src/Broadcast.Server/wwwroot', import.meta.url).pathname;
const RS = '\x1e';

const data = await new MockResults().load(MockResults.dataDir(env));
await data.seed(MockResults.dataDir(env), Number(env.MOCK_SEED ?? 0.3));
console.log(`mock: ${data.regions.size} regions, ${data.forms.size} stations seeded`);

const election = {
  id: 'pilpres2019', name: 'Pemilihan Presiden 2019',
  contests: [{ id: 'ppwp', name: 'Presiden dan Wakil Presiden', choices: [
    { id: '01', name: 'Joko Widodo – Ma\'ruf Amin' }, { id: '02', name: 'Prabowo Subianto – Sandiaga Uno' }] }],
};

// ---- hub ----
const pending = new Map(); // connectionToken -> connectionId
const groups = new Map(); // region -> Set<conn>

function frame(conn, msg) {
  if (conn.protocol === 'json') return JSON.stringify(msg) + RS;
  const arr = msgToArray(msg);
  const body = encode(arr);
  const len = [];
  let n = body.length;
  do { let b = n & 0x7f; n >>>= 7; if (n > 0) b |= 0x80; len.push(b); } while (n > 0);
  return Buffer.concat([Buffer.from(len), Buffer.from(body)]);
}

function msgToArray(m) {
  switch (m.type) {
    case 1: return [1, {}, m.invocationId ?? null, m.target, m.arguments, []];
    case 3: return m.error ? [3, {}, m.invocationId, 1, m.error] : [3, {}, m.invocationId, m.result === undefined ? 2 : 3, ...(m.result === undefined ? [] : [m.result])];
    case 6: return [6];
    default: throw new Error(`type ${m.type}`);
  }
}

function parse(conn, raw, isBinary) {
  if (!isBinary) return raw.toString().split(RS).filter(Boolean).map((s) => JSON.parse(s));
  const out = [];
  const buf = Buffer.from(raw);
  for (let i = 0; i < buf.length;) {
    let size = 0, shift = 0, b;
    do { b = buf[i++]; size |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    const a = decode(buf.subarray(i, i + size));
    i += size;
    if (a[0] === 1) out.push({ type: 1, invocationId: a[2], target: a[3], arguments: a[4] });
    else out.push({ type: a[0] });
  }
  return out;
}

function send(conn, msg) {
  if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(frame(conn, msg));
}

function invoke(conn, target, args) {
  const region = String(args[1] ?? '');
  if (target === 'Subscribe' || target === 'SubscribeWith') {
    const snap = data.snapshot(region);
    if (!snap) throw new Error(`unknown region ${region}`);
    if (!groups.has(region)) groups.set(region, new Set());
    groups.get(region).add(conn);
    conn.groups.add(region);
    const view = target === 'Subscribe' ? null : args[2]?.view === 'headline' ? 'headline' : 'full';
    conn.views.set(region, view);
    return view === 'headline' ? { ...snap, children: [] } : snap;
  }
  if (target === 'Unsubscribe') {
    groups.get(region)?.delete(conn);
    conn.groups.delete(region);
    return undefined;
  }
  if (target === 'Resume') return data.resume(region, Number(args[2]));
  throw new Error(`unknown method ${target}`);
}

function onHubSocket(ws) {
  const conn = { ws, protocol: null, groups: new Set(), views: new Map() };
  const ping = setInterval(() => conn.protocol && send(conn, { type: 6 }), 10_000);
  ws.on('message', (raw) => {
    // ws 7: text frames arrive as strings, binary ones as Buffers.
    const isBinary = typeof raw !== 'string';
    if (!conn.protocol) {
      const hs = JSON.parse(raw.toString().split(RS)[0]);
      conn.protocol = hs.protocol === 'messagepack' ? 'messagepack' : 'json';
      ws.send(`{}${RS}`);
      return;
    }
    for (const m of parse(conn, raw, isBinary)) {
      if (m.type !== 1) continue;
      try {
        const result = invoke(conn, m.target, m.arguments);
        if (m.invocationId != null) send(conn, { type: 3, invocationId: m.invocationId, result });
      } catch (e) {
        if (m.invocationId != null) send(conn, { type: 3, invocationId: m.invocationId, error: String(e.message) });
      }
    }
  });
  ws.on('close', () => {
    clearInterval(ping);
    for (const g of conn.groups) groups.get(g)?.delete(conn);
  });
}

// ---- packed frames (SubscribeWith's Headline and Delta) ----

/** Unsigned LEB128, by arithmetic: counts may pass 2^31. */
function uint(n, out) {
  for (; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) + 128);
  out.push(n);
}

/** Zigzag, then LEB128. */
function sint(n, out) {
  uint(n >= 0 ? n * 2 : -n * 2 - 1, out);
}

/** The counts of a votes map in the ordinal order of its choice ids, as clients read them. */
const ordered = (votes) => Object.keys(votes).sort().map((id) => votes[id]);

/** `packed` of a group's totals and, for a Delta, its changed children (with their `index`, in its order), absolute. */
function pack(totals, children) {
  const out = [children ? 2 : 0];
  const votes = ordered(totals.votes);
  for (const n of [totals.stations.reported, totals.stations.quarantined, totals.stations.total, totals.valid, totals.invalid]) sint(n, out);
  uint(votes.length, out);
  for (const n of votes) sint(n, out);
  if (children) {
    uint(children.length, out);
    let previous = -1;
    for (const c of children) {
      uint((c.index - previous - 1) * 2 + 1, out);
      for (const n of [c.stations.reported, c.stations.quarantined, c.valid, c.invalid, ...ordered(c.votes)]) sint(n, out);
      previous = c.index;
    }
  }
  return Buffer.from(out);
}

/** A packed frame's arguments: MessagePack an array (`bin` bytes), JSON an object (base64). */
function packedFrame(conn, d, packed) {
  if (conn.protocol === 'messagepack') return [d.contest, d.region, d.prevVersion, d.version, packed];
  return { contest: d.contest, region: d.region, prevVersion: d.prevVersion, version: d.version, packed: packed.toString('base64') };
}

function push(changed, prev, station) {
  changed.forEach((id, i) => {
    const d = data.delta(id, prev.get(id) ?? 0, i === 0 ? station : changed[i - 1]);
    if (DROP > 0 && Math.random() < DROP) return;
    const ids = data.childIds(data.regions.get(id));
    // A station outside the register is in no snapshot of its village: not in its frames either.
    const children = d.children.map((c) => ({ ...c, index: ids.indexOf(c.id) })).filter((c) => c.index >= 0);
    const headline = pack(d);
    const full = pack(d, children);
    for (const conn of groups.get(id) ?? []) {
      const view = conn.views.get(id);
      if (view === 'headline') send(conn, { type: 1, target: 'Headline', arguments: [packedFrame(conn, d, headline)] });
      else if (view === 'full') send(conn, { type: 1, target: 'Delta', arguments: [packedFrame(conn, d, full)] });
      else send(conn, { type: 1, target: 'TotalsChanged', arguments: [d] });
    }
  });
}

// ---- HTTP ----
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString();
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  try {
    if (p === '/hubs/results/negotiate' && req.method === 'POST') {
      if (env.MOCK_NO_HUB) return json(res, 404, { title: 'hub disabled' });
      const token = randomUUID();
      pending.set(token, randomUUID());
      return json(res, 200, { negotiateVersion: 1, connectionId: pending.get(token), connectionToken: token,
        availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }] });
    }
    if (p === '/api/v1/election') return json(res, 200, election, { 'Cache-Control': 'public, max-age=60' });
    const v = p.match(/^\/api\/v1\/results\/([^/]+)\/([^/]+)\/(latest|v\/([^/]+))$/);
    if (v && req.method === 'GET') {
      const snap = v[1] === 'ppwp' ? data.snapshot(decodeURIComponent(v[2])) : null;
      if (!snap) return json(res, 404, { title: 'not found' });
      const at = `${snap.epoch}.${snap.version}`;
      if (v[4] === at) return json(res, 200, snap, { ETag: `"${at}"`, 'Cache-Control': 'public, max-age=31536000, immutable' });
      res.writeHead(307, { Location: `/api/v1/results/${v[1]}/${v[2]}/v/${at}`, 'Cache-Control': 'public, max-age=1' });
      return res.end();
    }
    const m = p.match(/^\/api\/v1\/results\/([^/]+)(?:\/([^/]+))?$/);
    if (m && req.method === 'GET') {
      const snap = m[1] === 'ppwp' ? data.snapshot(decodeURIComponent(m[2] ?? '0')) : null;
      if (!snap) return json(res, 404, { title: 'not found' });
      const etag = `"${snap.epoch}.${snap.version}"`;
      const headers = { ETag: etag, 'Cache-Control': 'public, max-age=2' };
      if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers); return res.end(); }
      return json(res, 200, snap, headers);
    }
    if (p === '/api/v1/forms' && req.method === 'POST') {
      if (req.headers.authorization !== `Bearer ${KEY}`) return json(res, 401, { title: 'unauthorized' });
      const f = JSON.parse(await body(req));
      if (f.contest !== 'ppwp' || !data.village(String(f.station))) return json(res, 422, { title: 'invalid', errors: { station: ['unknown station'] } });
      const { receipt, changed, prev } = data.store(String(f.station), { votes: f.votes, valid: f.valid, invalid: f.invalid, total: f.total });
      if (changed.length > 0 && receipt.status !== 'duplicate') setTimeout(() => push(changed, prev, String(f.station)), AGGREGATE_MS);
      return json(res, 202, receipt);
    }
    const file = normalize(join(WWWROOT, p.endsWith('/') ? `${p}index.html` : p));
    if (!file.startsWith(WWWROOT)) return json(res, 403, {});
    const content = await readFile(file).catch(() => null);
    if (!content) return json(res, 404, { title: 'not found' });
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(content);
  } catch (e) {
    json(res, 500, { title: String(e) });
  }
});

const wss = new WebSocket.Server({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  const token = url.searchParams.get('id');
  if (url.pathname !== '/hubs/results' || !token || !pending.delete(token)) return socket.destroy();
  wss.handleUpgrade(req, socket, head, onHubSocket);
});

server.listen(PORT, '127.0.0.1', () => console.log(`mock: http://127.0.0.1:${server.address().port}/ (ingest key ${KEY})`));
