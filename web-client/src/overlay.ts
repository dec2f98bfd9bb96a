// TV lower third: overlay.html?contest=ppwp&region=0&lang=id (&server=...&protocol=json&view=headline&rate=2).
// A transparent 1920x1080 page for a browser source in the vision mixer / playout. It follows
// the group's headline (totals and seats) at two frames a second by default.
import './overlay.css';
import { BallotCache, type Choice, choicesFor, contestInfo, fetchElection } from './election';
import { type Lang, formatInt, formatPct, reportedPct, share } from './format';
import { h } from './dom';
import { parseLang, t } from './i18n';
import { markHeld, markRehearsal } from './marks';
import { pairLines } from './names';
import { type PartyStanding, allocated, majority, partiesOnBallot, partyStandings, topParties } from './legislative';
import { ResultsClient } from './results-client';
import { parseRate, parseView } from './view-params';
import { NumberTween } from './tween';
import type { Election, Snapshot } from './types';

/** Party cells on the lower third: two rows of six at 1920 px, short names never cut. */
const MAX_PARTIES = 12;

const params = new URLSearchParams(location.search);
const contest = params.get('contest') ?? 'ppwp';
const server = params.get('server') ?? '';
const lang: Lang = parseLang(params.get('lang'));
document.documentElement.lang = lang;

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const stage = $('stage');
const panel = $('lower-third');
const regionEl = $('region');
const dot = $('dot');
$('reporting-label').textContent = t(lang, 'reporting');
const reporting = new NumberTween($('reporting'), (n) => formatPct(n, lang));

interface ChoiceView {
  share: NumberTween;
  votes: NumberTween;
  bar: HTMLElement;
}
let views = new Map<string, ChoiceView>();
let viewKey = '';
let election: Election | null = null;
const ballot = new BallotCache(() => render());

const client = new ResultsClient({
  baseUrl: server,
  contest,
  region: params.get('region') ?? '0',
  protocol: params.get('protocol') === 'json' ? 'json' : 'msgpack',
  view: parseView(params.get('view'), 'headline'),
  maxPerSecond: parseRate(params.get('rate'), 2),
  onChange: () => render(),
  onState: (s) => {
    dot.dataset.state = s;
    document.documentElement.dataset.state = s;
    render();
  },
});

/** Fit the 1920x1080 stage into whatever size the browser source has. */
function fit(): void {
  const scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080) || 1;
  stage.style.transform = scale === 1 ? '' : `scale(${scale})`;
}

function build(choices: Choice[]): void {
  const container = $('choices');
  views = new Map();
  container.replaceChildren(...choices.map((c) => {
    const shareEl = h('span', { class: 'lt-share' });
    const votesEl = h('span', { class: 'lt-votes' });
    const bar = h('span', { style: 'width:0%' });
    views.set(c.id, {
      share: new NumberTween(shareEl, (n) => formatPct(n, lang)),
      votes: new NumberTween(votesEl, (n) => formatInt(n, lang)),
      bar,
    });
    // A pair one person a line (president, then vice president): whole names, never cut.
    return h('div', { class: 'lt-choice', 'data-choice': c.id, style: `--c:${c.color}` },
      h('span', { class: 'lt-name', title: c.name }, pairLines(c.name).map((line) => h('span', { class: 'lt-line' }, line))),
      votesEl,
      shareEl,
      h('span', { class: 'lt-bar' }, bar));
  }));
}

/** Name sizes tried, largest first, when even the stacked cells cut a name (a long name in a narrow cell). */
const NAME_SCALES = [1, 0.9, 0.8, 0.7, 0.6];

/**
 * Lays the pair cells out so that no name is cut: the share beside the names when there is
 * room (two pairs), below them otherwise (three or more), then smaller names if need be.
 */
function fitNames(): void {
  const container = $('choices');
  const lines = [...container.querySelectorAll<HTMLElement>('.lt-line')];
  if (lines.length === 0) return;
  const cut = () => lines.some((l) => l.scrollWidth > l.clientWidth + 1);
  for (const stacked of [false, true]) {
    for (const scale of stacked ? NAME_SCALES : [1]) {
      container.classList.toggle('stacked', stacked);
      container.style.setProperty('--name-scale', String(scale));
      if (!cut()) return;
    }
  }
}

/** The election's notice (a rehearsal's striped), and whether an operator holds the numbers. */
function renderMarks(): void {
  markRehearsal(document.documentElement, $('notice'), election);
  markHeld(document.documentElement, $('held'), client.held, lang);
}

