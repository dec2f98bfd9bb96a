// <broadcast-ticker contest="ppwp" region="0" server="https://..." lang="id" view="headline" rate="1">
// A one-line results strip for news sites: one script tag (ticker.js) and one element.
// It follows the group's headline (totals and seats) at one frame a second by default.
import { dataAgeText } from './age';
import { BallotCache, type Choice, choicesFor, contestInfo, fetchElection } from './election';
import { type Lang, formatPct, reportedPct, share } from './format';
import { h, setText } from './dom';
import { parseLang, stateName, t } from './i18n';
import { heldMark, markHeld, markRehearsal } from './marks';
import { shortName } from './names';
import { type PartyStanding, allocated, majority, partiesOnBallot, partyStandings, topParties } from './legislative';
import { type ClientState, ResultsClient, type ResultsClientOptions } from './results-client';
import { parseRate, parseView } from './view-params';
import type { Election, Snapshot } from './types';
import css from './ticker.css?inline';

/** Screen readers hear a summary at most this often; a live strip would otherwise chatter. */
const ANNOUNCE_EVERY_MS = 30_000;
/** A legislative strip shows this many parties (the rest as "others"): three rows of three in a 760 px column. */
const MAX_PARTIES = 9;
/** What a ticker follows unless its `view` and `rate` attributes say otherwise. */
const VIEW = 'headline';
const RATE = 1;
/**
 * How the pairs are laid out, tried in order until no name is cut: on the strip's one line;
 * on a line of their own; there with first names ("Anies – Muhaimin"); one pair a line, full
 * names, then first names. A 760 px news column gets whole names, never initials.
 */
