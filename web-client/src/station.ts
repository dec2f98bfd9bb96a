// Station view: station.html?contest=ppwp&station=25830.2&lang=id|en (&server=https://...).
// Every revision of a polling station's form (GET /api/v1/stations/{station}/forms/{contest})
// side by side, each number beside the revision before it; which one the totals count; why a
// held one is held, in words and in its own numbers; who sent each, an operator's reason, its
// chain hash. It follows the station's village (a headline is enough: any change there may be
// this station) and reads the trail again when the village moves.
import './monitor.css';
import './station.css';
import { contestInfo, fetchElection } from './election';
import { type Lang, formatInt } from './format';
import { h, setText } from './dom';
import { levelName, parseLang, stateName, t } from './i18n';
import { onLangButtons, pressLangButton } from './lang-buttons';
import { markHeld, markRehearsal } from './marks';
import { displayName } from './names';
import { ResultsClient } from './results-client';
import {
  type NumberRow, type Revision, type StationTrail, changeText, findings, numberRows, stationName, summaryOf, toStationTrail,
} from './station-view';
import type { Election } from './types';

const params = new URLSearchParams(location.search);
const contest = params.get('contest') ?? 'ppwp';
const station = params.get('station') ?? '';
const server = (params.get('server') ?? '').replace(/\/+$/, '');
let lang: Lang = parseLang(params.get('lang'));
let election: Election | null = null;
let trail: StationTrail | null = null;
let problem: string | null = null;
/** Parties whose candidates are shown (party lists). */
const expanded = new Set<string>();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $<HTMLElement>('main');
const trailUrl = `${server}/api/v1/stations/${encodeURIComponent(station)}/forms/${encodeURIComponent(contest)}`;

const words = {
  id: {
    station: 'TPS', revision: 'Revisi', received: 'Diterima', submitter: 'Pengirim', reason: 'Alasan', hash: 'Hash rantai',
    accepts: 'Keputusan atas revisi', counted: 'Dihitung', held: 'Ditahan', rejected: 'Ditolak', replaced: 'Diganti',
    inTotals: 'dalam total', problems: 'Masalah', none: '–', own: 'Suara partai', candidate: 'Calon no.', valid: 'Suara sah',
    invalid: 'Tidak sah', total: 'Jumlah surat suara', dpt: 'DPT', limit: 'Batas surat suara', unknown: 'tidak diketahui',
    refresh: 'Muat ulang', raw: 'JSON', village: 'Kelurahan/Desa', notFound: 'TPS atau pemilihan tidak dikenal', failed: 'Gagal memuat',
    monitor: 'Monitor',
  },
  en: {
    station: 'Polling station', revision: 'Revision', received: 'Received', submitter: 'Sent by', reason: 'Reason', hash: 'Chain hash',
    accepts: 'Decides on revision', counted: 'Counted', held: 'Held', rejected: 'Rejected', replaced: 'Replaced',
    inTotals: 'in the totals', problems: 'Problems', none: '–', own: 'Party votes', candidate: 'Candidate no.', valid: 'Valid votes',
    invalid: 'Invalid', total: 'Total ballots', dpt: 'DPT', limit: 'Ballot limit', unknown: 'unknown',
    refresh: 'Refresh', raw: 'JSON', village: 'Village', notFound: 'Unknown polling station or contest', failed: 'Could not load',
    monitor: 'Monitor',
  },
} as const;

/** The village's results, for breadcrumbs and to notice changes (a headline, once a second at most). */
let village: ResultsClient | null = null;

function monitorHref(region: string): string {
  const p = new URLSearchParams({ contest, region, lang });
  if (server) p.set('server', server);
  return `monitor.html?${p.toString()}`;
}

let loading: Promise<void> | null = null;
let again = false;

