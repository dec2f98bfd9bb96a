// The operator console: operator.html (&lang=id|en). Behind each operator's own secret, pasted
// once per tab (sessionStorage, never logged or shown) and sent as a bearer: the review queue,
// publication holds, rebuild and reconcile, ingest keys, a rehearsal's reset, and a live panel
// polling the night's figures every 2 s.
import './operator.css';
import { h, setText } from './dom';
import { fetchElection } from './election';
import type { Lang } from './format';
import { parseLang } from './i18n';
import { onLangButtons, pressLangButton } from './lang-buttons';
import { ApiError, OperatorClient } from './operator-api';
import { HoldsPanel } from './operator-holds';
import { KeysPanel } from './operator-keys';
import { LivePanel } from './operator-live';
import { QueuePanel } from './operator-queue';
import { RehearsalPanel, TotalsPanel } from './operator-totals';
import { type ConsoleContext, type Panel, field } from './operator-ui';
import { w } from './operator-words';
import type { Election } from './types';

const STORE = 'broadcast.operator.secret';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $<HTMLElement>('main');

let lang: Lang = parseLang(new URLSearchParams(location.search).get('lang'));
let election: Election | null = null;
let api: OperatorClient | null = null;
let operatorId = '';
/** Why the sign-in is shown again (a refused secret, an expired session). */
let signInProblem: string | null = null;

/** A rehearsal server (the election says so): the console offers the reset. */
function rehearsal(): boolean {
  return election?.rehearsal ?? false;
}

type Tab = 'queue' | 'holds' | 'totals' | 'keys' | 'rehearsal';

const ctx: ConsoleContext = {
  get api() {
    if (!api) throw new Error('not signed in');
    return api;
  },
  lang: () => lang,
  election: () => election,
  rehearsal,
  // The panel that acted reads its own list again; the actions list is the live panel's.
  changed: () => void live.refresh(),
  expired: () => signOut(w(lang).sessionEnded),
};

/** Least time between two reads of the queue or the holds prompted by the live panel. */
const FOLLOW_MS = 4000;
let followed = 0;
const live = new LivePanel(ctx, () => {
  // New forms or a new run: the queue and the holds may have changed. While the operator is at
  // work in the list (focus in it, a reason typed) it stays as it is, so nothing moves under them.
  const panel = panels[current()];
  if ((current() !== 'queue' && current() !== 'holds') || panel.busy || Date.now() - followed < FOLLOW_MS) return;
  followed = Date.now();
  void panel.refresh();
});
const panels: Record<Tab, Panel> = {
  queue: new QueuePanel(ctx), holds: new HoldsPanel(ctx), totals: new TotalsPanel(ctx), keys: new KeysPanel(ctx), rehearsal: new RehearsalPanel(ctx),
};

function tabs(): Tab[] {
  return rehearsal() ? ['queue', 'holds', 'totals', 'keys', 'rehearsal'] : ['queue', 'holds', 'totals', 'keys'];
}

function current(): Tab {
  const tab = location.hash.slice(1) as Tab;
  return tabs().includes(tab) ? tab : 'queue';
}

function tabName(tab: Tab): string {
  const words = w(lang);
  return { queue: words.tabQueue, holds: words.tabHolds, totals: words.tabTotals, keys: words.tabKeys, rehearsal: words.tabRehearsal }[tab];
}

function renderHeader(): void {
  const words = w(lang);
  document.documentElement.lang = lang;
  document.title = `${words.title} · ${election?.name || 'Broadcast'}`;
  setText($('title'), words.title);
  setText($('election-name'), election?.name ?? '');
  pressLangButton(lang);
  const who = $('who');
  who.hidden = !api;
  setText($('who-label'), `${words.signedInAs} `);
  setText($('operator-id'), operatorId);
  setText($('sign-out'), words.signOut);
  const notice = $('notice');
  const text = rehearsal() && !election?.notice?.includes('LATIHAN') ? `REHEARSAL · LATIHAN${election?.notice ? ` — ${election.notice}` : ''}` : election?.notice ?? '';
  notice.hidden = !text;
  notice.dataset.rehearsal = String(rehearsal());
  setText(notice, text ? `⚠ ${text}` : '');
}

