// Rendering of the legislative views of the monitoring screen: a parliament (hemicycle,
// projected seats per party, the DPR threshold, every dapil with its seats, elected
// candidates and last-seat margin), a dapil (party votes and seats, the seat allocation,
// candidates per party) and region views of a party contest. Pure functions to DOM, like
// monitor-view.ts; the arithmetic is in legislative.ts.
import type { Choice } from './election';
import { type Lang, formatInt, formatPct, leader, reportedPct, share, totalVotes } from './format';
import { h } from './dom';
import { levelName, t } from './i18n';
import {
  type DapilRow, type PartyList, type PartyStanding, allocated, candidateLists, dapilRows, hemicycle, majority,
  partiesOnBallot, partyStandings, sortDapils, wonList,
} from './legislative';
import { type ViewOptions, childNameCell, fact, reportingCell, sortChildren, summaryHead } from './monitor-view';
import type { ContestInfo, ParliamentInfo, SeatClaim, Snapshot } from './types';

export interface LegislativeOptions extends ViewOptions {
  info: ContestInfo | null;
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, ...children: Node[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** Looks a choice up by id, with a neutral stand-in for ids the election does not name. */
export function choiceLookup(choices: Choice[]): (id: string) => Choice {
  const byId = new Map(choices.map((c) => [c.id, c]));
  return (id) => byId.get(id) ?? { id, name: id, color: 'var(--broadcast-muted)' };
}

/** A party's (or DPD candidate's) coloured name chip, with a count when given. */
function chip(c: Choice, count?: number): HTMLElement {
  return h('span', { class: 'chip', style: `--c:${c.color}`, 'data-party': c.id, title: c.fullName ?? c.name },
    h('span', { class: 'chip-name' }, c.name),
    count === undefined ? null : h('b', { class: 'chip-count' }, count));
}

/** "34 / 3": a claim's votes over its divisor (its quotient). */
function quotient(c: SeatClaim, lang: Lang): string {
  return c.divisor > 1 ? `${formatInt(c.votes, lang)} / ${c.divisor}` : formatInt(c.votes, lang);
}

// ---- parliament ----

export function renderParliament(snap: Snapshot, choices: Choice[], o: LegislativeOptions): (HTMLElement | string)[] {
  const { lang } = o;
  const seats = snap.seats;
  const total = seats?.total ?? 0;
  const standings = partyStandings(snap, choices, partiesOnBallot(snap));
  const withSeats = standings.filter((p) => p.seats > 0);
  const given = allocated(seats?.won ?? {});
  const partyMode = o.info?.kind !== 'candidateList';
  // DPD senators sit as individuals: no majority to count.
  const head = summaryHead(snap, o, levelName(lang, 'parliament'), [
    fact(t(lang, 'seats'), formatInt(total, lang), 'seats'),
    partyMode ? fact(t(lang, 'majority'), formatInt(majority(total), lang), 'majority') : [],
  ]);
  return [
    head,
    partyMode ? h('section', { class: 'seats-section', 'aria-label': t(lang, 'projectedSeats') },
      h('div', { class: 'hemi-wrap' },
        h('h2', {}, t(lang, 'projectedSeats')),
        renderHemicycle(total, withSeats),
        h('div', { class: 'hemi-legend' }, withSeats.map((p) => chip({ id: p.id, name: p.name, color: p.color, fullName: p.fullName }, p.seats))),
        h('p', { class: 'hemi-caption', 'data-allocated': given },
          `${formatInt(given, lang)} ${t(lang, 'allocatedOf')} ${formatInt(total, lang)} ${t(lang, 'seatsShort')} · ${t(lang, 'majority')} ${formatInt(majority(total), lang)}`)),
      renderSeatTable(standings, snap, o)) : '',
    renderDapilTable(snap, choices, o),
  ];
}

export function renderHemicycle(total: number, parties: PartyStanding[]): SVGElement {
  const hemi = hemicycle(total, parties);
  const groups = new Map<string, SVGElement>();
  const m = 1 + hemi.r * 1.2;
  const root = svg('svg', { class: 'hemicycle', viewBox: `${-m} ${-m} ${2 * m} ${m + hemi.r * 1.2}`, role: 'img' });
  const color = new Map(parties.map((p) => [p.id, p.color]));
  const names = new Map(parties.map((p) => [p.id, `${p.name} ${p.seats}`]));
  for (const d of hemi.dots) {
    const key = d.party ?? '';
    let g = groups.get(key);
    if (!g) {
      g = svg('g', { style: `fill:${d.party ? color.get(d.party) ?? 'gray' : 'rgb(255 255 255 / 0.14)'}`, 'data-party': key });
      if (d.party) g.append(svg('title', {}, document.createTextNode(names.get(d.party) ?? d.party)));
      groups.set(key, g);
      root.append(g);
    }
    g.append(svg('circle', { cx: d.x.toFixed(4), cy: d.y.toFixed(4), r: hemi.r.toFixed(4) }));
  }
  root.setAttribute('aria-label', parties.map((p) => `${p.name} ${p.seats}`).join(', ') || String(total));
  return root;
}

function renderSeatTable(standings: PartyStanding[], snap: Snapshot, o: LegislativeOptions): HTMLElement {
  const { lang } = o;
  const threshold = snap.seats?.threshold ?? null;
  const maxShare = Math.max(threshold?.percent ?? 0, ...standings.map((p) => p.share), 1);
  const scale = maxShare * 1.1;
  const rows = standings.map((p) => h('tr', { 'data-party': p.id, class: p.passes === false ? 'below' : null, style: `--c:${p.color}` },
    h('th', { scope: 'row' }, h('span', { class: 'swatch', style: `background:${p.color}` }), ' ',
      h('b', { class: 'party-short' }, p.name), h('small', { class: 'party-full' }, p.fullName !== p.name ? p.fullName : '')),
    h('td', { class: 'num', 'data-votes': p.votes }, formatInt(p.votes, lang)),
    h('td', { class: 'share-cell' },
      h('span', { class: 'share-val' }, formatPct(p.share, lang)),
      h('span', { class: 'share-track', 'aria-hidden': 'true' },
        h('span', { class: 'share-fill', style: `width:${(p.share / scale) * 100}%;background:${p.color}` }),
        threshold ? h('span', { class: 'threshold-line', style: `left:${(threshold.percent / scale) * 100}%` }) : null)),
    threshold ? h('td', { class: 'pass', 'data-passes': String(p.passes) }, p.passes ? `✓ ${t(lang, 'passes')}` : `✗ ${t(lang, 'below')}`) : null,
    h('td', { class: 'num seats-cell', 'data-seats': p.seats }, formatInt(p.seats, lang))));
  return h('div', { class: 'seat-table-wrap' },
    threshold ? h('p', { class: 'threshold', 'data-threshold-votes': threshold.votes, 'data-passing': threshold.passing.join(',') },
      h('b', {}, `${t(lang, 'threshold')} ${threshold.percent} %`), ': ',
      `${formatInt(threshold.votes, lang)} ${t(lang, 'votesOf')} ${formatInt(threshold.valid, lang)} ${t(lang, 'validCounted')} · `,
      `${t(lang, 'passes')}: ${threshold.passing.length} ${t(lang, 'parties')}`) : '',
    h('table', { class: 'seat-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t(lang, 'party')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'votes')),
        h('th', { scope: 'col' }, t(lang, 'share')),
        threshold ? h('th', { scope: 'col' }, t(lang, 'threshold')) : null,
        h('th', { scope: 'col', class: 'num' }, t(lang, 'seats')))),
      h('tbody', {}, rows)));
}

/** The dapils of a parliament: seats, reporting, seats per party, who is elected, and the last-seat race. */
export function renderDapilTable(snap: Snapshot, choices: Choice[], o: LegislativeOptions): HTMLElement {
  const { lang } = o;
  const find = choiceLookup(choices);
  const count = snap.children.filter((c) => c.level === 'dapil').length;
  // The closest races stand out: one in four dapils, at most three.
  const rows = sortDapils(dapilRows(snap, Math.min(3, Math.ceil(count / 4))), o.sort).map((d) => renderDapilRow(d, find, o));
  return h('section', { class: 'table-section dapils-section' },
    h('h2', {}, `${t(lang, 'dapils')} (${rows.length})`),
    h('table', { class: 'children dapils' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t(lang, 'dapils')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'seats')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'reportingHeading')),
        h('th', { scope: 'col' }, t(lang, 'projectedSeats')),
        h('th', { scope: 'col' }, t(lang, 'elected')),
        h('th', { scope: 'col' }, t(lang, 'lastSeat')),
        h('th', { scope: 'col' }, t(lang, 'runnerUp')))),
      h('tbody', {}, rows)));
}