async function load(): Promise<void> {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    try {
      const res = await fetch(trailUrl, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (res.ok) {
        trail = toStationTrail(await res.json());
        problem = null;
      } else {
        const body = await res.json().catch(() => null) as { detail?: string; title?: string } | null;
        problem = `${res.status === 404 ? words[lang].notFound : `${words[lang].failed} (HTTP ${res.status})`}${body?.detail ? `: ${body.detail}` : ''}`;
      }
    } catch (err) {
      problem = `${words[lang].failed}: ${String(err)}`;
    }
    follow();
    render();
  })().finally(() => {
    loading = null;
    if (again) {
      again = false;
      void load();
    }
  });
  return loading;
}

/** Once the trail names the village, follow its headline; read the trail again when it changes. */
function follow(): void {
  if (!trail || village) return;
  let version: number | null = null;
  village = new ResultsClient({
    baseUrl: server, contest, region: trail.village.id, view: 'headline', maxPerSecond: 1,
    onChange: (snap) => {
      const changed = version !== null && snap.version !== version;
      version = snap.version;
      if (changed) void load();
      else {
        renderCrumbs();
        renderStatus(); // a hold taken or released moves no numbers
      }
    },
    onState: () => renderStatus(),
  });
  village.start();
}

function renderStatus(): void {
  const s = village?.state ?? 'connecting';
  $('dot').dataset.state = s;
  document.documentElement.dataset.state = s;
  setText($('state'), stateName(lang, s));
  // The village's numbers (and so the totals this station counts in) are held by an operator.
  markHeld(document.documentElement, $('held'), village?.held, lang);
}

function renderCrumbs(): void {
  const snap = village?.snapshot;
  const chain = snap ? [...snap.parents, snap.region] : trail ? [{ id: trail.village.id, name: displayName(trail.village.name) }] : [];
  $('crumbs').replaceChildren(h('ol', { class: 'crumbs' },
    chain.map((r) => h('li', {}, h('a', { href: monitorHref(r.id) }, r.name))),
    h('li', {}, h('span', { 'aria-current': 'page' }, stationName(station)))));
}

/** A row's label: a pair or DPD candidate, a party (short name), its own votes, a candidate number, or a sum. */
function rowLabel(row: NumberRow): Node | string {
  const w = words[lang];
  if (row.kind === 'sum') return row.key === 'valid' ? w.valid : row.key === 'invalid' ? w.invalid : w.total;
  if (row.kind === 'own') return w.own;
  if (row.kind === 'candidate') return `${w.candidate} ${row.key.slice(row.key.indexOf('.') + 1)}`;
  const info = contestInfo(election, contest);
  if (row.kind === 'party') {
    const party = election?.parties.find((p) => p.id === row.key);
    const open = expanded.has(row.key);
    return h('button', { type: 'button', class: 'expand', 'aria-expanded': String(open), 'data-party': row.key },
      `${open ? '▾' : '▸'} ${row.key} ${party?.shortName ?? ''}`);
  }
  const name = info?.choices.find((c) => c.id === row.key)?.name;
  return name ? `${row.key} ${name}` : row.key;
}

function statusBadge(r: Revision, current: StationTrail): HTMLElement {
  const w = words[lang];
  const inTotals = current.counted === r.revision;
  const latest = current.revisions.at(-1)?.revision === r.revision;
  const [cls, label] = r.status === 'quarantined' ? ['held', latest ? w.held : `${w.held}, ${w.replaced.toLowerCase()}`]
    : r.status === 'rejected' ? ['rejected', w.rejected]
    : inTotals ? ['counted', `${w.counted}, ${w.inTotals}`] : ['replaced', w.replaced];
  return h('span', { class: `badge status-${cls}` }, label);
}

