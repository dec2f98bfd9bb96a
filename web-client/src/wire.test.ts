// Wire decoding of the legislative shapes (ResultsMessages.cs), as JSON (absent optional
// fields) and as MessagePack (nil, 64-bit integers as bigint).
import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { type PackParts, type WireFrame, pack, sint, uint, viaJson, viaMsgpack } from './test/packed';
import { PackedReader, readChildren, readPacked } from './packed-reader';
import { toDelta, toElection, toHeadline, toHeld, toLeanDelta, toParliaments, toResume, toSnapshot } from './wire';

const dapilJson = {
  contest: 'dprd_kab',
  region: { id: 'dapil:640301', name: 'Kab. Berau 1', level: 'dapil' },
  parents: [{ id: '0', name: 'IDN', level: 'national' }, { id: 'parliament:6403', name: 'DPRD Kabupaten Berau', level: 'parliament' }],
  epoch: 'c7468455', version: 3,
  stations: { total: 206, reported: 2, quarantined: 1 },
  votes: { '1': 32, '2': 37 }, valid: 69, invalid: 0,
  children: [{ id: '6403051003', name: 'SUNGAI BEDUNGUN', level: 'village', stations: { total: 29, reported: 2, quarantined: 1 }, votes: { '1': 32, '2': 37 }, valid: 69, invalid: 0 }],
  candidates: [
    { id: '1.1', party: '1', number: 1, name: 'REZKY KURNIAWAN', votes: 3, rank: 4, elected: false },
    { id: '2.2', party: '2', number: 2, name: 'MUH. NASIR JUNAID', votes: 9, rank: 1, elected: true },
  ],
  seats: {
    total: 8, won: { '2': 1 }, threshold: null,
    dapils: [{
      id: 'dapil:640301', name: 'Kab. Berau 1', seats: 8, won: { '2': 1 },
      elected: [{ id: '2.2', party: '2', name: 'MUH. NASIR JUNAID', votes: 9 }],
      last: { choice: '2', votes: 37, divisor: 1, votesNeeded: 0 },
      runnerUp: { choice: '1', votes: 32, divisor: 1, votesNeeded: 6 },
    }],
  },
};

describe('JSON', () => {
  it('decodes a dapil snapshot with candidates and seats', () => {
    const s = toSnapshot(dapilJson);
    expect(s.region.level).toBe('dapil');
    expect(s.parents[1]?.level).toBe('parliament');
    expect(s.candidates).toEqual(dapilJson.candidates);
    expect(s.seats?.dapils[0]?.runnerUp).toEqual({ choice: '1', votes: 32, divisor: 1, votesNeeded: 6 });
    expect(s.seats?.threshold).toBeNull();
    expect(s.stations).toEqual({ total: 206, reported: 2, quarantined: 1 });
  });

  it('leaves the legislative sections null where a region group has none (left out in JSON)', () => {
    const { candidates: _c, seats: _s, ...region } = dapilJson;
    const s = toSnapshot({ ...region, region: { id: '6403', name: 'BERAU', level: 'regency' } });
    expect(s.candidates).toBeNull();
    expect(s.seats).toBeNull();
    expect(s.region.level).toBe('regency');
  });

  it('decodes the DPR threshold and a DPD candidate without a party', () => {
    const s = toSnapshot({
      ...dapilJson,
      candidates: [{ id: '7', party: null, number: 7, name: 'X', votes: 1, rank: 1, elected: true }],
      seats: { total: 580, won: {}, threshold: { percent: 4, valid: 4000, votes: 160, passing: ['1', '3'] }, dapils: [] },
    });
    expect(s.candidates?.[0]?.party).toBeNull();
    expect(s.seats?.threshold).toEqual({ percent: 4, valid: 4000, votes: 160, passing: ['1', '3'] });
  });

  it('decodes a parliament delta and a Resume with deltas', () => {
    const d = toDelta({
      contest: 'dprd_kab', region: 'parliament:6403', epoch: 'e', prevVersion: 2, version: 3,
      stations: { total: 807, reported: 2, quarantined: 0 }, votes: { '1': 5 }, valid: 5, invalid: 0,
      children: [{ id: 'dapil:640301', name: 'Kab. Berau 1', level: 'dapil', stations: { total: 206, reported: 2, quarantined: 0 }, votes: { '1': 5 }, valid: 5, invalid: 0 }],
      seats: dapilJson.seats,
    });
    expect(d.children[0]?.level).toBe('dapil');
    expect(d.seats?.dapils[0]?.elected[0]?.name).toBe('MUH. NASIR JUNAID');
    expect(d.candidates).toBeNull();
    const r = toResume({ deltas: [dapilJson], snapshot: null });
    expect(r.snapshot).toBeNull();
    expect(r.deltas[0]?.candidates).toHaveLength(2);
  });

  it('reads the chain link of a snapshot and a TotalsChanged; a snapshot without one stays without', () => {
    const chain = { seq: 3, hash: 'ab'.repeat(32) };
    expect(toSnapshot({ ...dapilJson, chain }).chain).toEqual(chain);
    expect('chain' in toSnapshot(dapilJson)).toBe(false);
    expect(toDelta({ ...dapilJson, prevVersion: 2, chain }).chain).toEqual(chain);
    expect(toDelta(dapilJson).chain).toBeNull();
  });
});

