// Monitoring screen for DPRD and election-night desks: drill-down from national to village,
// totals, province tiles and a sortable children table; for the legislative contests a
// parliament view (seats, dapils, margins) and a dapil view (parties, candidates).
// URL: monitor.html?contest=ppwp&region=0&lang=id|en&sort=reported|name|margin (&asOf=<ISO time>: a past moment)
// (&server=https://... for another origin); region may be `parliament:<region id>` or `dapil:<code>`.
// It follows the group's full view (Delta frames) with no rate cap (&view=, &rate= override).
import './monitor.css';
import { dataAgeText } from './age';
import { type Choice, byNumber, choiceColor, choicesFor, contestInfo, fetchElection, fetchParliaments } from './election';
import { type Lang } from './format';
import { h, setText } from './dom';
import { levelName, parseLang, stateName, t } from './i18n';
import { markHeld, markRehearsal } from './marks';
import { onLangButtons, pressLangButton } from './lang-buttons';
import { ProvinceMap } from './monitor-map';
import { StationNotes } from './station-notes';
import {
  type LegislativeOptions, regionParties, renderDapil, renderParliament, renderParliamentLinks, renderPartySummary, renderPartyTable,
} from './monitor-legislative';
import { mountTimeline } from './monitor-timeline';
import { type SortKey, SORT_KEYS, type ViewOptions, renderBreadcrumbs, renderSummary, renderTable, renderTiles, sortLabel } from './monitor-view';
import { ResultsClient } from './results-client';
import { parseRate, parseView } from './view-params';
import type { ContestInfo, Election, ParliamentInfo, RegionRef, Snapshot } from './types';
import { toSnapshot } from './wire';

const params = new URLSearchParams(location.search);
const contest = params.get('contest') ?? 'ppwp';
const server = params.get('server') ?? '';
let lang: Lang = parseLang(params.get('lang'));
let sort: SortKey = asSort(params.get('sort'));
let election: Election | null = null;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $<HTMLElement>('main');
const crumbs = $<HTMLElement>('crumbs');
const dot = $<HTMLElement>('dot');
const stateEl = $<HTMLElement>('state');
const updatedEl = $<HTMLElement>('updated');
const sortSelect = $<HTMLSelectElement>('sort');
const contestSelect = $<HTMLSelectElement>('contest');
const pickers = $<HTMLElement>('pickers');
const provinceSelect = $<HTMLSelectElement>('province');
const parliamentSelect = $<HTMLSelectElement>('parliament');
const noticeEl = $<HTMLElement>('notice');
const heldEl = $<HTMLElement>('held');

const client = new ResultsClient({
  baseUrl: server,
  contest,
  region: params.get('region') ?? '0',
  protocol: params.get('protocol') === 'json' ? 'json' : 'msgpack',
  view: parseView(params.get('view'), 'full'),
  maxPerSecond: parseRate(params.get('rate'), null),
  onChange: () => scheduleRender(),
  onState: () => scheduleRender(),
});

// Looking back at a past moment (monitor-timeline.ts): the screen shows its snapshot instead of the live one.
const timeline = mountTimeline($<HTMLElement>('timeline'), { baseUrl: server, contest, region: client.region, onChange: () => scheduleRender() });
// The province map beside the tiles at national level (its shapes load once, on first show).
const provinceMap = new ProvinceMap(() => scheduleRender(), (region) => navigate(region));
// Why a held polling station is held, under its name in a village's table.
const stationNotes = new StationNotes(server, contest, () => scheduleRender());

function asSort(v: string | null): SortKey {
  return (SORT_KEYS as readonly string[]).includes(v ?? '') ? (v as SortKey) : 'reported';
}

/** Link to this screen for another region, keeping the other parameters. */
function hrefFor(region: string): string {
  const p = new URLSearchParams(location.search);
  p.set('region', region);
  return `?${p.toString()}`;
}

function viewOptions(): ViewOptions {
  return {
    lang, sort, contest, hrefFor,
    auditHref: (station) => `station.html?${new URLSearchParams({ contest, station, lang, ...(server ? { server } : {}) }).toString()}`,
    stationNote: (station) => stationNotes.note(station, lang),
  };
}