/** A party, or for DPD a candidate number (named from the elected list when it is there). */
function nameOf(id: string, d: DapilRow, find: (id: string) => Choice): Choice {
  const known = find(id);
  if (known.name !== id) return known;
  const e = d.elected.find((x) => x.id === id);
  return e ? { ...known, name: e.name } : { ...known, name: `No. ${id}` };
}

function renderDapilRow(d: DapilRow, find: (id: string) => Choice, o: LegislativeOptions): HTMLElement {
  const { lang } = o;
  const lead = leader(d.votes);
  const leadColor = lead.id ? find(lead.id).color : 'transparent';
  const elected = d.elected.map((e) => h('li', { 'data-candidate': e.id, style: `--c:${e.party ? find(e.party).color : 'var(--broadcast-accent)'}` },
    h('span', { class: 'cand-name' }, e.name),
    e.party ? h('small', {}, find(e.party).name) : null,
    h('small', { class: 'num' }, formatInt(e.votes, lang))));
  const last = d.last;
  const next = d.runnerUp;
  return h('tr', {
    'data-region': d.id, 'data-dapil': d.id, class: d.close ? 'close' : null, style: `--lead:${leadColor}`,
    'data-won': d.won.map((w) => `${w.party}:${w.seats}`).join(','),
    'data-last': last?.choice ?? '', 'data-runner-up': next?.choice ?? '', 'data-votes-needed': next?.votesNeeded ?? '',
  },
  h('th', { scope: 'row' }, h('a', { href: o.hrefFor(d.id), 'data-region': d.id }, d.name),
    d.close ? h('span', { class: 'badge close-badge' }, t(lang, 'closest')) : null),
  h('td', { class: 'num', 'data-seats': d.seats }, formatInt(d.seats, lang)),
  h('td', { class: 'num' }, formatPct(d.reporting, lang, 1),
    h('small', {}, `${formatInt(d.stations.reported, lang)}/${formatInt(d.stations.total, lang)}`)),
  h('td', { class: 'won' }, d.won.length ? d.won.map((w) => chip(nameOf(w.party, d, find), w.seats)) : '–'),
  h('td', { class: 'elected' }, elected.length ? h('ul', { class: 'elected-list' }, elected) : '–'),
  h('td', { class: 'last-seat' }, last ? [chip(nameOf(last.choice, d, find)), h('small', {}, quotient(last, lang))] : '–'),
  h('td', { class: 'runner-up' }, next
    ? [chip(nameOf(next.choice, d, find)), h('small', {}, quotient(next, lang)),
      h('span', { class: 'need', 'data-need': next.votesNeeded }, `${t(lang, 'needs')} +${formatInt(next.votesNeeded, lang)} ${t(lang, 'moreVotes')}`)]
    : '–'));
}