describe('MessagePack', () => {
  /** Every integer as a bigint, as a MessagePack decoder may hand over 64-bit integers. */
  function bigints(v: unknown): unknown {
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    if (Array.isArray(v)) return v.map(bigints);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bigints(x)]));
    return v;
  }

  /** Through MessagePack (nil stays nil, a left-out key stays out), then with bigint integers. */
  function viaMsgpack(value: unknown): unknown {
    return bigints(decode(encode(value)));
  }

  it('decodes bigint numbers and nil sections of a region group', () => {
    const raw = viaMsgpack({
      ...dapilJson,
      region: { id: '6403', name: 'BERAU', level: 'regency' },
      version: 9007199254740000,
      stations: { total: 807, reported: 2, quarantined: 0 },
      votes: { '1': 32, '2': 37 },
      candidates: null,
      seats: null,
    }) as Record<string, unknown>;
    expect(typeof (raw.stations as Record<string, unknown>).total).toBe('bigint');
    const s = toSnapshot(raw);
    expect(s.version).toBe(9007199254740000);
    expect(s.stations.total).toBe(807);
    expect(s.votes).toEqual({ '1': 32, '2': 37 });
    expect(s.candidates).toBeNull();
    expect(s.seats).toBeNull();
  });

  it('decodes candidates and seats with bigint votes and nil claims', () => {
    const raw = viaMsgpack({
      ...dapilJson,
      candidates: [{ id: '1.1', party: '1', number: 1, name: 'A', votes: 3, rank: 4, elected: false }, { id: '5', party: null, number: 5, name: 'B', votes: 0, rank: 1, elected: false }],
      seats: { total: 8, won: {}, threshold: null, dapils: [{ id: 'dapil:640301', name: 'Kab. Berau 1', seats: 8, won: {}, elected: [], last: null, runnerUp: null }] },
    });
    const s = toSnapshot(raw);
    expect(s.candidates?.map((c) => [c.id, c.party, c.votes])).toEqual([['1.1', '1', 3], ['5', null, 0]]);
    expect(s.seats?.dapils[0]).toEqual({ id: 'dapil:640301', name: 'Kab. Berau 1', seats: 8, won: {}, elected: [], last: null, runnerUp: null });
    const withClaims = toSnapshot(viaMsgpack(dapilJson));
    expect(withClaims.seats?.dapils[0]?.runnerUp?.votesNeeded).toBe(6);
  });

  it('treats a missing key like nil (an older server)', () => {
    const s = toDelta(viaMsgpack({ contest: 'ppwp', region: '0', epoch: 'e', prevVersion: 1, version: 2, votes: { '01': 1 } }));
    expect(s.candidates).toBeNull();
    expect(s.seats).toBeNull();
    expect(s.version).toBe(2);
    expect(s.children).toEqual([]);
  });
});

