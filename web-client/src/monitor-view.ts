// Rendering of the monitoring screen: pure functions from (snapshot, choices, options) to
// DOM, so monitor.ts only wires data, URL and events.
import { type Choice } from './election';
import { type Lang, formatInt, formatPct, leader, reportedPct, share, totalVotes } from './format';
import { h } from './dom';
import { levelName, t } from './i18n';
import type { ChildTotals, RegionRef, Snapshot } from './types';

export type SortKey = 'reported' | 'name' | 'margin';
export const SORT_KEYS: readonly SortKey[] = ['reported', 'name', 'margin'];

export interface ViewOptions {
  lang: Lang;
  sort: SortKey;
  contest: string;
  /** Builds the link of a region (drill-down keeps the other query parameters). */
  hrefFor: (region: string) => string;
  /** Link to a polling station's view (its revisions). */
  auditHref: (station: string) => string;
  /** Why a held station is held, in words (null: not held, or not known yet). */
  stationNote?: (station: ChildTotals) => string | null;
}

export function sortChildren(children: ChildTotals[], key: SortKey, lang: Lang): ChildTotals[] {
  const byName = (a: ChildTotals, b: ChildTotals) =>
    a.name.localeCompare(b.name, lang === 'id' ? 'id-ID' : 'en-GB', { numeric: true });
  const list = [...children];
  switch (key) {
    case 'name':
      return list.sort(byName);
    case 'reported':
      return list.sort((a, b) => reportedPct(b.stations) - reportedPct(a.stations) || byName(a, b));
    case 'margin':
      return list.sort((a, b) => leader(b.votes).margin - leader(a.votes).margin || byName(a, b));
  }
}

/** Leader label: "01 +4,2%", "Seri" for a real tie, "–" when nothing is counted yet. */
function leadLabel(choices: Choice[], votes: Record<string, number>, lang: Lang, digits: 'margin' | 'share', label: (c: Choice) => string = (c) => c.id): string {
  if (totalVotes(votes) === 0) return '–';
  const lead = leader(votes);
  const c = choices.find((x) => x.id === lead.id);
  if (!c) return t(lang, 'tie');
  return digits === 'margin' ? `${label(c)} +${formatPct(lead.margin, lang, 1)}` : `${label(c)} ${formatPct(share(votes, c.id), lang, 1)}`;
}

function leadColor(choices: Choice[], votes: Record<string, number>): string {
  const lead = leader(votes);
  return choices.find((c) => c.id === lead.id)?.color ?? 'transparent';
}

export function renderBreadcrumbs(snap: Snapshot, o: ViewOptions): HTMLElement {
  const crumbs: RegionRef[] = [...snap.parents, snap.region];
  return h('ol', { class: 'crumbs' }, crumbs.map((r, i) => h('li', {},
    i === crumbs.length - 1
      ? h('span', { 'aria-current': 'page' }, r.name)
      : h('a', { href: o.hrefFor(r.id), 'data-region': r.id }, r.name))));
}

/** A group's summary section: its name and `kind`, then reporting and the vote counts, then `extra` facts. */
export function summaryHead(snap: Snapshot, o: ViewOptions, kind: string, extra: HTMLElement[][] = []): HTMLElement {
  const { lang } = o;
  const st = snap.stations;
  return h('section', { class: 'summary', 'aria-labelledby': 'region-title' },
    h('div', { class: 'summary-head' },
      h('h1', { id: 'region-title' }, snap.region.name),
      h('span', { class: 'level' }, kind)),
    h('dl', { class: 'facts' },
      fact(t(lang, 'reportingHeading'), `${formatPct(reportedPct(st), lang)} (${formatInt(st.reported, lang)} / ${formatInt(st.total, lang)})`, 'reporting'),
      fact(t(lang, 'quarantined'), formatInt(st.quarantined, lang), 'quarantined'),
      fact(t(lang, 'valid'), formatInt(snap.valid, lang), 'valid'),
      fact(t(lang, 'invalid'), formatInt(snap.invalid, lang), 'invalid'),
      ...extra));
}

export function renderSummary(snap: Snapshot, choices: Choice[], o: ViewOptions): HTMLElement {
  const { lang } = o;
  const summary = summaryHead(snap, o, levelName(lang, snap.region.level));
  summary.append(h('ul', { class: 'bars' }, choices.map((c) => {
      const pct = share(snap.votes, c.id);
      return h('li', { class: 'bar-row', 'data-choice': c.id },
        h('span', { class: 'bar-name' }, h('b', {}, c.id), ' ', c.name),
        h('span', { class: 'bar-votes' }, formatInt(snap.votes[c.id] ?? 0, lang)),
        h('span', { class: 'bar-pct' }, formatPct(pct, lang)),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' },
          h('span', { class: 'bar-fill', style: `width:${pct}%;background:${c.color}` })));
    })));
  return summary;
}

