// Monitoring screen for DPRD and election-night desks: drill-down from national to village,
// totals, province tiles and a sortable children table. URL: monitor.html?contest=ppwp
// &region=0&lang=id|en&sort=reported|name|margin (&server=https://... for another origin).
import './monitor.css';
import { dataAgeText } from './age';
import { choicesFor, contestInfo, fetchElection } from './election';
import { type Lang } from './format';
import { h, setText } from './dom';
import { parseLang, stateName, t } from './i18n';
import { type SortKey, SORT_KEYS, type ViewOptions, renderBreadcrumbs, renderSummary, renderTable, renderTiles, sortLabel } from './monitor-view';
import { ResultsClient } from './results-client';
import type { Election } from './types';

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

const client = new ResultsClient({
  baseUrl: server,
  contest,
  region: params.get('region') ?? '0',
  protocol: params.get('protocol') === 'json' ? 'json' : 'msgpack',
  onChange: () => scheduleRender(),
  onState: () => renderStatus(),
});

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
    auditHref: (station) => `${server}/api/v1/stations/${encodeURIComponent(station)}/forms/${encodeURIComponent(contest)}`,
  };
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
  const snap = client.snapshot;
  const root = document.documentElement;
  root.lang = lang;
  root.dataset.region = client.region;
  if (!snap || snap.region.id !== client.region) {
    // Keep the previous region visible but dimmed while the new one loads.
    main.setAttribute('aria-busy', 'true');
    if (!main.firstChild) main.append(h('p', { class: 'loading' }, t(lang, 'loading')));
    renderStatus();
    return;
  }
  main.setAttribute('aria-busy', 'false');
  root.dataset.version = String(snap.version);
  root.dataset.epoch = snap.epoch;
  const info = contestInfo(election, contest);
  const choices = choicesFor(info, snap.votes);
  const o = viewOptions();
  document.title = `${snap.region.name} · ${info?.name ?? contest} · Broadcast`;
  // Re-rendering replaces the nodes: keep keyboard focus on the same region link.
  const focused = document.activeElement?.closest('[data-region]')?.getAttribute('data-region');
  crumbs.replaceChildren(renderBreadcrumbs(snap, o));
  main.replaceChildren(
    renderSummary(snap, choices, o),
    snap.region.level === 'national' ? renderTiles(snap, choices, o) : '',
    snap.children.length > 0 ? renderTable(snap, choices, o) : '',
  );
  if (focused) main.querySelector<HTMLElement>(`a[data-region="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
  renderStatus();
}

function renderStatus(): void {
  const s = client.state;
  document.documentElement.dataset.state = s;
  dot.dataset.state = s;
  setText(stateEl, stateName(lang, s));
  const last = client.lastUpdate;
  const clock = last ? `${t(lang, 'lastUpdate')} ${last.toLocaleTimeString(lang === 'id' ? 'id-ID' : 'en-GB')} · ` : '';
  setText(updatedEl, clock + dataAgeText(last, lang));
}

function renderChrome(): void {
  document.documentElement.lang = lang;
  setText($('election-name'), election?.name || 'Broadcast');
  setText($('sort-label'), t(lang, 'sortBy'));
  sortSelect.replaceChildren(...SORT_KEYS.map((k) => h('option', { value: k, selected: k === sort },
    sortLabel(lang, k))));
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  }
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

sortSelect.addEventListener('change', () => {
  sort = asSort(sortSelect.value);
  setParam('sort', sort);
  render();
});

for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
  b.addEventListener('click', () => {
    lang = parseLang(b.dataset.lang);
    setParam('lang', lang);
    renderChrome();
    render();
  });
}

// The sticky table header sits right below the sticky top bar, whose height wraps.
const top = document.querySelector<HTMLElement>('header.top');
if (top && typeof ResizeObserver !== 'undefined') {
  new ResizeObserver(() => document.documentElement.style.setProperty('--header-h', `${top.offsetHeight}px`)).observe(top);
}

client.onChange(() => main.classList.remove('stale'));
setInterval(renderStatus, 1000);
renderChrome();
render();
client.start();
void fetchElection(server).then((e) => {
  election = e;
  renderChrome();
  render();
});