// ---- dapil ----

export function renderDapil(snap: Snapshot, choices: Choice[], o: LegislativeOptions): HTMLElement[] {
  const { lang } = o;
  const seats = snap.seats;
  const own = seats?.dapils.find((d) => d.id === snap.region.id) ?? seats?.dapils[0] ?? null;
  const total = own?.seats ?? seats?.total ?? 0;
  const find = choiceLookup(choices);
  const partyMode = o.info?.kind !== 'candidateList';
  const standings = partyStandings(snap, choices, Object.keys(snap.votes));
  const inBallotOrder = [...standings].sort((a, b) => choices.findIndex((c) => c.id === a.id) - choices.findIndex((c) => c.id === b.id));
  const lists = candidateLists(snap.candidates ?? [], snap.votes, seats?.won ?? {});
  const row: DapilRow | null = own ? {
    id: own.id, name: own.name, seats: own.seats, stations: snap.stations, reporting: reportedPct(snap.stations),
    votes: snap.votes, won: wonList(own.won), elected: own.elected, last: own.last, runnerUp: own.runnerUp, close: false,
  } : null;
  return [
    summaryHead(snap, o, levelName(lang, 'dapil'), [
      fact(t(lang, 'seats'), formatInt(total, lang), 'seats'),
    ]),
    h('section', { class: 'dapil-grid' },
      partyMode ? renderPartyBars(inBallotOrder, snap, o) : '',
      row ? renderAllocation(row, find, snap, o) : ''),
    h('section', { class: 'cand-section' },
      h('h2', {}, t(lang, 'candidates')),
      h('div', { class: 'cand-lists' }, lists.map((l) => renderList(l, find, o)))),
  ];
}