/** A `<dt>`/`<dd>` pair of a summary's facts; `key` names it for tests and styles. */
export function fact(label: string, value: string, key: string): HTMLElement[] {
  return [h('dt', {}, label), h('dd', { 'data-fact': key }, value)];
}

/** Province tiles at national level, each coloured by its leader (named by `label`: the pair number, a party's short name). */
export function renderTiles(snap: Snapshot, choices: Choice[], o: ViewOptions, label?: (c: Choice) => string): HTMLElement {
  const { lang } = o;
  const tiles = sortChildren(snap.children, 'name', lang).map((c) => {
    const lead = leader(c.votes);
    const leadChoice = choices.find((x) => x.id === lead.id);
    const color = leadChoice?.color ?? 'transparent';
    const pct = lead.id ? share(c.votes, lead.id) : 0;
    return h('a', {
      class: 'tile', href: o.hrefFor(c.id), 'data-region': c.id,
      style: `--lead:${color}`,
      title: `${c.name}: ${leadChoice ? `${leadChoice.name} ${formatPct(pct, lang)}` : t(lang, 'tie')}`,
    },
    h('span', { class: 'tile-name' }, c.name),
    h('span', { class: 'tile-lead' }, leadLabel(choices, c.votes, lang, 'share', label)),
    h('span', { class: 'tile-rep' }, `${formatPct(reportedPct(c.stations), lang, 1)} ${t(lang, 'reporting')}`));
  });
  return h('section', { class: 'tiles-section' },
    h('h2', {}, t(lang, 'provinces')),
    h('div', { class: 'tiles' }, tiles));
}

/** A child's name: a drill-down link; for a polling station a link to its view, and why it is held. */
export function childNameCell(c: ChildTotals, o: ViewOptions): HTMLElement {
  if (c.level !== 'tps') return h('th', { scope: 'row' }, h('a', { href: o.hrefFor(c.id), 'data-region': c.id }, c.name));
  const note = o.stationNote?.(c) ?? null;
  return h('th', { scope: 'row' }, h('a', { href: o.auditHref(c.id), title: t(o.lang, 'audit') }, c.name),
    note ? h('small', { class: 'held-note' }, `${t(o.lang, 'held')}: ${note}`) : '');
}

/** A child's share of stations reporting; a polling station is counted, held or not in yet (words, not "0.0% 0/1"). */
export function reportingCell(c: ChildTotals, lang: Lang): HTMLElement {
  if (c.level === 'tps') {
    const state = c.stations.quarantined > 0 ? 'held' : c.stations.reported > 0 ? 'counted' : 'none';
    return h('td', { class: 'num station-state', 'data-state': state }, state === 'none' ? '–' : t(lang, state));
  }
  return h('td', { class: 'num' }, formatPct(reportedPct(c.stations), lang, 1),
    h('small', {}, `${formatInt(c.stations.reported, lang)}/${formatInt(c.stations.total, lang)}`));
}

export function renderTable(snap: Snapshot, choices: Choice[], o: ViewOptions): HTMLElement {
  const { lang } = o;
  const rows = sortChildren(snap.children, o.sort, lang).map((c) => {
    return h('tr', { 'data-region': c.level === 'tps' ? null : c.id, style: `--lead:${leadColor(choices, c.votes)}` },
      childNameCell(c, o),
      choices.map((ch) => h('td', { class: 'num' },
        formatInt(c.votes[ch.id] ?? 0, lang), h('small', {}, formatPct(share(c.votes, ch.id), lang, 1)))),
      h('td', {}, leadLabel(choices, c.votes, lang, 'margin')),
      reportingCell(c, lang),
      h('td', { class: 'num' }, c.stations.quarantined > 0 ? formatInt(c.stations.quarantined, lang) : '–'));
  });
  const first = snap.children[0];
  const caption = first ? levelName(lang, first.level) : t(lang, 'children');
  return h('section', { class: 'table-section' },
    h('h2', {}, `${caption} (${snap.children.length})`),
    h('table', { class: 'children' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t(lang, 'region')),
        choices.map((ch) => h('th', { scope: 'col', class: 'num' }, h('span', { class: 'swatch', style: `background:${ch.color}` }), ` ${ch.id}`)),
        h('th', { scope: 'col' }, t(lang, 'margin')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'reportingHeading')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'quarantined')))),
      h('tbody', {}, rows)));
}

export function sortLabel(lang: Lang, k: SortKey): string {
  return t(lang, k === 'reported' ? 'sortReported' : k === 'name' ? 'sortName' : 'sortMargin');
}
