// The workload shared by server.mjs and viewers.mjs: the region catalog, the room names, the
// subscription mix, and the TotalsChanged payload. Both sides build the same catalog from the
// same numbers, so a viewer only subscribes to rooms the publisher really emits to.
//
// The shape mirrors Broadcast's hub messages (src/Broadcast.Server/Results/ResultsMessages.cs,
// record TotalsChanged): contest, region, epoch, prevVersion, version, stations {total, reported,
// quarantined}, votes {"01","02"}, valid, invalid, children [ChildResults]. One field is added,
// sentAt (ms since the Unix epoch, sub-millisecond precision), for the latency measurement;
// it stays near the head of the JSON so a viewer can read it without parsing the whole message.

export const CONTEST = 'ppwp';
export const NATIONAL = '0';

/** Room (group) name, the same as Broadcast's GroupNames.Results(contest, region). */
export const roomOf = (region) => `results:${CONTEST}:${region}`;

/** Wall clock in ms with sub-millisecond precision; comparable between processes of one host. */
export const nowMs = () => performance.timeOrigin + performance.now();

/** A small seeded PRNG (mulberry32), so that runs with the same seed subscribe alike. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Made-up regions with the counts of the 2019 election Broadcast ships (35 provinces including
 * "Luar Negeri", 644 regencies/cities): ids are numeric strings like the real ones.
 */
export function buildCatalog({ provinces = 35, regencies = 644 } = {}) {
  const province = [];
  for (let i = 0; i < provinces; i++) {
    const id = String(11 + i);
    province.push({ id, name: `PROVINSI ${id}`, level: 'provinsi', regencies: [] });
  }
  const regency = [];
  for (let i = 0; i < regencies; i++) {
    const parent = province[i % provinces];
    const id = `${parent.id}${String(parent.regencies.length + 1).padStart(2, '0')}`;
    const r = { id, name: `KABUPATEN ${id}`, level: 'kabupaten', parent: parent.id };
    parent.regencies.push(r);
    regency.push(r);
  }
  return { province, regency };
}

/** Parses "national=0.6,province=0.3,regency=0.1". */
export function parseMix(text) {
  const mix = { national: 0, province: 0, regency: 0 };
  for (const part of text.split(',')) {
    const [name, value] = part.split('=');
    if (!(name in mix) || !Number.isFinite(Number(value)) || Number(value) < 0)
      throw new Error(`--mix: bad part '${part}' (national, province, regency weights)`);
    mix[name] = Number(value);
  }
  if (mix.national + mix.province + mix.regency <= 0) throw new Error('--mix: all weights are zero');
  return mix;
}

/** A region id drawn by the mix: national, a random province or a random regency. */
export function pickRegion(catalog, mix, random) {
  const x = random() * (mix.national + mix.province + mix.regency);
  if (x < mix.national) return NATIONAL;
  if (x < mix.national + mix.province) return catalog.province[Math.floor(random() * catalog.province.length)].id;
  return catalog.regency[Math.floor(random() * catalog.regency.length)].id;
}

/** Every room a viewer may subscribe to. */
export function allRooms(catalog) {
  return new Set([roomOf(NATIONAL), ...catalog.province.map((p) => roomOf(p.id)), ...catalog.regency.map((r) => roomOf(r.id))]);
}

/** Running totals of one region, grown a little at every run that changes it. */
export class RegionTotals {
  constructor(id, name, level, stationsTotal) {
    this.id = id;
    this.name = name;
    this.level = level;
    this.stations = { total: stationsTotal, reported: 0, quarantined: 0 };
    this.votes = { '01': 0, '02': 0 };
    this.valid = 0;
    this.invalid = 0;
    this.version = 0;
  }

  /** Adds `forms` forms' worth of votes (about 230 voters per station, like a real TPS). */
  grow(forms, random) {
    const s = this.stations;
    const add = Math.min(forms, s.total - s.reported);
    s.reported += add;
    if (random() < 0.02) s.quarantined += 1;
    for (let i = 0; i < add; i++) {
      const a = 80 + Math.floor(random() * 80);
      const b = 60 + Math.floor(random() * 80);
      this.votes['01'] += a;
      this.votes['02'] += b;
      this.valid += a + b;
      this.invalid += Math.floor(random() * 6);
    }
  }

  child() {
    return {
      id: this.id, name: this.name, level: this.level,
      stations: { ...this.stations }, votes: { ...this.votes }, valid: this.valid, invalid: this.invalid,
    };
  }
}

/**
 * One TotalsChanged message. Field order follows Broadcast's record, with sentAt right after
 * version (head-only viewers read prevVersion, version and sentAt from the first bytes).
 */
export function totalsChanged(epoch, totals, prevVersion, children) {
  return {
    contest: CONTEST,
    region: totals.id,
    epoch,
    prevVersion,
    version: totals.version,
    sentAt: 0,
    stations: { ...totals.stations },
    votes: { ...totals.votes },
    valid: totals.valid,
    invalid: totals.invalid,
    children,
  };
}
