// Why a polling station on the monitor is held: for a station row with a held (quarantined)
// revision, its trail is read once (again when the station's numbers change) and the rule that
// holds it is shown under its name, instead of a bare 0/0.
import './station-notes.css';
import type { Lang } from './format';
import { type StationTrail, findings, toStationTrail } from './station-view';
import type { ChildTotals } from './types';

/** Villages hold a few dozen stations; forget the oldest trails past this many. */
const MAX_TRAILS = 500;

export class StationNotes {
  private readonly trails = new Map<string, { key: string; trail: StationTrail | null }>();

  constructor(private readonly server: string, private readonly contest: string, private readonly onLoad: () => void,
    private readonly fetchFn: typeof fetch = (i, init) => fetch(i, init)) {}

  /** For a held station: "R1 The votes … (votes add up to 59; valid votes 159)"; null otherwise, and while its trail loads. */
  note(c: ChildTotals, lang: Lang): string | null {
    if (c.level !== 'tps' || c.stations.quarantined === 0) return null;
    const key = `${c.stations.reported}/${c.stations.quarantined}/${c.valid}/${c.invalid}/${Object.values(c.votes).join(',')}`;
    const entry = this.trails.get(c.id);
    if (!entry || entry.key !== key) this.load(c.id, key);
    const trail = entry?.trail;
    const held = trail?.revisions.filter((r) => r.status === 'quarantined').at(-1);
    if (!trail || !held) return null;
    return findings(held, trail, lang).filter((f) => f.holds)
      .map((f) => `${f.code} ${f.words}${f.detail ? ` (${f.detail})` : ''}`).join(' ');
  }

  private load(station: string, key: string): void {
    const previous = this.trails.get(station)?.trail ?? null;
    this.trails.delete(station);
    this.trails.set(station, { key, trail: previous });
    if (this.trails.size > MAX_TRAILS) this.trails.delete(this.trails.keys().next().value!);
    const url = `${this.server.replace(/\/+$/, '')}/api/v1/stations/${encodeURIComponent(station)}/forms/${encodeURIComponent(this.contest)}`;
    this.fetchFn(url, { headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: unknown) => {
        const entry = this.trails.get(station);
        if (!body || !entry || entry.key !== key) return;
        entry.trail = toStationTrail(body);
        this.onLoad();
      })
      .catch(() => undefined);
  }
}
