// TV lower third: overlay.html?contest=ppwp&region=0&lang=id (&server=...&protocol=json).
// A transparent 1920x1080 page for a browser source in the vision mixer / playout.
import './overlay.css';
import { type Choice, choicesFor, contestInfo, fetchElection } from './election';
import { type Lang, formatInt, formatPct, reportedPct, share } from './format';
import { h } from './dom';
import { parseLang, t } from './i18n';
import { ResultsClient } from './results-client';
import { NumberTween } from './tween';
import type { Election } from './types';

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

const client = new ResultsClient({
  baseUrl: server,
  contest,
  region: params.get('region') ?? '0',
  protocol: params.get('protocol') === 'json' ? 'json' : 'msgpack',
  onChange: () => render(),
  onState: (s) => {
    dot.dataset.state = s;
    document.documentElement.dataset.state = s;
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
    return h('div', { class: 'lt-choice', 'data-choice': c.id, style: `--c:${c.color}` },
      h('span', { class: 'lt-name' }, c.name),
      votesEl,
      shareEl,
      h('span', { class: 'lt-bar' }, bar));
  }));
}

function render(): void {
  const snap = client.snapshot;
  if (!snap) return;
  const choices = choicesFor(contestInfo(election, contest), snap.votes);
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