// SubscribeWith's packed frames (layout 2): positional in MessagePack, named in JSON, the
// numbers in `packed` as LEB128 varints (zigzag for signed ones).
describe('varints', () => {
  const read = (bytes: number[]) => new PackedReader(Uint8Array.from(bytes));

  // Hand-written: zigzag maps 0, -1, 1, -2 … to 0, 1, 2, 3 …; 7 bits a byte, low first.
  const signed: [number, number[]][] = [
    [0, [0x00]], [-1, [0x01]], [1, [0x02]], [63, [0x7e]], [-64, [0x7f]], [64, [0x80, 0x01]],
    [8191, [0xfe, 0x7f]], [8192, [0x80, 0x80, 0x01]], [-8193, [0x81, 0x80, 0x01]],
    [2 ** 31, [0x80, 0x80, 0x80, 0x80, 0x10]], [-(2 ** 31), [0xff, 0xff, 0xff, 0xff, 0x0f]],
    [2 ** 40, [0x80, 0x80, 0x80, 0x80, 0x80, 0x40]], [-(2 ** 40) - 1, [0x81, 0x80, 0x80, 0x80, 0x80, 0x40]],
  ];
  for (const [value, bytes] of signed) {
    it(`reads and writes ${value} as zigzag ${bytes.map((b) => b.toString(16)).join(' ')}`, () => {
      const r = read(bytes);
      expect(r.sint()).toBe(value);
      expect(r.done).toBe(true);
      expect(sint(value)).toEqual(bytes);
    });
  }

  it('reads unsigned varints up to 2^53 - 1', () => {
    expect(read([0x7f]).uint()).toBe(127);
    expect(read([0x80, 0x01]).uint()).toBe(128);
    expect(read([0xff, 0xff, 0xff, 0xff, 0x0f]).uint()).toBe(2 ** 32 - 1);
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
    expect(read(max).uint()).toBe(Number.MAX_SAFE_INTEGER);
    expect(uint(Number.MAX_SAFE_INTEGER)).toEqual(max);
  });

  it('refuses what a number cannot hold exactly, an endless varint, and missing bytes', () => {
    const two53 = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
    expect(() => read(two53).uint()).toThrow();
    expect(() => read([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).uint()).toThrow();
    expect(() => read([0x80]).uint()).toThrow();
    expect(() => read([]).byte()).toThrow();
  });
});

// A Delta's `packed`, written by hand from the layout, so that the test writer (test/packed.ts)
// is checked against the layout and not only against the reader.
const HASH = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const DELTA_BYTES = [
  0x03, //                     flags: a hash follows the totals (1), children follow (2)
  0xd0, 0x0f, //               reported 1000 (zigzag 2000)
  0x06, //                     quarantined 3
  0xb0, 0xa4, 0x63, //         total 813336
  0x9a, 0x93, 0x01, //         valid 9421
  0xe0, 0x01, //               invalid 112
  0x02, //                     n = 2 votes
  0xba, 0x4e, 0xe0, 0x44, //   "01" 5021, "02" 4400
  ...Array.from({ length: 32 }, (_, i) => i), // the hash, raw
  0x02, //                     2 children
  0x00, //                     key 0: gap 0 (index 0), increments
  0x02, 0x01, 0x9e, 0x02, 0x00, // reported +1, quarantined -1, valid +143, invalid +0
  0xac, 0x02, 0x0d, //         votes +150, -7 (a correction)
  0x03, //                     key 3: gap 1 (index 2), absolute
  0x08, 0x00, 0x8c, 0x01, 0x04, // reported 4, quarantined 0, valid 70, invalid 2
  0x50, 0x3c, //               votes 40, 30
];
const DELTA_PARTS: PackParts = {
  totals: { stations: { reported: 1000, quarantined: 3, total: 813336 }, valid: 9421, invalid: 112, votes: [5021, 4400] },
  hash: HASH,
  children: [
    { index: 0, reported: 1, quarantined: -1, valid: 143, invalid: 0, votes: [150, -7] },
    { index: 2, absolute: true, reported: 4, quarantined: 0, valid: 70, invalid: 2, votes: [40, 30] },
  ],
};

describe('packed', () => {
  it('reads a hand-written Delta, and the test writer writes the same bytes', () => {
    const bytes = Uint8Array.from(DELTA_BYTES);
    expect(pack(DELTA_PARTS)).toEqual(bytes);
    const p = readPacked(bytes);
    expect(p?.totals).toEqual(DELTA_PARTS.totals);
    expect(p?.chainHash).toBe(HASH);
    expect(readChildren(p?.children as Uint8Array, [2, 2, 2])).toEqual([
      { index: 0, absolute: false, reported: 1, quarantined: -1, valid: 143, invalid: 0, votes: [150, -7] },
      { index: 2, absolute: true, reported: 4, quarantined: 0, valid: 70, invalid: 2, votes: [40, 30] },
    ]);
  });

  it('reads the children only against the vote counts held: an index past them, or a count that differs, fails', () => {
    const children = readPacked(Uint8Array.from(DELTA_BYTES))?.children as Uint8Array;
    expect(readChildren(children, [2, 2])).toBeNull(); // index 2 of 2
    expect(readChildren(children, [2, 2, 1])).toBeNull(); // a byte left over
    expect(readChildren(children, [2, 2, 3])).toBeNull(); // a byte missing
    expect(readChildren(children, [3, 2, 2])).toBeNull(); // misread from there on: the next key skips past the children
  });

  it('reads a Headline\'s (flags 0: totals only) and large counts', () => {
    const totals = { stations: { reported: 2 ** 31, quarantined: 0, total: 2 ** 40 }, valid: 8192, invalid: 63, votes: [2 ** 40 - 1, 0, 64] };
    expect(readPacked(pack({ totals }))).toEqual({ totals, chainHash: null, children: null });
  });

  it('refuses malformed bytes: truncated, left over, unknown flags, a vote count past the bytes, a short hash', () => {
    const headline = pack({ totals: { stations: { reported: 1, quarantined: 0, total: 2 }, valid: 3, invalid: 0, votes: [1, 2] } });
    expect(readPacked(headline)).not.toBeNull();
    expect(readPacked(headline.subarray(0, headline.length - 1))).toBeNull();
    expect(readPacked(Uint8Array.from([...headline, 0x00]))).toBeNull();
    expect(readPacked(Uint8Array.from([0x04, ...headline.subarray(1)]))).toBeNull();
    expect(readPacked(Uint8Array.from([0x00, 0, 0, 0, 0, 0, 0x7f, 0x01]))).toBeNull();
    expect(readPacked(Uint8Array.from(DELTA_BYTES.slice(0, 30)))).toBeNull();
    expect(readPacked(new Uint8Array())).toBeNull();
  });
});

describe('packed frames', () => {
  const seats = { total: 580, won: { '1': 300, '2': 280 }, threshold: { percent: 4, valid: 9421, votes: 377, passing: ['1', '2'] }, dapils: [] };
  const headline: WireFrame = {
    contest: 'dpr', region: 'parliament:0', prevVersion: 120, version: 123,
    packed: pack({ totals: DELTA_PARTS.totals }), seats,
  };
  const delta: WireFrame = {
    contest: 'dprd_kab', region: 'dapil:640301', prevVersion: 120, version: 123,
    packed: Uint8Array.from(DELTA_BYTES),
    candidates: [{ id: '1.1', votes: 11, rank: 1, elected: true }, { id: '2.2', rank: 2 }],
    seats: dapilJson.seats,
  };

  for (const [name, via] of [['JSON', (_: 'Headline' | 'Delta', f: WireFrame) => viaJson(f)], ['MessagePack', viaMsgpack]] as const) {
    it(`decodes a Headline (${name})`, () => {
      expect(toHeadline(via('Headline', headline))).toEqual({
        contest: 'dpr', region: 'parliament:0', prevVersion: 120, version: 123,
        packed: { totals: DELTA_PARTS.totals, chainHash: null, children: null }, seats,
      });
      const region = toHeadline(via('Headline', { ...headline, region: '0', seats: undefined }));
      expect(region.seats).toBeNull();
      expect(region.packed?.totals.votes).toEqual([5021, 4400]);
    });

    it(`decodes a Delta (${name})`, () => {
      const d = toLeanDelta(via('Delta', delta));
      expect([d.contest, d.region, d.prevVersion, d.version]).toEqual(['dprd_kab', 'dapil:640301', 120, 123]);
      expect(d.packed?.chainHash).toBe(HASH);
      expect(d.packed?.children).toEqual(Uint8Array.from(DELTA_BYTES.slice(-18)));
      expect(d.candidates).toEqual([{ id: '1.1', votes: 11, rank: 1, elected: true }, { id: '2.2', rank: 2 }]);
      expect(d.seats?.dapils[0]?.runnerUp?.votesNeeded).toBe(6);
    });
  }

  it('takes the items MessagePack leaves out at the end as nil, and 64-bit versions as bigint', () => {
    const raw = viaMsgpack('Delta', { ...delta, candidates: null, seats: null });
    expect(raw).toHaveLength(5);
    const d = toLeanDelta([...(raw as unknown[]).slice(0, 2), 120n, 9007199254740000n, (raw as unknown[])[4]]);
    expect(d.candidates).toBeNull();
    expect(d.seats).toBeNull();
    expect(d.version).toBe(9007199254740000);
    // Candidates without seats: the array stops after them.
    expect(viaMsgpack('Delta', { ...delta, seats: undefined })).toHaveLength(6);
  });

  it('leaves `packed` null when it is missing or not base64: the frame cannot be applied', () => {
    expect(toHeadline({ ...(viaJson(headline) as object), packed: 'not base64!' }).packed).toBeNull();
    expect(toHeadline({ ...(viaJson(headline) as object), packed: undefined }).packed).toBeNull();
    expect(toLeanDelta(['ppwp', '0', 1, 2]).packed).toBeNull();
  });
});

describe('publication holds', () => {
  const region = { contest: 'ppwp', region: { id: '0', name: 'IDN', level: 'national' }, parents: [], version: 40,
    stations: { total: 1, reported: 1, quarantined: 0 }, votes: { '01': 1 }, valid: 1, invalid: 0, children: [] };

  it('reads a held snapshot\'s `held`, and leaves a live snapshot without one', () => {
    const held = toSnapshot({ ...region, epoch: 'k3-held', held: { seq: 40, since: '2019-04-17T12:00:00+00:00' } });
    expect(held.held).toEqual({ seq: 40, since: '2019-04-17T12:00:00+00:00' });
    expect('held' in toSnapshot({ ...region, epoch: 'k3' })).toBe(false);
    expect('held' in toSnapshot(decode(encode({ ...region, epoch: 'k3', held: null })))).toBe(false);
  });

  it('reads the Held push, through MessagePack too (seq as a bigint)', () => {
    const raw = { contest: 'ppwp', region: 'dapil:640301', held: true, seq: 40, since: '2019-04-17T12:00:00+00:00' };
    expect(toHeld(raw)).toEqual(raw);
    expect(toHeld({ ...(decode(encode({ ...raw, held: false })) as object), seq: 40n })).toEqual({ ...raw, held: false });
  });

  it('reads `rehearsal` of the election, false when an older server leaves it out', () => {
    expect(toElection({ id: 'x', rehearsal: true }).rehearsal).toBe(true);
    expect(toElection({ id: 'x' }).rehearsal).toBe(false);
  });
});

describe('election', () => {
  it('decodes contests with their kind, the parties with colours, and the notice', () => {
    const e = toElection({
      id: 'pemilu2024', name: 'Pemilihan Umum 2024', notice: 'SYNTHETIC',
      contests: [
        { id: 'ppwp', name: 'Presiden', kind: 'flat', choices: [{ id: '01', name: 'A' }], thresholdPercent: 0, parliaments: 0 },
        { id: 'dpr', name: 'DPR', kind: 'partyList', choices: [{ id: '1', name: 'PKB' }], thresholdPercent: 4, parliaments: 1 },
      ],
      parties: [{ id: '1', number: 1, shortName: 'PKB', name: 'Partai Kebangkitan Bangsa', acehOnly: false, colour: '#00b156' }],
    });
    expect(e.notice).toBe('SYNTHETIC');
    expect(e.contests.map((c) => [c.id, c.kind, c.thresholdPercent, c.parliaments])).toEqual([['ppwp', 'flat', 0, 0], ['dpr', 'partyList', 4, 1]]);
    expect(e.parties[0]).toEqual({ id: '1', number: 1, shortName: 'PKB', name: 'Partai Kebangkitan Bangsa', acehOnly: false, colour: '#00b156' });
  });

  it('reads an older election (no kind, parties or notice) as presidential', () => {
    const e = toElection({ id: 'pilpres2019', name: 'Pilpres', contests: [{ id: 'ppwp', name: 'P', choices: [] }] });
    expect(e.notice).toBeNull();
    expect(e.parties).toEqual([]);
    expect(e.contests[0]?.kind).toBe('flat');
    expect(toElection({ notice: '  ' }).notice).toBeNull();
  });

  it('decodes the parliaments list', () => {
    const list = toParliaments([{ id: 'parliament:6403', name: 'DPRD Kabupaten Berau', region: '6403', seats: 30,
      dapils: [{ id: 'dapil:640301', code: '640301', name: 'Kab. Berau 1', seats: 8, stations: 206 }] }]);
    expect(list[0]?.dapils[0]).toEqual({ id: 'dapil:640301', code: '640301', name: 'Kab. Berau 1', seats: 8, stations: 206 });
    expect(toParliaments(null)).toEqual([]);
  });
});
