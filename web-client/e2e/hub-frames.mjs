// What a page says to and hears from the hub, as Chromium sees its WebSockets: the calls it
// makes (SubscribeWith with its view and rate) and the pushes it receives, counted by name.
// Reads both protocols: JSON (text, records end with \x1e) and MessagePack (binary, each
// message prefixed with its length as a varint).
import { decode } from '@msgpack/msgpack';

const RS = '\x1e';

/** SignalR messages in one WebSocket frame; only invocations (type 1) as { target, args }. */
export function invocations(payload) {
  const out = [];
  if (typeof payload === 'string') {
    for (const part of payload.split(RS)) {
      if (!part) continue;
      const m = JSON.parse(part);
      if (m.type === 1) out.push({ target: m.target, args: m.arguments ?? [] });
    }
    return out;
  }
  const buf = Buffer.from(payload);
  // On a binary connection the handshake ({...}\x1e) comes in binary frames too, maybe with
  // the first messages after it in the same frame.
  let i = 0;
  if (buf[0] === 0x7b) {
    const end = buf.indexOf(0x1e);
    i = end < 0 ? buf.length : end + 1;
  }
  while (i < buf.length) {
    let size = 0;
    let shift = 0;
    let b;
    do {
      b = buf[i++];
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    const m = decode(buf.subarray(i, i + size));
    i += size;
    if (Array.isArray(m) && m[0] === 1) out.push({ target: m[3], args: m[4] ?? [] });
  }
  return out;
}

/** Watches every hub connection the page opens from now on (call before page.goto). */
export function watchHub(page) {
  const received = new Map();
  const calls = [];
  const errors = [];
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/hubs/results')) return;
    const read = (payload) => {
      try {
        return invocations(payload);
      } catch (e) {
        errors.push(`${e}: ${Buffer.from(payload).toString('hex').slice(0, 80)}`);
        return [];
      }
    };
    ws.on('framereceived', ({ payload }) => {
      for (const m of read(payload)) received.set(m.target, (received.get(m.target) ?? 0) + 1);
    });
    ws.on('framesent', ({ payload }) => {
      for (const m of read(payload)) calls.push(m);
    });
  });
  return {
    received,
    calls,
    count: (name) => received.get(name) ?? 0,
    /** The third argument of every SubscribeWith, as sent. */
    subscribeOptions: () => calls.filter((c) => c.target === 'SubscribeWith').map((c) => c.args[2]),
    summary: () => JSON.stringify({ received: Object.fromEntries(received), calls: calls.map((c) => `${c.target}${JSON.stringify(c.args)}`), errors }),
  };
}