function renderPartyBars(parties: PartyStanding[], snap: Snapshot, o: LegislativeOptions): HTMLElement {
  const { lang } = o;
  const threshold = snap.seats?.threshold ?? null;
  return h('div', { class: 'party-bars panel' },
    h('h2', {}, `${t(lang, 'votes')} · ${t(lang, 'seats')}`),
    h('ul', { class: 'bars compact' }, parties.map((p) => h('li', { class: `bar-row${p.passes === false ? ' below' : ''}`, 'data-choice': p.id },
      h('span', { class: 'bar-name' }, h('span', { class: 'swatch', style: `background:${p.color}` }), ' ', h('b', {}, p.name), ' ',
        h('small', {}, p.fullName !== p.name ? p.fullName : '')),
      h('span', { class: 'bar-votes' }, formatInt(p.votes, lang)),
      h('span', { class: 'bar-pct' }, formatPct(p.share, lang)),
      h('span', { class: 'bar-seats', 'data-seats': p.seats, title: t(lang, 'seats') }, p.seats > 0 ? `${p.seats}` : '–'),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' },
        h('span', { class: 'bar-fill', style: `width:${p.share}%;background:${p.color}` }))))),
    threshold ? h('p', { class: 'threshold muted' }, `${t(lang, 'threshold')} ${threshold.percent} % (${t(lang, 'below')}: ${
      parties.filter((p) => p.passes === false).map((p) => p.name).join(', ') || '–'})`) : '');
}

function renderAllocation(d: DapilRow, find: (id: string) => Choice, snap: Snapshot, o: LegislativeOptions): HTMLElement {
  const { lang } = o;
  const name = (id: string) => nameOf(id, d, find);
  return h('div', { class: 'allocation panel', 'data-dapil': d.id, 'data-won': d.won.map((w) => `${w.party}:${w.seats}`).join(','),
    'data-last': d.last?.choice ?? '', 'data-runner-up': d.runnerUp?.choice ?? '', 'data-votes-needed': d.runnerUp?.votesNeeded ?? '' },
  h('h2', {}, t(lang, 'seatAllocation')),
  totalVotes(snap.votes) === 0 ? h('p', { class: 'muted' }, t(lang, 'noVotesYet')) : '',
  h('div', { class: 'won' }, d.won.map((w) => chip(name(w.party), w.seats))),
  h('dl', { class: 'claims' },
    h('dt', {}, t(lang, 'lastSeat')),
    h('dd', { class: 'last-seat' }, d.last ? [chip(name(d.last.choice)), ' ', quotient(d.last, lang)] : '–'),
    h('dt', {}, t(lang, 'runnerUp')),
    h('dd', { class: 'runner-up' }, d.runnerUp
      ? [chip(name(d.runnerUp.choice)), ' ', quotient(d.runnerUp, lang), ' · ',
        h('span', { class: 'need', 'data-need': d.runnerUp.votesNeeded }, `${t(lang, 'needs')} +${formatInt(d.runnerUp.votesNeeded, lang)} ${t(lang, 'moreVotes')}`)]
      : '–')));
}

function renderList(l: PartyList, find: (id: string) => Choice, o: LegislativeOptions): HTMLElement {
  const { lang } = o;
  const party = l.party === null ? null : find(l.party);
  return h('article', { class: 'cand-list', 'data-party': l.party ?? '', style: `--c:${party?.color ?? 'var(--broadcast-accent)'}` },
    h('header', {},
      party ? h('b', { title: party.fullName ?? party.name }, party.name) : h('b', {}, t(lang, 'candidates')),
      h('span', { class: 'cand-meta' }, `${formatInt(l.votes, lang)} ${t(lang, 'votes').toLowerCase()}`),
      h('span', { class: 'cand-seats', 'data-seats': l.seats }, `${l.seats} ${t(lang, 'seatsShort')}`)),
    h('ol', {}, l.candidates.map((c) => h('li', { class: c.mark ?? null, 'data-candidate': c.id, 'data-rank': c.rank },
      h('span', { class: 'cand-no' }, c.number),
      h('span', { class: 'cand-name' }, c.name),
      h('span', { class: 'cand-votes' }, formatInt(c.votes, lang)),
      c.mark ? h('span', { class: `badge ${c.mark}` }, c.mark === 'elected' ? `✓ ${t(lang, 'elected')}` : `→ ${t(lang, 'next')}`) : ''))));
}

