// The review queue (GET /api/v1/operator/queue): every station whose latest revision is held,
// the rule it broke in words, its held numbers beside the counted ones (what accepting would
// change), where it is, a link to its station view; accept or reject with a reason.
import { h, setText } from './dom';
import { choicesFor, contestInfo } from './election';
import type { QueuedStation } from './operator-api';
import { checkReason, formatWhen, pageAfterDecision, pageLabel, queueItemView } from './operator-model';
import { type ConsoleContext, type Panel, atWork, failure, field, fieldError, keepingInput, reasonInput, run, say } from './operator-ui';
import { w } from './operator-words';
import { stationName } from './station-view';

const LIMIT = 20;

export class QueuePanel implements Panel {
  readonly el = h('section', { class: 'panel', id: 'panel-queue', 'aria-labelledby': 'queue-title' });
  private after = 0;
  private contest = '';
  private items: QueuedStation[] = [];
  private total = 0;
  private hasNext = false;
  private problem: string | null = null;
  private loaded = false;
  private readonly list = h('div', { class: 'queue-list' });
  private readonly out = h('p', { class: 'result', role: 'status', hidden: true });
  private readonly count = h('p', { class: 'count', role: 'status' });

  constructor(private readonly ctx: ConsoleContext) {}

  render(): void {
    const words = w(this.ctx.lang());
    const contests = this.ctx.election()?.contests ?? [];
    const select = h('select', { name: 'contest' },
      h('option', { value: '' }, words.allContests),
      contests.map((c) => h('option', { value: c.id, selected: c.id === this.contest }, `${c.id} · ${c.name}`)));
    select.addEventListener('change', () => {
      this.contest = select.value;
      this.after = 0;
      void this.refresh();
    });
    const prev = h('button', { type: 'button', class: 'prev', disabled: this.after === 0 }, words.prev);
    const nextButton = h('button', { type: 'button', class: 'next', disabled: !this.hasNext }, words.next);
    const refresh = h('button', { type: 'button', class: 'refresh' }, words.refresh);
    prev.addEventListener('click', () => { this.after = Math.max(0, this.after - LIMIT); void this.refresh(); });
    nextButton.addEventListener('click', () => { this.after += LIMIT; void this.refresh(); });
    refresh.addEventListener('click', () => void this.refresh());
    keepingInput(this.el, () => this.el.replaceChildren(
      h('h2', { id: 'queue-title' }, words.tabQueue),
      h('div', { class: 'toolbar-row' },
        h('label', {}, `${words.contest} `, select), refresh,
        h('span', { class: 'pager', role: 'group', 'aria-label': words.tabQueue }, prev, nextButton)),
      this.count, this.out, this.list));
    this.renderList();
  }

  /** Reads the page again, keeping what the operator is typing in the items still listed. */
  async refresh(): Promise<void> {
    try {
      const page = await this.ctx.api.queue(this.after, LIMIT, this.contest || null);
      if (page.items.length === 0 && this.after > 0 && page.total > 0) {
        this.after = pageAfterDecision(this.after, LIMIT, page.total);
        return this.refresh();
      }
      this.items = page.items;
      this.total = page.total;
      this.hasNext = page.next !== null;
      this.problem = null;
    } catch (err) {
      this.problem = failure(this.ctx, err);
    }
    this.loaded = true;
    this.renderList();
  }

  get busy(): boolean {
    return atWork(this.list);
  }

  private renderList(): void {
    const lang = this.ctx.lang();
    const words = w(lang);
    setText(this.count, this.problem ?? (this.loaded ? pageLabel(this.after, this.items.length, this.total, lang) : ''));
    this.count.classList.toggle('error', this.problem !== null);
    this.el.dataset.total = String(this.total);
    const prev = this.el.querySelector<HTMLButtonElement>('button.prev');
    const next = this.el.querySelector<HTMLButtonElement>('button.next');
    if (prev) prev.disabled = this.after === 0;
    if (next) next.disabled = !this.hasNext;
    keepingInput(this.list, () => this.list.replaceChildren(...this.items.map((item) => this.item(item))));
    if (this.loaded && this.items.length === 0 && !this.problem) this.list.replaceChildren(h('p', { class: 'empty' }, words.queueEmpty));
  }

