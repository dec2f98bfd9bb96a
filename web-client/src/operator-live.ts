// The live panel: GET /api/v1/operator/status every 2 s (operators poll; viewers never do):
// forms per second, aggregation lag, form → screen lag, viewers per node, the chain check,
// epoch and checkpoint; and the latest operator actions (GET /api/v1/operator/actions).
import { h, setText } from './dom';
import { formatAge, formatInt } from './format';
import { ApiError, type NightStatus, type OperatorAction } from './operator-api';
import { formatWhen, statusView } from './operator-model';
import type { ConsoleContext, Panel } from './operator-ui';
import { actionName, w } from './operator-words';

const POLL_MS = 2000;
const SHOWN_ACTIONS = 12;

export class LivePanel implements Panel {
  readonly el = h('aside', { class: 'live', id: 'live', 'aria-labelledby': 'live-title' });
  private status: NightStatus | null = null;
  private at = 0;
  private problem: string | null = null;
  private actions: OperatorAction[] = [];
  private lastAction = 0;
  private reading: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly figures = h('div', { class: 'figures' });
  private readonly age = h('p', { class: 'age', 'aria-live': 'off' });
  private readonly actionList = h('div', { class: 'actions' });

  /** `moved` is told when the log or the totals moved (new forms, a run): other panels may read again. */
  constructor(private readonly ctx: ConsoleContext, private readonly moved: () => void) {}

  render(): void {
    const words = w(this.ctx.lang());
    this.el.replaceChildren(
      h('h2', { id: 'live-title' }, words.livePanel), this.age, this.figures,
      h('h3', {}, words.recentActions), this.actionList);
    this.renderFigures();
    this.renderActions();
  }

  start(): void {
    if (this.timer !== null) return;
    const loop = async () => {
      await this.refresh();
      if (this.timer !== null) this.timer = setTimeout(() => void loop(), POLL_MS);
    };
    this.timer = setTimeout(() => void loop(), 0);
    this.ticker = setInterval(() => this.renderAge(), 1000);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.ticker !== null) clearInterval(this.ticker);
    this.timer = this.ticker = null;
    this.status = null;
    this.actions = [];
    this.lastAction = 0;
  }

  async refresh(): Promise<void> {
    const before = this.status;
    try {
      const [status] = await Promise.all([this.ctx.api.status(), this.readActions()]);
      this.status = status;
      this.at = Date.now();
      this.problem = null;
      if (before && (before.lastSeq !== status.lastSeq || before.checkpoint !== status.checkpoint || before.epoch !== status.epoch)) this.moved();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.ctx.expired();
        return;
      }
      this.problem = err instanceof ApiError && err.status ? `${err.detail} (HTTP ${err.status})` : w(this.ctx.lang()).offline;
    }
    this.renderFigures();
    this.renderActions();
  }

  /**
   * Every action after the last one read (all of them at first, page by page); the latest are
   * shown. One read at a time: the poll and a refresh after an operator's action may overlap.
   */
  private readActions(): Promise<void> {
    this.reading ??= (async () => {
      for (;;) {
        const page = (await this.ctx.api.actions(this.lastAction, 1000)).filter((a) => a.id > this.lastAction);
        if (page.length === 0) return;
        this.lastAction = page[page.length - 1]!.id;
        this.actions = [...this.actions, ...page].slice(-SHOWN_ACTIONS);
        if (page.length < 1000) return;
      }
    })().finally(() => { this.reading = null; });
    return this.reading;
  }

  private renderAge(): void {
    const lang = this.ctx.lang();
    const words = w(lang);
    this.el.dataset.state = this.problem ? 'offline' : this.status ? 'live' : 'connecting';
    setText(this.age, this.problem ? `${words.offline}: ${this.problem}`
      : this.status ? words.updatedAgo(formatAge(Date.now() - this.at, lang)) : words.checking);
  }

  private renderFigures(): void {
    const lang = this.ctx.lang();
    const words = w(lang);
    this.renderAge();
    const s = this.status;
    if (!s) {
      this.figures.replaceChildren();
      return;
    }
    const v = statusView(s, lang);
    const fig = (label: string, value: string, attrs: Record<string, string> = {}) =>
      h('div', { class: 'figure', ...attrs }, h('dt', {}, label), h('dd', {}, value));
    this.el.dataset.formsPerSecond = String(s.formsPerSecond);
    this.el.dataset.viewers = String(v.viewers);
    this.el.dataset.chain = v.chain.state;
    this.figures.replaceChildren(
      h('dl', { class: 'grid' },
        fig(words.formsPerSecond, v.formsPerSecond, { 'data-figure': 'forms-per-second' }),
        fig(words.aggregationLag, v.aggregationLag, { 'data-figure': 'aggregation-lag' }),
        fig(words.viewers, formatInt(v.viewers, lang), { 'data-figure': 'viewers' }),
        fig(`${words.formToScreen} (p50 · p95 · max)`, `${v.lag.p50} · ${v.lag.p95} · ${v.lag.max}`, { 'data-figure': 'form-to-screen', class: 'figure wide' }),
        fig(words.epoch, s.epoch, { 'data-figure': 'epoch' }),
        fig(words.checkpoint, formatInt(s.checkpoint, lang), { 'data-figure': 'checkpoint' }),
        fig(words.lastSeq, formatInt(s.lastSeq, lang), { 'data-figure': 'last-seq' })),
      h('p', { class: 'chain', 'data-state': v.chain.state, role: v.chain.state === 'broken' ? 'alert' : null }, `${words.chain}: ${v.chain.text}`),
      h('table', { class: 'nodes' },
        h('thead', {}, h('tr', {}, [words.node, words.viewers, words.checkpoint].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, v.nodes.map((n) => h('tr', { 'data-node': n.node },
          h('td', {}, n.node), h('td', { class: 'num' }, n.viewers), h('td', { class: 'num', title: n.behind ? `−${n.behind}` : null }, n.checkpoint))))));
  }

  private renderActions(): void {
    const lang = this.ctx.lang();
    const words = w(lang);
    if (this.actions.length === 0) {
      this.actionList.replaceChildren(h('p', { class: 'empty' }, words.noActions));
      return;
    }
    this.actionList.replaceChildren(h('ol', { reversed: true },
      [...this.actions].reverse().map((a) => h('li', { 'data-action': a.action },
        h('span', { class: 'when' }, formatWhen(a.at, lang)), ' ', h('b', {}, a.operator), ' · ', actionName(a.action, lang),
        a.target ? h('span', { class: 'target' }, ` ${a.target}`) : '',
        h('small', {}, a.reason)))));
  }
}