function revisionHead(r: Revision, current: StationTrail): HTMLElement {
  const w = words[lang];
  const when = new Date(r.receivedAt);
  const meta: [string, string | null][] = [
    [w.received, Number.isNaN(when.getTime()) ? r.receivedAt : when.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB')],
    [w.submitter, r.submitter || null],
    [w.accepts, r.accepts === null ? null : String(r.accepts)],
    [w.reason, r.reason],
    [w.hash, r.hash ? `${r.hash.slice(0, 12)}…` : null],
  ];
  const found = findings(r, current, lang);
  return h('th', { scope: 'col', class: 'rev', 'data-revision': r.revision, 'data-status': r.status, 'data-counted': String(current.counted === r.revision) },
    h('div', { class: 'rev-title' }, `${w.revision} ${r.revision}`, ' ', statusBadge(r, current)),
    h('dl', { class: 'rev-meta' }, meta.filter(([, v]) => v !== null).flatMap(([k, v]) => [h('dt', {}, k), h('dd', { title: k === w.hash ? r.hash ?? '' : null }, v)])),
    found.length ? h('ul', { class: 'findings' }, found.map((f) => h('li', { class: f.holds ? 'holds' : 'flag', 'data-rule': f.code },
      h('b', {}, f.code), ' ', f.words, f.detail ? h('small', {}, ` (${f.detail})`) : ''))) : '');
}

function render(): void {
  document.documentElement.lang = lang;
  const w = words[lang];
  setText($('refresh'), w.refresh);
  pressLangButton(lang);
  setText($('election-name'), election?.name || 'Broadcast');
  markRehearsal(document.documentElement, $('notice'), election);
  renderCrumbs();
  renderStatus();
  document.title = `${stationName(station)} · ${trail ? displayName(trail.village.name) : ''} · Broadcast`;
  if (problem && !trail) {
    main.setAttribute('aria-busy', 'false');
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, problem));
    return;
  }
  if (!trail) {
    main.replaceChildren(h('p', { class: 'loading' }, t(lang, 'loading')));
    return;
  }
  main.setAttribute('aria-busy', 'false');
  const current = trail;
  const rows = numberRows(current.revisions);
  const state = current.pending ? 'held' : current.revisions.at(-1)?.status === 'rejected' ? 'rejected' : current.counted !== null ? 'counted' : 'none';
  main.replaceChildren(
    h('section', { class: 'summary station-summary', 'aria-labelledby': 'region-title' },
      h('div', { class: 'summary-head' },
        h('h1', { id: 'region-title' }, stationName(station)),
        h('span', { class: 'level' }, levelName(lang, 'tps')),
        h('a', { class: 'raw', href: trailUrl }, w.raw)),
      h('p', { class: 'verdict', 'data-state': state, role: 'status' }, summaryOf(current, lang)),
      h('dl', { class: 'facts' },
        h('dt', {}, w.village), h('dd', {}, h('a', { href: monitorHref(current.village.id) }, displayName(current.village.name))),
        h('dt', {}, w.dpt), h('dd', {}, current.registeredVoters === null ? w.unknown : formatInt(current.registeredVoters, lang)),
        current.ballotLimit === null ? '' : [h('dt', {}, w.limit), h('dd', {}, formatInt(current.ballotLimit, lang))])),
    current.revisions.length === 0 ? '' : h('section', { class: 'table-section' },
      h('table', { class: 'revisions' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), current.revisions.map((r) => revisionHead(r, current)))),
        h('tbody', {}, rows.filter((r) => !r.party || expanded.has(r.party)).map((row) => h('tr', { class: `row-${row.kind}`, 'data-row': row.key },
          h('th', { scope: 'row' }, rowLabel(row)),
          row.cells.map((c, i) => h('td', {
            class: 'num', 'data-counted': String(current.counted === current.revisions[i]?.revision),
          }, formatInt(c.value, lang), c.change ? h('small', { class: c.change > 0 ? 'up' : 'down' }, ` ${changeText(c.change, lang)}`) : ''))))))));
}

main.addEventListener('click', (ev) => {
  const party = (ev.target as Element | null)?.closest<HTMLElement>('button.expand')?.dataset.party;
  if (!party) return;
  if (expanded.has(party)) expanded.delete(party);
  else expanded.add(party);
  render();
});

$('refresh').addEventListener('click', () => void load());

onLangButtons((picked) => {
  lang = picked;
  render();
});

render();
void load();
void fetchElection(server).then((e) => {
  election = e;
  render();
});