/** A parliament or dapil (seats), or a region of a party contest: parties with shares and projected seats. */
function renderParties(snap: Snapshot, standings: PartyStanding[]): void {
  const container = $('choices');
  const seats = snap.seats;
  const { shown, others } = topParties(standings, MAX_PARTIES);
  const rows = [
    ...shown.map((p) => ({ id: p.id, name: p.name, color: p.color, share: p.share, seats: p.seats })),
    ...(others ? [{ id: 'others', name: `${t(lang, 'others')} (${others.count})`, color: 'rgb(255 255 255 / 0.4)', share: others.share, seats: others.seats }] : []),
  ];
  const holders = standings.filter((p) => p.seats > 0);
  // Rebuild when the parties, their order or the seat holders change; else update in place so bars glide.
  const key = `leg|${seats ? seats.total : 'v'}|${rows.map((r) => `${r.id}:${r.name}`).join('|')}|${holders.map((p) => p.id).join(',')}`;
  if (key !== viewKey) {
    viewKey = key;
    views = new Map();
    container.replaceChildren(
      seats ? h('div', { class: 'lt-seathead' },
        h('span', {}, t(lang, 'projectedSeats')),
        h('b', { class: 'lt-allocated' }),
        h('span', {}, `${t(lang, 'majority')} ${formatInt(majority(seats.total), lang)}`)) : '',
      seats ? h('div', { class: 'lt-seatbar', 'aria-hidden': 'true' },
        ...holders.map((p) => h('span', { 'data-choice': p.id, style: `background:${p.color};width:0%` })),
        h('i', { class: 'lt-majority' })) : '',
      h('div', { class: 'lt-parties' }, rows.map((r) => h('div', { class: 'lt-party', 'data-choice': r.id, style: `--c:${r.color}` },
        h('span', { class: 'lt-pname' }, r.name),
        h('span', { class: 'lt-pshare' }),
        seats ? h('span', { class: 'lt-pseats' }, h('b', {}), h('small', {}, t(lang, 'seatsShort'))) : ''))));
  }
  for (const r of rows) {
    const el = container.querySelector(`.lt-party[data-choice="${r.id}"]`);
    const shareEl = el?.querySelector('.lt-pshare');
    if (shareEl) shareEl.textContent = formatPct(r.share, lang, 1);
    const seatEl = el?.querySelector('.lt-pseats b');
    if (seatEl) seatEl.textContent = formatInt(r.seats, lang);
  }
  if (seats) {
    const total = Math.max(seats.total, allocated(seats.won)) || 1;
    const allocatedEl = container.querySelector('.lt-allocated');
    if (allocatedEl) allocatedEl.textContent = `${formatInt(allocated(seats.won), lang)} / ${formatInt(seats.total, lang)}`;
    for (const seg of container.querySelectorAll<HTMLElement>('.lt-seatbar span[data-choice]')) {
      const p = holders.find((x) => x.id === seg.dataset.choice);
      seg.style.width = `${((p?.seats ?? 0) * 100) / total}%`;
    }
  }
  panel.classList.add('leg');
}

function render(): void {
  renderMarks();
  const snap = client.snapshot;
  // A wrong region or contest in the browser source's URL shows in the preview, not a blank page.
  panel.classList.toggle('error', !snap && client.state === 'notFound');
  if (!snap) {
    if (client.state === 'notFound') {
      regionEl.textContent = `⚠ ${t(lang, 'notFound')}: ${client.region}`;
      panel.classList.add('on');
    }
    return;
  }
  const info = contestInfo(election, contest);
  if (snap.seats || info?.kind === 'partyList') {
    regionEl.textContent = snap.region.name;
    reporting.set(reportedPct(snap.stations));
    const choices = choicesFor(info, snap.votes, election?.parties ?? []);
    renderParties(snap, partyStandings(snap, choices, partiesOnBallot(snap, ballot.get(server, contest, snap))));
    document.documentElement.dataset.version = String(snap.version);
    panel.classList.add('on');
    return;
  }
  panel.classList.remove('leg');
  const choices = choicesFor(info, snap.votes);
  // Names can arrive after the first snapshot: rebuild when the labels change.
  const key = choices.map((c) => `${c.id}:${c.name}`).join('|');
  if (key !== viewKey) {
    viewKey = key;
    build(choices);
  }
  regionEl.textContent = snap.region.name;
  reporting.set(reportedPct(snap.stations));
  for (const c of choices) {
    const v = views.get(c.id);
    if (!v) continue;
    const pct = share(snap.votes, c.id);
    v.share.set(pct);
    v.votes.set(snap.votes[c.id] ?? 0);
    v.bar.style.width = `${pct}%`;
  }
  fitNames();
  document.documentElement.dataset.version = String(snap.version);
  panel.classList.add('on');
}

window.addEventListener('resize', fit);
fit();
client.start();
void fetchElection(server).then((e) => {
  election = e;
  render();
});