/** Whether this contest is legislative (parties or DPD candidates); before the election is known, anything but ppwp. */
function legislative(info: ContestInfo | null): boolean {
  return info ? info.kind !== 'flat' : contest !== 'ppwp';
}

/** The columns of a group: pairs, parties (in party colours) or, for DPD, candidates named from the dapil's list. */
function choicesOf(snap: Snapshot, info: ContestInfo | null): Choice[] {
  if (info?.kind === 'candidateList') {
    const names = new Map((snap.candidates ?? []).map((c) => [c.id, c.name]));
    return Object.keys(snap.votes).sort(byNumber).map((id, i) => ({ id, name: names.get(id) ?? `No. ${id}`, color: choiceColor(id, i) }));
  }
  return choicesFor(info, snap.votes, election?.parties ?? []);
}

// ---- parliaments and provinces for navigation (GET /api/v1/election/{contest}/parliaments) ----

const parliamentsCache = new Map<string, { list: ParliamentInfo[] | null; loaded: Promise<ParliamentInfo[]> }>();

function loadParliaments(region: string): Promise<ParliamentInfo[]> {
  let entry = parliamentsCache.get(region);
  if (!entry) {
    const loaded = fetchParliaments(server, contest, region).then((list) => {
      if (entry) entry.list = list;
      renderPickers();
      scheduleRender();
      return list;
    });
    entry = { list: null, loaded };
    parliamentsCache.set(region, entry);
  }
  return entry.loaded;
}

/** The parliaments within a region, fetched once (null while loading). */
function parliamentsWithin(region: string): ParliamentInfo[] | null {
  void loadParliaments(region);
  return parliamentsCache.get(region)?.list ?? null;
}

/** Parliaments to link from a region view of a legislative contest. */
function parliamentsFor(snap: Snapshot, info: ContestInfo | null): ParliamentInfo[] {
  const level = snap.region.level;
  if (!['national', 'province', 'regency'].includes(level)) return [];
  // DPRD kab/kota at national level would list 508 parliaments: pick a province first.
  if (level === 'national' && (info?.parliaments ?? 0) > 40) return [];
  const here = parliamentsWithin(snap.region.id) ?? [];
  // DPR and DPD: one parliament for the nation, linked from everywhere.
  const national = info && info.parliaments === 1 && level !== 'national' ? parliamentsWithin('0') ?? [] : [];
  return [...here, ...national.filter((p) => !here.some((x) => x.id === p.id))];
}

let provinces: RegionRef[] | null = null;
/** A province picked whose parliaments are still loading. */
let chosenProvince: string | null = null;
let provincesLoading = false;

/** The provinces of the contest (children of its national snapshot), for the DPRD pickers. */
function loadProvinces(): void {
  if (provinces || provincesLoading) return;
  provincesLoading = true;
  fetch(client.snapshotUrl('0'), { headers: { Accept: 'application/json' } })
    .then((r) => (r.ok ? r.json() : null))
    .then((body: unknown) => {
      if (!body) return;
      provinces = toSnapshot(body).children.filter((c) => c.level === 'province').map(({ id, name, level }) => ({ id, name, level }));
      renderPickers();
    })
    .catch(() => undefined)
    .finally(() => { provincesLoading = false; });
}

/** DPRD contests (several parliaments): pick a province, then (kab/kota) one of its parliaments. */
function renderPickers(): void {
  const info = contestInfo(election, contest);
  const many = Boolean(info && info.kind === 'partyList' && info.parliaments > 1);
  pickers.hidden = !many;
  if (!many) return;
  loadProvinces();
  const snap = client.snapshot;
  const chain = snap ? [...snap.parents, snap.region] : [];
  const province = chosenProvince ?? chain.find((r) => r.level === 'province')?.id ?? '';
  provinceSelect.setAttribute('aria-label', t(lang, 'province'));
  provinceSelect.replaceChildren(
    h('option', { value: '', selected: province === '' }, t(lang, 'chooseProvince')),
    ...(provinces ?? []).map((p) => h('option', { value: p.id, selected: p.id === province }, p.name)));
  const list = province ? parliamentsWithin(province) : null;
  // DPRD provinsi: the province is the parliament. DPRD kab/kota: choose among the province's.
  const choose = Boolean(province && list && list.length > 1);
  parliamentSelect.hidden = !choose;
  if (choose && list) {
    parliamentSelect.setAttribute('aria-label', t(lang, 'parliament'));
    const current = chain.find((r) => r.level === 'parliament')?.id ?? '';
    parliamentSelect.replaceChildren(
      h('option', { value: '', selected: current === '' }, t(lang, 'chooseParliament')),
      ...list.map((p) => h('option', { value: p.id, selected: p.id === current }, p.name)));
  }
}

