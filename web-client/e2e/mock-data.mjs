// In-memory 2019 results for the mock server: the real region tree from
// shared/data/pilpres2019, totals aggregated up the tree, versions = form seqs, and a
// short delta history per group for Resume. A stand-in for development only.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

const LEVELS = { nasional: 'national', provinsi: 'province', kabkota: 'regency', kecamatan: 'district', kelurahan: 'village' };

async function* csv(file) {
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header = null;
  for await (const line of rl) {
    const cells = line.split(',');
    if (!header) header = cells;
    else yield Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  }
}

const zero = () => ({ stations: { total: 0, reported: 0, quarantined: 0 }, votes: { '01': 0, '02': 0 }, valid: 0, invalid: 0 });

export class MockResults {
  regions = new Map(); // id -> { id, name, level, parent, children: [] , totals }
  forms = new Map(); // station -> { revisions: [...], counted: revision|null }
  seq = 0;
  epoch = Math.random().toString(36).slice(2, 8);
  versions = new Map(); // region -> version
  history = new Map(); // region -> deltas (last 200)

  async load(dir) {
    for await (const r of csv(`${dir}/regions.csv.gz`)) {
      this.regions.set(r.id, {
        id: r.id, name: r.name, level: LEVELS[r.level] ?? 'village', parent: r.parent_id || null,
        children: [], totals: { ...zero(), stations: { total: Number(r.n_tps) || 0, reported: 0, quarantined: 0 } },
        dpt: new Map(),
      });
    }
    for (const r of this.regions.values()) if (r.parent) this.regions.get(r.parent)?.children.push(r.id);
    return this;
  }

  /** Counts a share of the real 2019 KPU station results so the screens have data. */
  async seed(dir, fraction) {
    for await (const t of csv(`${dir}/tps.csv.gz`)) {
      const village = this.regions.get(t.desa_id);
      if (!village) continue;
      const station = `${t.desa_id}.${t.tps_no}`;
      village.dpt.set(station, (Number(t.dpt_l) || 0) + (Number(t.dpt_p) || 0));
      if (fraction <= 0 || Math.random() >= fraction || t.kpu_pas1 === '') continue;
      const v1 = Number(t.kpu_pas1), v2 = Number(t.kpu_pas2), inv = Number(t.kpu_tsah) || 0;
      this.store(station, { votes: { '01': v1, '02': v2 }, valid: v1 + v2, invalid: inv, total: v1 + v2 + inv }, false);
    }
  }

  village(station) {
    const dot = station.lastIndexOf('.');
    return dot > 0 ? this.regions.get(station.slice(0, dot)) : undefined;
  }

  /** Stores a form; returns the receipt and the regions whose totals changed. */
  store(station, form, track = true) {
    const entry = this.forms.get(station) ?? { revisions: [], counted: null };
    this.forms.set(station, entry);
    const latest = entry.revisions.at(-1);
    const same = latest && JSON.stringify([latest.votes, latest.valid, latest.invalid, latest.total]) ===
      JSON.stringify([form.votes, form.valid, form.invalid, form.total]);
    if (same) return { receipt: { station, contest: 'ppwp', revision: latest.revision, seq: latest.seq, status: 'duplicate', problems: [] }, changed: [] };
    const problems = [];
    const sum = Object.values(form.votes).reduce((a, b) => a + b, 0);
    if (sum !== form.valid) problems.push('R1');
    if (form.valid + form.invalid !== form.total) problems.push('R2');
    const quarantined = problems.includes('R1');
    const seq = ++this.seq;
    const rev = { revision: entry.revisions.length + 1, seq, status: quarantined ? 'quarantined' : 'counted', problems, ...form };
    entry.revisions.push(rev);
    const before = entry.counted;
    const wasHeld = entry.held ?? false;
    if (!quarantined) entry.counted = rev;
    entry.held = quarantined;
    const path = this.path(this.village(station)?.id);
    for (const id of path) {
      const t = this.regions.get(id).totals;
      if (!quarantined) {
        if (before) this.add(t, before, -1); else t.stations.reported++;
        this.add(t, rev, 1);
      }
      t.stations.quarantined += (entry.held ? 1 : 0) - (wasHeld ? 1 : 0);
    }
    const prev = new Map(path.map((id) => [id, this.version(id)]));
    if (track) for (const id of path) this.versions.set(id, seq);
    return { receipt: { station, contest: 'ppwp', revision: rev.revision, seq, status: rev.status, problems }, changed: path, prev };
  }

