// Rebuild, reconcile and aggregate (/api/v1/operator/rebuild, /reconcile, /aggregate) with a
// spinner and the time elapsed while they run and their result after; and on a rehearsal server
// the reset (/api/v1/operator/rehearsal/reset), confirmed first.
import { h } from './dom';
import { formatInt } from './format';
import type { AggregateReport, ReconcileReport, RebuildReport } from './operator-api';
import { checkReason, formatElapsed } from './operator-model';
import { type ConsoleContext, type Panel, field, fieldError, keepingInput, reasonInput, run, say } from './operator-ui';
import { w } from './operator-words';

type Shown = { kind: 'rebuild'; report: RebuildReport } | { kind: 'reconcile'; report: ReconcileReport } | { kind: 'aggregate'; report: AggregateReport };

function facts(pairs: [string, string][]): HTMLElement {
  return h('dl', { class: 'facts' }, pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export class TotalsPanel implements Panel {
  readonly el = h('section', { class: 'panel', id: 'panel-totals', 'aria-labelledby': 'totals-title' });
  private shown: Shown | null = null;
  private readonly result = h('div', { class: 'report', role: 'status', 'aria-live': 'polite' });

  constructor(private readonly ctx: ConsoleContext) {}

  render(): void {
    const words = w(this.ctx.lang());
    const reason = reasonInput();
    const rebuild = h('button', { type: 'submit', class: 'rebuild' }, words.rebuild);
    const rebuildProgress = h('span', { class: 'progress', hidden: true });
    const rebuildForm = h('form', { class: 'rebuild-form', novalidate: true },
      field('reason', words.reason, reason, words.rebuildHelp), h('div', { class: 'buttons' }, rebuild, rebuildProgress));
    rebuildForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const problem = checkReason(reason.value, this.ctx.lang());
      if (problem) return fieldError(rebuildForm, 'reason', problem);
      void run(this.ctx, rebuild, rebuildProgress, rebuildForm, ['reason'], () => this.ctx.api.rebuild(reason.value.trim())).then((report) => {
        if (!report) return;
        reason.value = '';
        this.show({ kind: 'rebuild', report });
        this.ctx.changed();
      });
    });

    const reconcile = h('button', { type: 'button', class: 'reconcile' }, words.reconcile);
    const aggregate = h('button', { type: 'button', class: 'aggregate' }, words.aggregate);
    const otherProgress = h('span', { class: 'progress', hidden: true });
    const other = h('form', { class: 'other-form', novalidate: true },
      h('p', { class: 'help' }, words.reconcileHelp), h('div', { class: 'buttons' }, reconcile, aggregate, otherProgress));
    reconcile.addEventListener('click', () => void run(this.ctx, reconcile, otherProgress, other, [], () => this.ctx.api.reconcile())
      .then((report) => report && this.show({ kind: 'reconcile', report })));
    aggregate.addEventListener('click', () => void run(this.ctx, aggregate, otherProgress, other, [], () => this.ctx.api.aggregate())
      .then((report) => report && this.show({ kind: 'aggregate', report })));

    keepingInput(this.el, () => this.el.replaceChildren(
      h('h2', { id: 'totals-title' }, words.tabTotals),
      rebuildForm, other, this.result));
    this.renderResult();
  }

  async refresh(): Promise<void> {}

  private show(shown: Shown): void {
    this.shown = shown;
    this.renderResult();
  }

  private renderResult(): void {
    const lang = this.ctx.lang();
    const words = w(lang);
    const s = this.shown;
    this.result.dataset.kind = s?.kind ?? '';
    if (!s) {
      this.result.replaceChildren();
      return;
    }
    if (s.kind === 'aggregate') {
      this.result.replaceChildren(h('h3', {}, words.aggregated), facts([
        [words.runs, formatInt(s.report.runs, lang)], [words.revisions, formatInt(s.report.revisions, lang)], [words.groups, formatInt(s.report.groups, lang)]]));
      return;
    }
    const base: [string, string][] = [[words.epoch, s.report.epoch], [words.version, formatInt(s.report.version, lang)], [words.took, formatElapsed(s.report.elapsedMs, lang)]];
    if (s.kind === 'rebuild') {
      this.result.replaceChildren(h('h3', {}, words.rebuilt), facts(base));
      return;
    }
    const drift = s.report.drift;
    this.result.replaceChildren(h('h3', {}, words.reconciled),
      facts([...base, [words.groupsCompared, formatInt(s.report.groupsCompared, lang)]]),
      drift.length === 0 ? h('p', { class: 'no-drift' }, words.noDrift)
        : h('table', { class: 'drift' },
          h('caption', {}, `${words.drift}: ${formatInt(drift.length, lang)}`),
          h('thead', {}, h('tr', {}, [words.source, words.contest, words.region, words.field, words.expected, words.actual].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, drift.map((d) => h('tr', {},
            h('td', {}, d.source), h('td', {}, d.contest), h('td', {}, d.region), h('td', {}, d.field),
            h('td', { class: 'num' }, formatInt(d.expected, lang)), h('td', { class: 'num' }, formatInt(d.actual, lang)))))));
  }
}

/** The reset of a rehearsal server: a reason, then a confirmation in a modal dialog. */
export class RehearsalPanel implements Panel {
  readonly el = h('section', { class: 'panel', id: 'panel-rehearsal', 'aria-labelledby': 'rehearsal-title' });
  private readonly out = h('p', { class: 'result', role: 'status', hidden: true });

  constructor(private readonly ctx: ConsoleContext) {}

  render(): void {
    const words = w(this.ctx.lang());
    const reason = reasonInput();
    const open = h('button', { type: 'submit', class: 'reset danger' }, words.rehearsalReset);
    const progress = h('span', { class: 'progress', hidden: true });
    const form = h('form', { class: 'reset-form', novalidate: true },
      field('reason', words.reason, reason, words.rehearsalHelp), h('div', { class: 'buttons' }, open, progress));
    const confirm = h('button', { type: 'button', class: 'confirm danger' }, words.confirm);
    const cancel = h('button', { type: 'button', class: 'cancel' }, words.cancel);
    const dialog = h('dialog', { class: 'confirm-dialog', 'aria-labelledby': 'reset-question' },
      h('p', { id: 'reset-question' }, words.confirmReset), h('p', { class: 'quoted' }), h('div', { class: 'buttons' }, cancel, confirm));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const problem = checkReason(reason.value, this.ctx.lang());
      if (problem) return fieldError(form, 'reason', problem);
      dialog.querySelector('.quoted')!.textContent = `${words.reason}: ${reason.value.trim()}`;
      dialog.showModal();
      cancel.focus();
    });
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      dialog.close();
      void run(this.ctx, open, progress, form, ['reason'], () => this.ctx.api.resetRehearsal(reason.value.trim())).then((report) => {
        if (!report) return;
        reason.value = '';
        say(this.out, `${words.resetDone} ${words.epoch} ${report.epoch} · ${formatElapsed(report.elapsedMs, this.ctx.lang())}`);
        this.ctx.changed();
      });
    });
    keepingInput(this.el, () => this.el.replaceChildren(h('h2', { id: 'rehearsal-title' }, words.tabRehearsal), form, dialog, this.out));
  }

  async refresh(): Promise<void> {}
}