function renderSignIn(): void {
  const words = w(lang);
  const secret = h('input', { type: 'password', name: 'secret', autocomplete: 'off', spellcheck: 'false', 'aria-required': 'true' });
  const submit = h('button', { type: 'submit', class: 'primary' }, words.signIn);
  const form = h('form', { class: 'sign-in panel', novalidate: true, 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, words.title),
    field('secret', words.secret, secret, words.secretHelp),
    h('div', { class: 'buttons' }, submit));
  const error = form.querySelector<HTMLElement>('.field-error')!;
  const show = (text: string | null) => {
    error.hidden = !text;
    error.textContent = text ?? '';
    if (text) error.setAttribute('role', 'alert');
    else error.removeAttribute('role');
    if (text) secret.setAttribute('aria-invalid', 'true');
    else secret.removeAttribute('aria-invalid');
  };
  show(signInProblem);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = secret.value.trim();
    if (!value) return show(words.secretMissing);
    submit.disabled = true;
    show(null);
    submit.textContent = words.checking;
    void signIn(value).then((problem) => {
      if (!problem) return;
      submit.disabled = false;
      submit.textContent = words.signIn;
      show(problem);
      secret.select();
    });
  });
  main.replaceChildren(form);
  main.setAttribute('aria-busy', 'false');
  secret.focus();
}

/** Null when signed in; else what went wrong, in words (the secret is never part of it). */
async function signIn(secret: string): Promise<string | null> {
  const client = new OperatorClient(secret);
  try {
    operatorId = await client.me();
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError(0, String(err));
    if (e.status === 401) return w(lang).wrongSecret;
    return e.status ? `${w(lang).failed}: ${e.detail} (HTTP ${e.status})` : `${w(lang).unreachable}: ${e.detail}`;
  }
  api = client;
  signInProblem = null;
  try { sessionStorage.setItem(STORE, secret); } catch { /* private mode: this page keeps it until closed */ }
  renderConsole();
  live.start();
  return null;
}

function signOut(problem: string | null = null): void {
  live.stop();
  api = null;
  operatorId = '';
  signInProblem = problem;
  try { sessionStorage.removeItem(STORE); } catch { /* nothing stored */ }
  renderHeader();
  renderSignIn();
}

function renderConsole(): void {
  renderHeader();
  const tab = current();
  const nav = h('nav', { class: 'tabs', 'aria-label': w(lang).sections },
    h('ul', {}, tabs().map((t) => h('li', {}, h('a', { href: `#${t}`, 'data-tab': t, 'aria-current': t === tab ? 'page' : null }, tabName(t))))));
  const panes = h('div', { class: 'panes' });
  for (const t of tabs()) {
    panels[t].render();
    panels[t].el.hidden = t !== tab;
    panes.append(panels[t].el);
  }
  live.render();
  main.replaceChildren(h('div', { class: 'console' }, h('div', { class: 'work' }, nav, panes), live.el));
  main.setAttribute('aria-busy', 'false');
  void panels[tab].refresh();
}

function showTab(): void {
  if (!api) return;
  const tab = current();
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav.tabs a')) {
    if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const t of tabs()) panels[t].el.hidden = t !== tab;
  panels[tab].el.querySelector<HTMLElement>('h2')?.setAttribute('tabindex', '-1');
  panels[tab].el.querySelector<HTMLElement>('h2')?.focus();
  void panels[tab].refresh();
}

window.addEventListener('hashchange', showTab);
$('sign-out').addEventListener('click', () => signOut());
onLangButtons((picked) => {
  lang = picked;
  if (api) renderConsole();
  else {
    renderHeader();
    renderSignIn();
  }
});

renderHeader();
// The election's name, contests and whether this server is a rehearsal (public). Without it the
// console still works; contests are typed by id.
void fetchElection('').then(async (e) => {
  election = e;
  renderHeader();
  let kept: string | null = null;
  try { kept = sessionStorage.getItem(STORE); } catch { kept = null; }
  if (kept) {
    const problem = await signIn(kept);
    if (problem === w(lang).wrongSecret) signOut(w(lang).sessionEnded);
    else if (problem) {
      // The server did not answer: keep the secret for the next try.
      signInProblem = problem;
      renderSignIn();
    }
  } else renderSignIn();
});