// Deltas can arrive many times a second; render at most once per frame.
let pending = false;
function scheduleRender(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

function render(): void {
  timeline.sync(client.region, lang);
  const snap = timeline.lookingBack ? timeline.snapshotFor(client.region) : client.snapshot;
  const root = document.documentElement;
  root.lang = lang;
  root.dataset.region = client.region;
  if (!snap || snap.region.id !== client.region) {
    // Keep the previous region visible but dimmed while the new one loads.
    main.setAttribute('aria-busy', 'true');
    if (client.state === 'notFound') main.replaceChildren(h('p', { class: 'error', role: 'alert' }, `⚠ ${t(lang, 'notFound')}: ${client.problem ?? client.region}`));
    else if (!main.firstChild) main.append(h('p', { class: 'loading' }, t(lang, 'loading')));
    renderStatus();
    return;
  }
  main.setAttribute('aria-busy', 'false');
  root.dataset.version = String(snap.version);
  root.dataset.epoch = snap.epoch;
  root.dataset.level = snap.region.level;
  const info = contestInfo(election, contest);
  const choices = choicesOf(snap, info);
  const o = viewOptions();
  document.title = `${snap.region.name} · ${info?.name ?? contest} · Broadcast`;
  // Re-rendering replaces the nodes: keep keyboard focus on the same region link.
  const focused = document.activeElement?.closest('[data-region]')?.getAttribute('data-region');
  crumbs.replaceChildren(renderBreadcrumbs(snap, o));
  if (legislative(info)) {
    renderLegislative(snap, choices, { ...o, info });
  } else {
    main.replaceChildren(
      renderSummary(snap, choices, o),
      snap.region.level === 'national' ? provinceMap.beside(renderTiles(snap, choices, o), snap, choices, o) : '',
      snap.children.length > 0 ? renderTable(snap, choices, o) : '',
    );
  }
  if (focused) main.querySelector<HTMLElement>(`a[data-region="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
  renderStatus();
}

function renderLegislative(snap: Snapshot, choices: Choice[], o: LegislativeOptions): void {
  const level = snap.region.level;
  if (level === 'parliament') {
    main.replaceChildren(...renderParliament(snap, choices, o));
    return;
  }
  const first = snap.children[0];
  const caption = first ? levelName(lang, first.level) : t(lang, 'children');
  if (level === 'dapil') {
    main.replaceChildren(...renderDapil(snap, choices, o), snap.children.length > 0 ? renderPartyTable(snap, choices, o, caption) : '');
    return;
  }
  const acehOnly = new Set((election?.parties ?? []).filter((p) => p.acehOnly).map((p) => p.id));
  const shown = o.info?.kind === 'partyList' ? regionParties(snap, choices, acehOnly) : choices;
  main.replaceChildren(
    renderPartySummary(snap, shown, o, levelName(lang, level)),
    renderParliamentLinks(parliamentsFor(snap, o.info), o),
    level === 'national' ? provinceMap.beside(renderTiles(snap, choices, o, (c) => c.name), snap, choices, o, (c) => c.name) : '',
    snap.children.length > 0 ? renderPartyTable(snap, choices, o, caption) : '',
  );
}

function renderStatus(): void {
  const s = client.state;
  document.documentElement.dataset.state = s;
  dot.dataset.state = s;
  setText(stateEl, timeline.lookingBack ? timeline.statusText(lang) : stateName(lang, s));
  const last = client.lastUpdate;
  const clock = last ? `${t(lang, 'lastUpdate')} ${last.toLocaleTimeString(lang === 'id' ? 'id-ID' : 'en-GB')} · ` : '';
  setText(updatedEl, clock + dataAgeText(last, lang));
  // The live numbers are held; a moment looked back at is not what the hold is about.
  markHeld(document.documentElement, heldEl, timeline.lookingBack ? null : client.held, lang);
}

function renderChrome(): void {
  document.documentElement.lang = lang;
  setText($('election-name'), election?.name || 'Broadcast');
  // The election's notice (e.g. synthetic data) stays in view on every screen; a rehearsal's is striped.
  markRehearsal(document.documentElement, noticeEl, election);
  const contests = election?.contests ?? [];
  contestSelect.closest('label')?.toggleAttribute('hidden', contests.length <= 1);
  setText($('contest-label'), t(lang, 'contest'));
  contestSelect.replaceChildren(...(contests.length ? contests : [{ id: contest, name: contest }]).map((c) =>
    h('option', { value: c.id, selected: c.id === contest }, c.name)));
  setText($('sort-label'), t(lang, 'sortBy'));
  sortSelect.replaceChildren(...SORT_KEYS.map((k) => h('option', { value: k, selected: k === sort },
    sortLabel(lang, k))));
  pressLangButton(lang);
  renderPickers();
}

/** Where a contest opens: the nation's parliament for DPR and DPD, the national totals otherwise. */
function startRegion(info: ContestInfo | undefined): string {
  return info && info.kind !== 'flat' && info.parliaments === 1 ? 'parliament:0' : '0';
}

function setParam(name: string, value: string): void {
  const url = new URL(location.href);
  url.searchParams.set(name, value);
  history.replaceState(history.state, '', url);
}

function navigate(region: string): void {
  if (region === client.region) return;
  const url = new URL(location.href);
  url.searchParams.set('region', region);
  history.pushState({ region }, '', url);
  main.classList.add('stale');
  client.setRegion(region);
  render();
}

// Drill down by clicking a region link or anywhere on a child row; plain links keep
// working for middle-click / open-in-new-tab.
document.addEventListener('click', (ev) => {
  const target = ev.target as Element | null;
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  if (target?.closest('a:not([data-region])')) return;
  const el = target?.closest<HTMLElement>('[data-region]');
  const region = el?.dataset.region;
  if (region === undefined) return;
  ev.preventDefault();
  navigate(region);
});

window.addEventListener('popstate', () => {
  main.classList.add('stale');
  client.setRegion(new URLSearchParams(location.search).get('region') ?? '0');
  render();
});

// Another contest is another feed: load the page for it (keeping language, sort and server).
contestSelect.addEventListener('change', () => {
  const next = contestSelect.value;
  if (next === contest) return;
  const url = new URL(location.href);
  url.searchParams.set('contest', next);
  url.searchParams.set('region', startRegion(election?.contests.find((c) => c.id === next)));
  location.assign(url);
});

provinceSelect.addEventListener('change', () => {
  const province = provinceSelect.value;
  if (!province) return;
  chosenProvince = province;
  void loadParliaments(province).then((list) => {
    if (chosenProvince !== province) return; // another province was picked meanwhile
    chosenProvince = null;
    // DPRD provinsi: straight to its parliament; kab/kota: the province, which lists them.
    const only = list.length === 1 ? list[0] : undefined;
    navigate(only && only.region === province ? only.id : province);
    renderPickers();
  });
});

parliamentSelect.addEventListener('change', () => {
  if (parliamentSelect.value) navigate(parliamentSelect.value);
});

sortSelect.addEventListener('change', () => {
  sort = asSort(sortSelect.value);
  setParam('sort', sort);
  render();
});

onLangButtons((picked) => {
  lang = picked;
  renderChrome();
  render();
});

// The sticky table header sits right below the sticky top bar, whose height wraps.
const top = document.querySelector<HTMLElement>('header.top');
if (top && typeof ResizeObserver !== 'undefined') {
  new ResizeObserver(() => document.documentElement.style.setProperty('--header-h', `${top.offsetHeight}px`)).observe(top);
}

client.onChange(() => main.classList.remove('stale'));
// The pickers follow the region shown (its province and parliament).
let pickedFor = '';
client.onChange((snap) => {
  if (snap.region.id === pickedFor) return;
  pickedFor = snap.region.id;
  renderPickers();
});
setInterval(renderStatus, 1000);
renderChrome();
render();
client.start();
void fetchElection(server).then((e) => {
  election = e;
  renderChrome();
  render();
});
