// The station view's arithmetic, free of DOM: a station's audit trail
// (GET /api/v1/stations/{station}/forms/{contest}) as columns of revisions side by side, each
// number with its change from the revision before, which revision the totals count, and why
// a held revision is held, in words and in its own numbers.
import { byNumber } from './election';
import { type Lang, formatInt } from './format';

/** A party's votes on a party-list form: its own, and per candidate number. */
export interface PartyVotes {
  party: number;
  candidates: Record<string, number>;
}

export interface Revision {
  revision: number;
  seq: number;
  /** `counted`, `quarantined` or `rejected` (an operator's decision to keep a held form out). */
  status: string;
  problems: string[];
  /** Per choice a count (pairs, DPD candidates), or per party its own and its candidates' votes. */
  votes: Record<string, number | PartyVotes>;
  valid: number;
  invalid: number;
  total: number;
  receivedAt: string;
  /** The revision an operator's decision is about. */
  accepts: number | null;
  submitter: string;
  reason: string | null;
  hash: string | null;
}

export interface StationTrail {
  station: string;
  contest: string;
  village: { id: string; name: string };
  /** The revision in the totals; null when none is. */
  counted: number | null;
  /** The latest revision is held, waiting for a correction or an operator. */
  pending: boolean;
  revisions: Revision[];
  registeredVoters: number | null;
  /** The most ballots the station may report before R3 (R4 abroad) holds its form; null from an older server. */
  ballotLimit: number | null;
  /** Each problem code in the server's words. */
  rules: Record<string, string>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' ? (v as Obj) : {});
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

export function toStationTrail(v: unknown): StationTrail {
  const o = obj(v);
  const rules: Record<string, string> = {};
  for (const [k, w] of Object.entries(obj(o.rules))) rules[k] = str(w);
  return {
    station: str(o.station),
    contest: str(o.contest),
    village: { id: str(obj(o.village).id), name: str(obj(o.village).name) },
    counted: optNum(o.counted),
    pending: o.pending === true,
    revisions: (Array.isArray(o.revisions) ? o.revisions : []).map((r) => {
      const ro = obj(r);
      const votes: Record<string, number | PartyVotes> = {};
      for (const [id, x] of Object.entries(obj(ro.votes))) {
        if (typeof x === 'object' && x !== null) {
          const candidates: Record<string, number> = {};
          for (const [c, n] of Object.entries(obj(obj(x).candidates))) candidates[c] = num(n);
          votes[id] = { party: num(obj(x).party), candidates };
        } else votes[id] = num(x);
      }
      return {
        revision: num(ro.revision), seq: num(ro.seq), status: str(ro.status),
        problems: Array.isArray(ro.problems) ? ro.problems.map(str) : [],
        votes, valid: num(ro.valid), invalid: num(ro.invalid), total: num(ro.total),
        receivedAt: str(ro.receivedAt), accepts: optNum(ro.accepts), submitter: str(ro.submitter),
        reason: ro.reason === null || ro.reason === undefined ? null : str(ro.reason),
        hash: ro.hash === null || ro.hash === undefined ? null : str(ro.hash),
      };
    }),
    registeredVoters: optNum(o.registeredVoters),
    ballotLimit: optNum(o.ballotLimit),
    rules,
  };
}

/** Rules that hold a form out of the totals (R2 only flags it). */
const HOLDING = new Set(['R1', 'R3', 'R4', 'P1']);

/**
 * The rules in words, as fragments that follow a code or a colon ("R1 the choices' votes …").
 * English comes from the server (its `rules`, FormRules.Describe); these are the Indonesian
 * words and the English fallback for an older server.
 */
const RULE_WORDS: Record<Lang, Record<string, string>> = {
  id: {
    R1: 'jumlah suara pilihan tidak sama dengan suara sah',
    R2: 'suara sah ditambah tidak sah tidak sama dengan surat suara yang digunakan',
    R3: 'surat suara lebih banyak dari yang dimungkinkan pemilih terdaftar (DPT) TPS ini',
    R4: 'surat suara lebih banyak dari batas TPS luar negeri jenis ini',
    P1: 'jumlah suara partai tidak sama dengan suara sah',
  },
  en: {
    R1: "the choices' votes do not add up to the valid votes",
    R2: 'valid plus invalid votes do not equal the ballots used',
    R3: "more ballots than the station's registered voters allow",
    R4: 'more ballots than a station abroad of this kind can have',
    P1: "the parties' totals do not add up to the valid votes",
  },
};

/** A rule code in words: the server's in English, ours in Indonesian; the code itself if neither knows it. */
export function ruleWords(code: string, lang: Lang, server: Record<string, string> = {}): string {
  return lang === 'en' ? server[code] ?? RULE_WORDS.en[code] ?? code : RULE_WORDS.id[code] ?? server[code] ?? code;
}

/** A party's total on its form: its own votes plus its candidates'. */
export function partyTotal(v: number | PartyVotes): number {
  if (typeof v === 'number') return v;
  let sum = v.party;
  for (const n of Object.values(v.candidates)) sum += n;
  return sum;
}

const L = {
  id: {
    sum: 'jumlah suara', valid: 'suara sah', used: 'surat suara digunakan', limit: 'batas', dpt: 'DPT', allowance: 'cadangan', total: 'jumlah surat suara',
    none: 'Belum ada formulir dari TPS ini.',
    counted: (r: number) => `Revisi ${r} dihitung dalam total.`,
    held: (r: number) => `Revisi ${r} ditahan di luar total`,
    keeps: (r: number) => `Revisi ${r} tetap dihitung sampai revisi perbaikan masuk atau operator menerima yang ditahan.`,
    nothing: 'Belum ada angka TPS ini dalam total sampai revisi perbaikan masuk atau operator menerimanya.',
    rejected: (r: number) => `Operator menolak revisi ${r}`,
    stays: (r: number) => `revisi ${r} tetap dihitung.`,
    noneCounted: 'tidak ada angka TPS ini dalam total.',
  },
  en: {
    sum: 'votes add up to', valid: 'valid votes', used: 'ballots used', limit: 'limit', dpt: 'DPT', allowance: 'allowance', total: 'total',
    none: 'No form from this station yet.',
    counted: (r: number) => `Revision ${r} is counted in the totals.`,
    held: (r: number) => `Revision ${r} is held out of the totals`,
    keeps: (r: number) => `Revision ${r} stays counted until a corrected revision arrives or an operator accepts the held one.`,
    nothing: "Nothing from this station is in the totals until a corrected revision arrives or an operator accepts it.",
    rejected: (r: number) => `An operator rejected revision ${r}`,
    stays: (r: number) => `revision ${r} stays counted.`,
    noneCounted: 'nothing from this station is in the totals.',
  },
} as const;

/** A failed rule: its code, its words, and what the revision's own numbers say. */
export interface RuleFinding {
  code: string;
  words: string;
  detail: string;
  holds: boolean;
}

/** Each problem of a revision with the numbers behind it ("votes add up to 59, valid votes 159"). */
export function findings(r: Revision, trail: StationTrail, lang: Lang): RuleFinding[] {
  const w = L[lang];
  const f = (n: number) => formatInt(n, lang);
  const sum = Object.values(r.votes).reduce<number>((a, v) => a + partyTotal(v), 0);
  const used = Math.max(r.total, r.valid + r.invalid);
  return r.problems.map((code) => {
    let detail = '';
    if (code === 'R1' || code === 'P1') detail = `${w.sum} ${f(sum)}; ${w.valid} ${f(r.valid)}`;
    else if (code === 'R2') detail = `${w.valid} + ${lang === 'en' ? 'invalid' : 'tidak sah'} = ${f(r.valid + r.invalid)}; ${w.total} ${f(r.total)}`;
    else if ((code === 'R3' || code === 'R4') && trail.ballotLimit !== null) {
      const dpt = code === 'R3' && trail.registeredVoters !== null ? ` (${w.dpt} ${f(trail.registeredVoters)} + ${w.allowance})` : '';
      detail = `${w.used} ${f(used)}; ${w.limit} ${f(trail.ballotLimit)}${dpt}`;
    }
    return { code, words: ruleWords(code, lang, trail.rules), detail, holds: HOLDING.has(code) };
  });
}

/** One sentence (or two) on what the totals hold from this station, and why. */
export function summaryOf(trail: StationTrail, lang: Lang): string {
  const w = L[lang];
  const latest = trail.revisions[trail.revisions.length - 1];
  if (!latest) return w.none;
  if (latest.status === 'quarantined') {
    const why = findings(latest, trail, lang).filter((x) => x.holds).map((x) => x.words).join('; ');
    return `${w.held(latest.revision)}: ${why}. ${trail.counted !== null ? w.keeps(trail.counted) : w.nothing}`;
  }
  if (latest.status === 'rejected') {
    const about = latest.accepts ?? latest.revision;
    return `${w.rejected(about)}${latest.reason ? ` (“${latest.reason}”)` : ''}; ${trail.counted !== null ? w.stays(trail.counted) : w.noneCounted}`;
  }
  return trail.counted !== null ? w.counted(trail.counted) : w.none;
}

/** A number of every revision, with its change from the revision before (null for the first). */
export interface NumberCell {
  value: number;
  change: number | null;
}

export interface NumberRow {
  /** A choice or party id, `<party>.<candidate>` for a candidate, or `valid`, `invalid`, `total`. */
  key: string;
  kind: 'choice' | 'party' | 'candidate' | 'own' | 'sum';
  /** For candidates and a party's own votes: their party. */
  party?: string;
  cells: NumberCell[];
}

/** Rows of numbers, one column per revision (oldest first): choices or parties (with their own and candidates' votes), then valid, invalid, total. */
export function numberRows(revisions: Revision[]): NumberRow[] {
  const cells = (get: (r: Revision) => number): NumberCell[] => revisions.map((r, i) => {
    const value = get(r);
    return { value, change: i === 0 ? null : value - get(revisions[i - 1]!) };
  });
  const ids = [...new Set(revisions.flatMap((r) => Object.keys(r.votes)))].sort(byNumber);
  const partyList = revisions.some((r) => Object.values(r.votes).some((v) => typeof v !== 'number'));
  const rows: NumberRow[] = [];
  for (const id of ids) {
    const of = (r: Revision) => r.votes[id] ?? 0;
    if (!partyList) {
      rows.push({ key: id, kind: 'choice', cells: cells((r) => partyTotal(of(r))) });
      continue;
    }
    rows.push({ key: id, kind: 'party', cells: cells((r) => partyTotal(of(r))) });
    rows.push({ key: `${id}.party`, kind: 'own', party: id, cells: cells((r) => { const v = of(r); return typeof v === 'number' ? v : v.party; }) });
    const candidates = [...new Set(revisions.flatMap((r) => { const v = of(r); return typeof v === 'number' ? [] : Object.keys(v.candidates); }))].sort(byNumber);
    for (const c of candidates) {
      rows.push({ key: `${id}.${c}`, kind: 'candidate', party: id, cells: cells((r) => { const v = of(r); return typeof v === 'number' ? 0 : v.candidates[c] ?? 0; }) });
    }
  }
  rows.push({ key: 'valid', kind: 'sum', cells: cells((r) => r.valid) });
  rows.push({ key: 'invalid', kind: 'sum', cells: cells((r) => r.invalid) });
  rows.push({ key: 'total', kind: 'sum', cells: cells((r) => r.total) });
  return rows;
}

/** "+100", "−3", "" for no change or the first revision. */
export function changeText(change: number | null, lang: Lang): string {
  if (!change) return '';
  return `${change > 0 ? '+' : '−'}${formatInt(Math.abs(change), lang)}`;
}

/** The station's name as the screens show it: "TPS 2" (2019 `25830.2`, 2024 `1101012001002`). */
export function stationName(station: string): string {
  const dot = station.lastIndexOf('.');
  const number = dot >= 0 ? station.slice(dot + 1) : station.length === 13 ? station.slice(10) : station;
  return `TPS ${Number(number) || number}`;
}
