// Wire decoding of the legislative shapes (ResultsMessages.cs), as JSON (absent optional
// fields) and as MessagePack (nil, 64-bit integers as bigint).
import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
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

// The frames of SubscribeWith as the server writes them (LeanFrames.cs): null fields left out,
// in JSON (JsonIgnore WhenWritingNull) and in MessagePack (a map without those keys).
const headlineJson = {
  contest: 'dpr', region: 'parliament:0', epoch: 'k3j9x2', prevVersion: 120, version: 123,
  stations: { total: 820161, reported: 1000, quarantined: 3 },
  votes: { '1': 5021, '2': 4400 }, valid: 9421, invalid: 112,
  seats: { total: 580, won: { '1': 300, '2': 280 }, threshold: { percent: 4, valid: 9421, votes: 377, passing: ['1', '2'] }, dapils: [] },
};
const leanDeltaJson = {
  contest: 'dprd_kab', region: 'dapil:640301', epoch: 'k3j9x2', prevVersion: 120, version: 123,
  stations: { total: 206, reported: 3, quarantined: 0 }, votes: { '1': 40, '2': 37 }, valid: 77, invalid: 1,
  children: [{ id: '6403051003', reported: 3, votes: { '1': 40 }, valid: 77 }, { id: '6403051004', invalid: 1 }],
  candidates: [{ id: '1.1', votes: 11, rank: 1, elected: true }, { id: '2.2', rank: 2 }],
  seats: dapilJson.seats,
};

describe('lean frames', () => {
  function viaMsgpack(value: unknown, big = true): unknown {
    const v = decode(encode(value));
    const bigints = (x: unknown): unknown => (typeof x === 'number' && Number.isInteger(x) ? BigInt(x)
      : Array.isArray(x) ? x.map(bigints)
        : x !== null && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, bigints(y)])) : x);
    return big ? bigints(v) : v;
  }

  for (const [name, via] of [['JSON', (v: unknown) => JSON.parse(JSON.stringify(v))], ['MessagePack', viaMsgpack]] as const) {
    it(`decodes a Headline (${name})`, () => {
      const h = toHeadline(via(headlineJson));
      expect(h).toEqual({ ...headlineJson, seats: { ...headlineJson.seats, dapils: [] } });
      const region = toHeadline(via({ ...headlineJson, region: '0', seats: undefined }));
      expect(region.seats).toBeNull();
      expect(region.version).toBe(123);
    });

    it(`decodes a Delta: absent fields stay absent (${name})`, () => {
      const d = toLeanDelta(via(leanDeltaJson));
      expect(d.children).toEqual([{ id: '6403051003', reported: 3, votes: { '1': 40 }, valid: 77 }, { id: '6403051004', invalid: 1 }]);
      expect(Object.keys(d.children[1] ?? {})).toEqual(['id', 'invalid']);
      expect(d.candidates).toEqual([{ id: '1.1', votes: 11, rank: 1, elected: true }, { id: '2.2', rank: 2 }]);
      expect(d.seats?.dapils[0]?.runnerUp?.votesNeeded).toBe(6);
      expect(d.prevVersion).toBe(120);
      expect(d.stations).toEqual({ total: 206, reported: 3, quarantined: 0 });
    });
  }

  it('reads nil as absent, drops nil vote counts, keeps a false elected and zero counts', () => {
    const d = toLeanDelta(viaMsgpack({
      ...leanDeltaJson,
      children: [{ id: '7', reported: null, quarantined: 0, votes: { '1': null, '2': 0 }, valid: null, invalid: null }],
      candidates: [{ id: '1.1', votes: null, rank: null, elected: false }],
      seats: null,
    }));
    expect(d.children).toEqual([{ id: '7', quarantined: 0, votes: { '2': 0 } }]);
    expect(d.candidates).toEqual([{ id: '1.1', elected: false }]);
    expect(d.seats).toBeNull();
  });

  it('takes a region group\'s Delta without candidates or seats, and ids that came as numbers', () => {
    const d = toLeanDelta(viaMsgpack({ contest: 'ppwp', region: '0', epoch: 'e', prevVersion: 1, version: 2,
      stations: { total: 9, reported: 1, quarantined: 0 }, votes: { '01': 1 }, valid: 1, invalid: 0, children: [{ id: 11, reported: 1 }] }, false));
    expect(d.candidates).toBeNull();
    expect(d.seats).toBeNull();
    expect(d.children).toEqual([{ id: '11', reported: 1 }]);
  });

  it('reads a child\'s station counts from a `stations` object too', () => {
    const d = toLeanDelta({ ...leanDeltaJson, children: [{ id: '1', stations: { reported: 4 } }] });
    expect(d.children).toEqual([{ id: '1', reported: 4 }]);
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