  private names(contest: string): (id: string) => string {
    const election = this.ctx.election();
    const info = contestInfo(election, contest);
    const choices = choicesFor(info, {}, election?.parties ?? []);
    return (id) => {
      const name = choices.find((c) => c.id === id)?.name;
      return name && name !== id ? `${id} ${name}` : id;
    };
  }

  private item(item: QueuedStation): HTMLElement {
    const lang = this.ctx.lang();
    const words = w(lang);
    const view = queueItemView(item, lang, this.names(item.contest));
    const title = `${stationName(item.station)} · ${item.station}`;
    const href = `station.html?${new URLSearchParams({ contest: item.contest, station: item.station, lang }).toString()}`;
    const reason = reasonInput();
    const accept = h('button', { type: 'submit', class: 'accept', value: 'accept' }, words.accept);
    const reject = h('button', { type: 'submit', class: 'reject danger', value: 'reject' }, words.reject);
    const progress = h('span', { class: 'progress', hidden: true, 'aria-live': 'polite' });
    const form = h('form', { class: 'decision', novalidate: true },
      field('reason', words.reason, reason), h('div', { class: 'buttons' }, accept, reject, progress));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const decision = (ev as SubmitEvent).submitter === reject ? 'reject' : 'accept';
      void this.decide(item, view.held.revision, decision, form, reason, decision === 'reject' ? reject : accept, progress, title);
    });
    return h('article', { class: 'queue-item', 'data-key': `${item.contest}|${item.station}`, 'data-station': item.station, 'aria-label': title },
      h('header', {},
        h('h3', {}, title, ' ', h('span', { class: 'badge' }, item.contest)),
        h('a', { href, class: 'station-link' }, words.stationView)),
      h('p', { class: 'path' }, view.path),
      h('div', { class: 'rules', 'aria-label': words.failedRules },
        view.rules.map((r) => h('p', { class: 'rule', 'data-rule': r.code }, h('b', {}, r.code), ' ', r.text, r.detail ? h('small', {}, ` (${r.detail})`) : ''))),
      h('table', { class: 'compare' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, ''),
          h('th', { scope: 'col', class: 'num' }, view.counted ? words.countedRev(view.counted.revision) : words.noneCounted),
          h('th', { scope: 'col', class: 'num held' }, words.heldRev(view.held.revision)),
          h('th', { scope: 'col', class: 'num' }, words.change))),
        h('tbody', {}, view.rows.map((r) => h('tr', { 'data-row': r.key, class: r.differs ? 'differs' : '' },
          h('th', { scope: 'row' }, r.label), h('td', { class: 'num' }, r.counted), h('td', { class: 'num held' }, r.held), h('td', { class: 'num change' }, r.change))))),
      h('p', { class: 'meta' }, `${words.submittedBy} ${view.held.submitter || '–'} · ${formatWhen(view.held.receivedAt, lang)}`),
      form);
  }

  private async decide(item: QueuedStation, revision: number, decision: 'accept' | 'reject', form: HTMLFormElement,
    reason: HTMLInputElement, button: HTMLButtonElement, progress: HTMLElement, title: string): Promise<void> {
    const lang = this.ctx.lang();
    const problem = checkReason(reason.value, lang);
    if (problem) return fieldError(form, 'reason', problem);
    const done = await run(this.ctx, button, progress, form, ['reason'],
      () => this.ctx.api.decide(item.station, item.contest, revision, decision, reason.value.trim()));
    if (done === null) return;
    say(this.out, decision === 'accept' ? w(lang).accepted(title, revision) : w(lang).rejected(title, revision));
    reason.value = '';
    this.after = pageAfterDecision(this.after, LIMIT, Math.max(0, this.total - 1));
    await this.refresh();
    this.ctx.changed();
  }
}