const LAYOUTS: readonly { mode: 'line' | 'wrap' | 'stack'; short: boolean }[] = [
  { mode: 'line', short: false }, { mode: 'wrap', short: false }, { mode: 'wrap', short: true },
  { mode: 'stack', short: false }, { mode: 'stack', short: true },
];

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
  static observedAttributes = ['contest', 'region', 'server', 'lang', 'protocol', 'view', 'rate'];
  /** Replaceable in tests. */
  static clientFactory: ClientFactory = (opts) => new ResultsClient(opts);

  private readonly root: ShadowRoot;
  private readonly els: {
    strip: HTMLElement; dot: HTMLElement; label: HTMLElement; held: HTMLElement; choices: HTMLElement;
    bar: HTMLElement; meta: HTMLElement; age: HTMLElement; live: HTMLElement; notice: HTMLElement;
  };
  private client: ResultsClient | null = null;
  private election: Election | null = null;
  private electionFor: string | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private choicesKey = '';
  private lastAnnounce = 0;
  private readonly ballot = new BallotCache(() => this.render());
  private announceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Lays the pairs out again when the host's width changes (not its height, which the layout itself changes). */
  private readonly resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver((entries) => {
    const width = entries[entries.length - 1]?.contentRect.width ?? 0;
    if (width === this.width) return;
    this.width = width;
    this.fit();
  });
  private width = -1;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = css;
    this.els = {
      strip: h('div', { class: 'strip', part: 'strip', role: 'region' }),
      dot: h('span', { class: 'dot', role: 'img' }),
      label: h('span', { class: 'label', part: 'label' }),
      held: h('span', { class: 'held-mark', part: 'held', role: 'status', hidden: true }),
      choices: h('ul', { class: 'choices', part: 'choices' }),
      bar: h('span', { class: 'bar', 'aria-hidden': 'true' }),
      meta: h('span', { class: 'meta', part: 'meta' }),
      age: h('span', { class: 'age', part: 'age' }),
      live: h('div', { class: 'sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }),
      notice: h('div', { class: 'notice', part: 'notice', role: 'note', hidden: true }),
    };
    const e = this.els;
    e.strip.append(e.dot, e.label, e.held, e.choices, e.bar, e.meta, e.age);
    this.root.append(style, e.strip, e.notice, e.live);
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
    this.resize?.observe(this);
    this.connect();
    this.clock = setInterval(() => this.renderAge(), 1000);
  }

  disconnectedCallback(): void {
    this.resize?.disconnect();
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
    else this.connect(); // contest, server, protocol, view or rate: a different feed altogether
  }

  private connect(): void {
    void this.client?.stop();
    const protocol = this.getAttribute('protocol') === 'json' ? 'json' : 'msgpack';
    const client = BroadcastTicker.clientFactory({
      baseUrl: this.server,
      contest: this.contest,
      region: this.getAttribute('region') ?? '0',
      protocol,
      view: parseView(this.getAttribute('view'), VIEW),
      maxPerSecond: parseRate(this.getAttribute('rate'), RATE),
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
    markRehearsal(this, e.notice, this.election);
    markHeld(this, e.held, client.held, lang);
    if (!snap) {
      // An unknown region or contest (the server's 404) is said, not left "loading" forever.
      const unknown = state === 'notFound';
      e.strip.classList.toggle('error', unknown);
      setText(e.label, unknown ? `⚠ ${t(lang, 'notFound')}: ${client.region}` : t(lang, 'loading'));
      e.label.title = unknown ? client.problem ?? '' : '';
      if (unknown) e.label.setAttribute('role', 'alert');
      else e.label.removeAttribute('role');
      this.renderAge();
      return;
    }
    e.strip.classList.remove('error');
    e.label.title = '';
    e.label.removeAttribute('role');
    this.dataset.version = String(snap.version);
    setText(e.label, snap.region.name);
    const choices = choicesFor(info, snap.votes, this.election?.parties ?? []);
    // A parliament or dapil (seats), or a region of a party contest: parties, not pairs.
    const parties = snap.seats || info?.kind === 'partyList';
    e.strip.classList.toggle('leg', Boolean(parties));
    if (parties) e.strip.classList.remove('wrap', 'stack');
    let announced: { name: string; share: number; seats: number | null }[];
    if (parties) {
      const standings = partyStandings(snap, choices, partiesOnBallot(snap, this.ballot.get(this.server, this.contest, snap)));
      this.renderParties(standings, snap, lang);
      announced = standings.slice(0, MAX_PARTIES).map((p) => ({ name: p.name, share: p.share, seats: snap.seats ? p.seats : null }));
    } else {
      this.renderChoices(choices, snap, lang);
      announced = choices.map((c) => ({ name: c.name, share: share(snap.votes, c.id), seats: null }));
    }
    const seats = parties && snap.seats ? ` · ${t(lang, 'projectedSeats')} ${allocated(snap.seats.won)}/${snap.seats.total}` : '';
    setText(e.meta, `${formatPct(reportedPct(snap.stations), lang)} ${t(lang, 'reporting')}${seats}`);
    this.renderAge();
    this.announce(announced, snap, lang, state);
  }

  /** Parties with their share and, for a parliament or dapil, projected seats; the bar shows seats (else shares). */
  private renderParties(standings: PartyStanding[], snap: Snapshot, lang: Lang): void {
    const e = this.els;
    const seats = snap.seats;
    const { shown, others } = topParties(standings, MAX_PARTIES);
    const key = `leg|${lang}|${seats ? 's' : 'v'}|${shown.map((p) => `${p.id}:${p.name}`).join('|')}|${others ? others.count : 0}`;
    if (this.choicesKey !== key) {
      this.choicesKey = key;
      const item = (id: string, name: string, color: string, title: string) => h('li', { class: 'choice party', 'data-choice': id },
        h('span', { class: 'swatch', style: `background:${color}`, 'aria-hidden': 'true' }),
        h('span', { class: 'name', title }, name),
        h('span', { class: 'pct' }),
        seats ? h('b', { class: 'seats', title: t(lang, 'projectedSeats') }) : '');
      e.choices.replaceChildren(
        ...shown.map((p) => item(p.id, p.name, p.color, p.fullName)),
        others ? item('others', `${t(lang, 'others')} (${others.count})`, 'rgb(255 255 255 / 0.35)', t(lang, 'others')) : '');
      e.bar.replaceChildren(...(seats ? standings.filter((p) => p.seats > 0) : shown).map((p) =>
        h('span', { style: `background:${p.color};width:0%`, 'data-choice': p.id })));
      if (seats) e.bar.append(h('i', { class: 'majority', title: `${t(lang, 'majority')} ${majority(seats.total)}` }));
    }
    const rows = [...shown.map((p) => ({ share: p.share, seats: p.seats })), ...(others ? [others] : [])];
    rows.forEach((r, i) => {
      const li = e.choices.children[i];
      const pctEl = li?.querySelector('.pct');
      if (pctEl) setText(pctEl, formatPct(r.share, lang, 1));
      const seatEl = li?.querySelector('.seats');
      if (seatEl) setText(seatEl, String(r.seats));
    });
    const total = seats ? Math.max(seats.total, allocated(seats.won)) : 100;
    for (const seg of e.bar.querySelectorAll<HTMLElement>('span[data-choice]')) {
      const p = standings.find((x) => x.id === seg.dataset.choice);
      seg.style.width = `${p ? ((seats ? p.seats : p.share) * 100) / (total || 1) : 0}%`;
    }
    e.bar.setAttribute('title', seats ? `${t(lang, 'projectedSeats')}: ${allocated(seats.won)} / ${seats.total}` : '');
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
        h('span', { class: 'name', title: c.name, 'data-full': c.name, 'data-short': shortName(c.name) }, c.name),
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
    this.fit();
  }

  /** The first of LAYOUTS in which no pair's name is cut and nothing falls off the strip. */
  private fit(): void {
    const { strip, choices } = this.els;
    if (strip.classList.contains('leg')) return;
    const names = [...choices.querySelectorAll<HTMLElement>('.name')];
    if (names.length === 0) return;
    const cut = () => strip.scrollWidth > strip.clientWidth + 1 || names.some((n) => n.scrollWidth > n.clientWidth + 1);
    for (const layout of LAYOUTS) {
      strip.classList.toggle('wrap', layout.mode === 'wrap');
      strip.classList.toggle('stack', layout.mode === 'stack');
      for (const n of names) setText(n, (layout.short ? n.dataset.short : n.dataset.full) ?? '');
      if (!cut()) return;
    }
  }

  private renderAge(): void {
    const client = this.client;
    if (!client) return;
    setText(this.els.age, dataAgeText(client.lastUpdate, this.uiLang));
  }

  /** Polite, throttled announcement of the standings for screen-reader users. */
  private announce(choices: { name: string; share: number; seats: number | null }[], snap: Snapshot, lang: Lang, state: ClientState): void {
    const held = heldMark(snap.held, lang);
    const text = [
      snap.region.name,
      ...(held ? [`${held.label} ${held.since}`] : []),
      ...choices.map((c) => `${c.name} ${formatPct(c.share, lang, 1)}${c.seats === null ? '' : ` ${c.seats} ${t(lang, 'seatsShort')}`}`),
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