// ---- regions of a party contest ----

/** Which parties a region of a party contest shows: Aceh's local parties only in Aceh, or where they have votes. */
export function regionParties(snap: Snapshot, choices: Choice[], acehOnly: ReadonlySet<string>): Choice[] {
  const inAceh = [...snap.parents, snap.region].some((r) => r.id === '11');
  return choices.filter((c) => snap.votes[c.id] !== undefined && (!acehOnly.has(c.id) || inAceh || (snap.votes[c.id] ?? 0) > 0));
}

export function renderPartySummary(snap: Snapshot, choices: Choice[], o: LegislativeOptions, kind: string): HTMLElement {
  const { lang } = o;
  const head = summaryHead(snap, o, kind);
  head.append(h('ul', { class: 'bars compact two-col' }, choices.map((c) => {
    const pct = share(snap.votes, c.id);
    return h('li', { class: 'bar-row', 'data-choice': c.id },
      h('span', { class: 'bar-name' }, h('span', { class: 'swatch', style: `background:${c.color}` }), ' ', h('b', {}, c.name), ' ',
        h('small', {}, c.fullName && c.fullName !== c.name ? c.fullName : '')),
      h('span', { class: 'bar-votes' }, formatInt(snap.votes[c.id] ?? 0, lang)),
      h('span', { class: 'bar-pct' }, formatPct(pct, lang)),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' },
        h('span', { class: 'bar-fill', style: `width:${pct}%;background:${c.color}` })));
  })));
  return head;
}

/** Children of a region (or a dapil) in a party contest: too many parties for a column each, so the leader, the second and the margin. */
export function renderPartyTable(snap: Snapshot, choices: Choice[], o: LegislativeOptions, caption: string): HTMLElement {
  const { lang } = o;
  const find = choiceLookup(choices);
  const rows = sortChildren(snap.children, o.sort, lang).map((c) => {
    const ranked = Object.entries(c.votes).sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0]));
    const total = totalVotes(c.votes);
    const first = total > 0 ? ranked[0] : undefined;
    const second = total > 0 ? ranked[1] : undefined;
    const lead = leader(c.votes);
    const cell = (e: [string, number] | undefined) => e
      ? h('td', {}, chip(find(e[0])), h('small', {}, `${formatInt(e[1], lang)} · ${formatPct(share(c.votes, e[0]), lang, 1)}`))
      : h('td', {}, '–');
    return h('tr', { 'data-region': c.level === 'tps' ? null : c.id, style: `--lead:${first ? find(first[0]).color : 'transparent'}` },
      childNameCell(c, o),
      cell(first),
      cell(second),
      h('td', { class: 'num' }, total === 0 ? '–' : lead.id ? `+${formatPct(lead.margin, lang, 1)}` : t(lang, 'tie')),
      reportingCell(c, lang),
      h('td', { class: 'num' }, c.stations.quarantined > 0 ? formatInt(c.stations.quarantined, lang) : '–'));
  });
  return h('section', { class: 'table-section' },
    h('h2', {}, `${caption} (${snap.children.length})`),
    h('table', { class: 'children' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t(lang, 'region')),
        h('th', { scope: 'col' }, t(lang, 'leader')),
        h('th', { scope: 'col' }, t(lang, 'second')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'margin')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'reportingHeading')),
        h('th', { scope: 'col', class: 'num' }, t(lang, 'quarantined')))),
      h('tbody', {}, rows)));
}

/** Links to the parliaments elected in (or above) a region. */
export function renderParliamentLinks(list: ParliamentInfo[], o: LegislativeOptions): HTMLElement | '' {
  const { lang } = o;
  if (list.length === 0) return '';
  return h('section', { class: 'parliaments-section' },
    h('h2', {}, t(lang, 'parliamentsHere')),
    h('ul', { class: 'parliament-links' }, list.map((p) => h('li', {},
      h('a', { href: o.hrefFor(p.id), 'data-region': p.id }, p.name),
      h('small', {}, ` ${formatInt(p.seats, lang)} ${t(lang, 'seatsShort')} · ${p.dapils.length} dapil`)))));
}
