// <broadcast-ticker contest="ppwp" region="0" server="https://..." lang="id">
// A one-line results strip for news sites: one script tag (ticker.js) and one element.
import { dataAgeText } from './age';
import { type Choice, choicesFor, contestInfo, fetchElection } from './election';
import { type Lang, formatPct, reportedPct, share } from './format';
import { h, setText } from './dom';
import { parseLang, stateName, t } from './i18n';
import { type ClientState, ResultsClient, type ResultsClientOptions } from './results-client';
import type { Election, Snapshot } from './types';
import css from './ticker.css?inline';

/** Screen readers hear a summary at most this often; a live strip would otherwise chatter. */
const ANNOUNCE_EVERY_MS = 30_000;

// Loaded as a classic <script src=".../ticker.js">, the server defaults to where the script
// came from, so a news site needs no `server` attribute. Bundled into a page: same origin.
const scriptOrigin: string = (() => {
  if (typeof document === 'undefined') return '';
  const src = (document.currentScript as HTMLScriptElement | null)?.src;
  try {
    return src ? new URL(src).origin : '';
  } catch {
    return '';
  }
})();

export type ClientFactory = (opts: ResultsClientOptions) => ResultsClient;

export class BroadcastTicker extends HTMLElement {
  static observedAttributes = ['contest', 'region', 'server', 'lang', 'protocol'];
  /** Replaceable in tests. */
  static clientFactory: ClientFactory = (opts) => new ResultsClient(opts);