  add(t, f, sign) {
    for (const [k, v] of Object.entries(f.votes)) t.votes[k] = (t.votes[k] ?? 0) + sign * v;
    t.valid += sign * f.valid;
    t.invalid += sign * f.invalid;
  }

  /** Region ids from the village up to national. */
  path(id) {
    const out = [];
    for (let r = id ? this.regions.get(id) : undefined; r; r = r.parent ? this.regions.get(r.parent) : undefined) out.push(r.id);
    return out;
  }

  version(id) {
    return this.versions.get(id) ?? 0;
  }

  /** A group's children (a village's: its stations), in the order its snapshot lists them. */
  childIds(region) {
    if (region.level !== 'village') return region.children;
    return region.dpt.size > 0 ? [...region.dpt.keys()] : Array.from({ length: region.totals.stations.total }, (_, i) => `${region.id}.${i + 1}`);
  }

  childTotals(region) {
    if (region.level === 'village') return this.childIds(region).map((s) => this.stationTotals(s));
    return region.children.map((cid) => {
      const c = this.regions.get(cid);
      return { id: c.id, name: c.name, level: c.level, ...structuredClone(c.totals) };
    });
  }

  stationTotals(station) {
    const e = this.forms.get(station);
    const f = e?.counted;
    return {
      id: station, name: `TPS ${station.split('.').at(-1)}`, level: 'tps',
      stations: { total: 1, reported: f ? 1 : 0, quarantined: e?.held ? 1 : 0 },
      votes: f ? { ...f.votes } : { '01': 0, '02': 0 }, valid: f?.valid ?? 0, invalid: f?.invalid ?? 0,
    };
  }

  snapshot(id) {
    const r = this.regions.get(id);
    if (!r) return null;
    const parents = this.path(r.parent).reverse().map((p) => {
      const x = this.regions.get(p);
      return { id: x.id, name: x.name, level: x.level };
    });
    return {
      contest: 'ppwp', region: { id: r.id, name: r.name, level: r.level }, parents,
      epoch: this.epoch, version: this.version(id), ...structuredClone(r.totals), children: this.childTotals(r),
    };
  }

  /** The delta for one group after a change below `childId` (or station). */
  delta(id, prevVersion, changedChild) {
    const r = this.regions.get(id);
    const child = r.level === 'village' ? this.stationTotals(changedChild) : (() => {
      const c = this.regions.get(changedChild);
      return { id: c.id, name: c.name, level: c.level, ...structuredClone(c.totals) };
    })();
    const d = { contest: 'ppwp', region: id, epoch: this.epoch, prevVersion, version: this.version(id), ...structuredClone(r.totals), children: [child] };
    const h = this.history.get(id) ?? [];
    h.push(d);
    if (h.length > 200) h.shift();
    this.history.set(id, h);
    return d;
  }

  resume(id, version) {
    const h = this.history.get(id) ?? [];
    const first = h[0];
    if (version === this.version(id)) return { deltas: [], snapshot: null };
    if (first && first.prevVersion <= version) return { deltas: h.filter((d) => d.version > version), snapshot: null };
    return { deltas: [], snapshot: this.snapshot(id) };
  }

  static dataDir(env) {
    const dir = env.MOCK_DATA ?? new URL('../../../shared/data/pilpres2019', import.meta.url).pathname;
    if (!existsSync(`${dir}/regions.csv.gz`)) throw new Error(`no 2019 data in ${dir} (set MOCK_DATA)`);
    return dir;
  }
}