  private readonly root: ShadowRoot;
  private readonly els: {
    strip: HTMLElement; dot: HTMLElement; label: HTMLElement; choices: HTMLElement;
    bar: HTMLElement; meta: HTMLElement; age: HTMLElement; live: HTMLElement;
  };
  private client: ResultsClient | null = null;
  private election: Election | null = null;
  private electionFor: string | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private choicesKey = '';
  private lastAnnounce = 0;
  private announceTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = css;
    this.els = {
      strip: h('div', { class: 'strip', part: 'strip', role: 'region' }),
      dot: h('span', { class: 'dot', role: 'img' }),
      label: h('span', { class: 'label', part: 'label' }),
      choices: h('ul', { class: 'choices', part: 'choices' }),
      bar: h('span', { class: 'bar', 'aria-hidden': 'true' }),
      meta: h('span', { class: 'meta', part: 'meta' }),
      age: h('span', { class: 'age', part: 'age' }),
      live: h('div', { class: 'sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }),
    };
    const e = this.els;
    e.strip.append(e.dot, e.label, e.choices, e.bar, e.meta, e.age);
    this.root.append(style, e.strip, e.live);
  }

  get uiLang(): Lang {
    return parseLang(this.getAttribute('lang') ?? document.documentElement.lang);
  }

  private get server(): string {
    return this.getAttribute('server') ?? scriptOrigin;
  }

  private get contest(): string {
    return this.getAttribute('contest') ?? 'ppwp';
  }

  connectedCallback(): void {
    this.connect();
    this.clock = setInterval(() => this.renderAge(), 1000);
  }

  disconnectedCallback(): void {
    if (this.clock !== null) clearInterval(this.clock);
    if (this.announceTimer !== null) clearTimeout(this.announceTimer);
    this.clock = this.announceTimer = null;
    void this.client?.stop();
    this.client = null;
  }

  attributeChangedCallback(name: string, oldValue: string | null, value: string | null): void {
    if (!this.isConnected || oldValue === value || !this.client) return;
    if (name === 'region') this.client.setRegion(value ?? '0');
    else if (name === 'lang') this.render();
    else this.connect(); // contest, server or protocol: a different feed altogether
  }

  private connect(): void {
    void this.client?.stop();
    const protocol = this.getAttribute('protocol') === 'json' ? 'json' : 'msgpack';
    const client = BroadcastTicker.clientFactory({
      baseUrl: this.server,
      contest: this.contest,
      region: this.getAttribute('region') ?? '0',
      protocol,
      onChange: () => this.render(),
      onState: () => this.render(),
    });
    this.client = client;
    this.loadNames();
    client.start();
    this.render();
  }

  private loadNames(): void {
    const key = this.server;
    if (this.electionFor === key) return;
    this.electionFor = key;
    void fetchElection(key).then((e) => {
      if (this.electionFor !== key) return;
      this.election = e;
      this.render();
    });
  }

  private render(): void {
    const client = this.client;
    if (!client) return;
    const lang = this.uiLang;
    const snap = client.snapshot;
    const state = client.state;
    const e = this.els;
    e.dot.dataset.state = state;
    e.dot.setAttribute('aria-label', stateName(lang, state));
    e.dot.title = stateName(lang, state);
    this.dataset.state = state;
    const info = contestInfo(this.election, this.contest);
    e.strip.setAttribute('aria-label', `${t(lang, 'results')} ${info?.name ?? this.contest}`);
    if (!snap) {
      setText(e.label, t(lang, 'loading'));
      this.renderAge();
      return;
    }
    this.dataset.version = String(snap.version);
    setText(e.label, snap.region.name);
    const choices = choicesFor(info, snap.votes);
    this.renderChoices(choices, snap, lang);
    setText(e.meta, `${formatPct(reportedPct(snap.stations), lang)} ${t(lang, 'reporting')}`);
    this.renderAge();
    this.announce(choices, snap, lang, state);
  }

  private renderChoices(choices: Choice[], snap: Snapshot, lang: Lang): void {
    const e = this.els;
    // Rebuild only when the choices or their names change (names arrive after the first
    // snapshot); otherwise update text and widths in place so the bar width animates.
    const key = `${lang}|${choices.map((c) => `${c.id}:${c.name}`).join('|')}`;
    if (this.choicesKey !== key) {
      this.choicesKey = key;
      e.choices.replaceChildren(...choices.map((c) => h('li', { class: 'choice', 'data-choice': c.id },
        h('span', { class: 'swatch', style: `background:${c.color}`, 'aria-hidden': 'true' }),
        h('span', { class: 'name', title: c.name }, c.name),
        h('span', { class: 'pct' }))));
      e.bar.replaceChildren(...choices.map((c) => h('span', { style: `background:${c.color};width:0%` })));
    }
    choices.forEach((c, i) => {
      const li = e.choices.children[i];
      const pct = share(snap.votes, c.id);
      const pctEl = li?.querySelector('.pct');
      if (pctEl) setText(pctEl, formatPct(pct, lang));
      const seg = e.bar.children[i] as HTMLElement | undefined;
      if (seg) seg.style.width = `${pct}%`;
    });
  }

  private renderAge(): void {
    const client = this.client;
    if (!client) return;
    setText(this.els.age, dataAgeText(client.lastUpdate, this.uiLang));
  }

  /** Polite, throttled announcement of the standings for screen-reader users. */
  private announce(choices: Choice[], snap: Snapshot, lang: Lang, state: ClientState): void {
    const text = [
      snap.region.name,
      ...choices.map((c) => `${c.name} ${formatPct(share(snap.votes, c.id), lang, 1)}`),
      `${formatPct(reportedPct(snap.stations), lang, 1)} ${t(lang, 'reporting')}`,
      stateName(lang, state),
    ].join(', ');
    const now = Date.now();
    const wait = this.lastAnnounce + ANNOUNCE_EVERY_MS - now;
    if (wait <= 0) {
      this.lastAnnounce = now;
      setText(this.els.live, text);
      return;
    }
    if (this.announceTimer !== null) return;
    this.announceTimer = setTimeout(() => {
      this.announceTimer = null;
      // Announce what is current then, not what it was when the timer was set.
      this.lastAnnounce = 0;
      this.render();
    }, wait);
  }
}

export function defineTicker(name = 'broadcast-ticker'): void {
  if (typeof customElements !== 'undefined' && !customElements.get(name)) {
    customElements.define(name, BroadcastTicker);
  }
}

defineTicker();

declare global {
  interface HTMLElementTagNameMap {
    'broadcast-ticker': BroadcastTicker;
  }
}
