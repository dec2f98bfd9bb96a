// Ingest keys (/api/v1/operator/keys): the configured ones (read-only) and the stored ones with
// their scope, signature requirement, and who created or revoked them and why; create one (its
// secret shown once, with a copy button), change its scope, revoke it.
import { h } from './dom';
import type { IngestKey } from './operator-api';
import { checkKeyId, checkReason, formatWhen, parseIds, scopeText } from './operator-model';
import { type ConsoleContext, type Panel, failure, field, fieldError, keepingInput, reasonInput, run, say, uid } from './operator-ui';
import { w } from './operator-words';

type Editing = { id: string; mode: 'change' | 'revoke' } | null;

export class KeysPanel implements Panel {
  readonly el = h('section', { class: 'panel', id: 'panel-keys', 'aria-labelledby': 'keys-title' });
  private keys: IngestKey[] = [];
  private problem: string | null = null;
  private editing: Editing = null;
  /** A new key's secret until the operator says it is stored: in this page's memory only. */
  private fresh: { id: string; secret: string } | null = null;
  private readonly list = h('div', { class: 'keys-list' });
  private readonly secretSlot = h('div', { class: 'secret-slot' });
  private readonly out = h('p', { class: 'result', role: 'status', hidden: true });

  constructor(private readonly ctx: ConsoleContext) {}

  render(): void {
    const words = w(this.ctx.lang());
    keepingInput(this.el, () => this.el.replaceChildren(
      h('h2', { id: 'keys-title' }, words.keys),
      this.secretSlot, this.out, this.list,
      h('h3', {}, words.createKey), this.createForm()));
    this.renderSecret();
    this.renderList();
  }

  async refresh(): Promise<void> {
    try {
      this.keys = await this.ctx.api.keys();
      this.problem = null;
    } catch (err) {
      this.problem = failure(this.ctx, err);
    }
    this.renderList();
  }

  private contestBoxes(chosen: readonly string[]): HTMLElement {
    const words = w(this.ctx.lang());
    const contests = this.ctx.election()?.contests ?? [];
    const legend = uid('contests');
    return h('div', { class: 'field', 'data-field': 'contests', role: 'group', 'aria-labelledby': legend },
      h('span', { id: legend, class: 'legend' }, words.contests), h('small', {}, words.contestsHelp),
      h('span', { class: 'boxes' }, contests.map((c) => {
        const box = h('input', { type: 'checkbox', name: 'contests', value: c.id, checked: chosen.includes(c.id) });
        box.id = uid('contest');
        return h('label', { for: box.id }, box, ` ${c.id}`);
      })),
      h('p', { class: 'field-error', hidden: true }));
  }

  private static checked(form: HTMLElement): string[] {
    return [...form.querySelectorAll<HTMLInputElement>('input[name="contests"]:checked')].map((b) => b.value);
  }

  private createForm(): HTMLFormElement {
    const words = w(this.ctx.lang());
    const id = h('input', { type: 'text', name: 'id', maxlength: 64, autocomplete: 'off', spellcheck: 'false', 'aria-required': 'true' });
    const regions = h('input', { type: 'text', name: 'regions', autocomplete: 'off' });
    const signed = h('input', { type: 'checkbox', name: 'requireSignature', value: 'on' });
    const reason = reasonInput();
    const submit = h('button', { type: 'submit', class: 'create' }, words.createKey);
    const progress = h('span', { class: 'progress', hidden: true });
    const form = h('form', { class: 'create-key', novalidate: true },
      h('div', { class: 'row' }, field('id', words.keyId, id, words.keyIdHelp), field('regions', words.regions, regions)),
      this.contestBoxes([]),
      field('requireSignature', words.requireSignature, signed),
      field('reason', words.reason, reason),
      h('div', { class: 'buttons' }, submit, progress));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const lang = this.ctx.lang();
      const bad = checkKeyId(id.value, lang) ?? null;
      if (bad) return fieldError(form, 'id', bad);
      const problem = checkReason(reason.value, lang);
      if (problem) return fieldError(form, 'reason', problem);
      const body = { id: id.value.trim(), contests: KeysPanel.checked(form), regions: parseIds(regions.value), requireSignature: signed.checked, reason: reason.value.trim() };
      void run(this.ctx, submit, progress, form, ['id', 'contests', 'regions', 'requireSignature', 'reason'], () => this.ctx.api.createKey(body)).then((created) => {
        if (!created) return;
        this.fresh = { id: created.key.id, secret: created.secret };
        form.reset();
        say(this.out, w(this.ctx.lang()).keyCreated(created.key.id));
        this.renderSecret();
        this.secretSlot.querySelector<HTMLInputElement>('input')?.focus();
        this.secretSlot.querySelector<HTMLInputElement>('input')?.select();
        void this.refresh();
        this.ctx.changed();
      });
    });
    return form;
  }

  private renderSecret(): void {
    const fresh = this.fresh;
    if (!fresh) {
      this.secretSlot.replaceChildren();
      return;
    }
    const words = w(this.ctx.lang());
    const input = h('input', { type: 'text', readonly: true, class: 'secret', value: fresh.secret, spellcheck: 'false', autocomplete: 'off', 'aria-label': `${words.keyId} ${fresh.id}` });
    const copy = h('button', { type: 'button', class: 'copy' }, words.copy);
    const stored = h('button', { type: 'button', class: 'stored' }, words.storedIt);
    copy.addEventListener('click', () => {
      input.select();
      const done = () => { copy.textContent = words.copied; };
      if (navigator.clipboard?.writeText) void navigator.clipboard.writeText(fresh.secret).then(done, () => { document.execCommand('copy'); done(); });
      else { document.execCommand('copy'); done(); }
    });
    stored.addEventListener('click', () => {
      this.fresh = null;
      this.renderSecret();
      this.el.querySelector<HTMLInputElement>('.create-key input[name="id"]')?.focus();
    });
    this.secretSlot.replaceChildren(h('div', { class: 'secret-panel', role: 'alert', 'data-key-id': fresh.id },
      h('p', {}, h('strong', {}, words.secretOnce)),
      h('p', {}, `${words.keyId}: `, h('code', {}, fresh.id)),
      h('div', { class: 'secret-row' }, input, copy, stored)));
  }

  private renderList(): void {
    const lang = this.ctx.lang();
    const words = w(lang);
    if (this.problem) {
      this.list.replaceChildren(h('p', { class: 'error', role: 'alert' }, this.problem));
      return;
    }
    keepingInput(this.list, () => this.list.replaceChildren(h('table', { class: 'keys' },
      h('thead', {}, h('tr', {}, [words.keyId, words.scope, words.requireSignature, words.state, words.created, words.revokedCol, words.actions]
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, this.keys.flatMap((k) => this.rows(k))))));
  }

  private rows(key: IngestKey): HTMLElement[] {
    const lang = this.ctx.lang();
    const words = w(lang);
    const scope = scopeText(key.contests, key.regions, lang);
    const who = (at: string | null, by: string | null, why: string | null) => at ? [h('div', {}, `${formatWhen(at, lang)} · ${by ?? ''}`), why ? h('small', {}, why) : ''] : '–';
    const buttons: HTMLElement[] = [];
    if (!key.readOnly && !key.revoked) {
      for (const mode of ['change', 'revoke'] as const) {
        const b = h('button', { type: 'button', class: mode === 'revoke' ? 'danger' : '', 'data-action': mode,
          'aria-expanded': String(this.editing?.id === key.id && this.editing.mode === mode) }, mode === 'change' ? words.changeScope : words.revoke);
        b.addEventListener('click', () => {
          this.editing = this.editing?.id === key.id && this.editing.mode === mode ? null : { id: key.id, mode };
          this.renderList();
          this.list.querySelector<HTMLElement>(`tr.editor input:not([type="checkbox"])`)?.focus();
        });
        buttons.push(b);
      }
    }
    const row = h('tr', { 'data-key-id': key.id, 'data-revoked': String(key.revoked), 'data-source': key.source },
      h('td', {}, h('code', {}, key.id), h('small', {}, key.readOnly ? words.config : words.stored)),
      h('td', {}, h('div', {}, `${words.contests}: ${scope.contests}`), h('small', {}, `${words.region}: ${scope.regions}`)),
      h('td', {}, key.requireSignature ? words.yes : words.no),
      h('td', {}, h('span', { class: `badge ${key.revoked ? 'state-revoked' : 'state-live'}` }, key.revoked ? words.revokedState : words.live)),
      h('td', {}, who(key.createdAt, key.createdBy, key.createdReason)),
      h('td', {}, who(key.revokedAt, key.revokedBy, key.revokedReason)),
      h('td', { class: 'actions' }, buttons));
    if (this.editing?.id !== key.id || key.readOnly || key.revoked) return [row];
    return [row, h('tr', { class: 'editor', 'data-key': key.id }, h('td', { colspan: 7 }, this.editor(key, this.editing.mode)))];
  }

  private editor(key: IngestKey, mode: 'change' | 'revoke'): HTMLFormElement {
    const words = w(this.ctx.lang());
    const reason = reasonInput();
    const submit = h('button', { type: 'submit', class: mode === 'revoke' ? 'danger confirm-revoke' : 'save' }, mode === 'revoke' ? words.revoke : words.save);
    const cancel = h('button', { type: 'button' }, words.cancel);
    const progress = h('span', { class: 'progress', hidden: true });
    const regions = h('input', { type: 'text', name: 'regions', value: key.regions.join(', '), autocomplete: 'off' });
    const signed = h('input', { type: 'checkbox', name: 'requireSignature', value: 'on', checked: key.requireSignature });
    const form = h('form', { class: `key-${mode}`, novalidate: true, 'aria-label': `${mode === 'revoke' ? words.revoke : words.changeScope} ${key.id}` },
      mode === 'change' ? [this.contestBoxes(key.contests), field('regions', words.regions, regions), field('requireSignature', words.requireSignature, signed)] : [],
      field('reason', words.reason, reason),
      h('div', { class: 'buttons' }, submit, cancel, progress));
    cancel.addEventListener('click', () => { this.editing = null; this.renderList(); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const lang = this.ctx.lang();
      const problem = checkReason(reason.value, lang);
      if (problem) return fieldError(form, 'reason', problem);
      const task = mode === 'revoke'
        ? () => this.ctx.api.revokeKey(key.id, reason.value.trim())
        : () => this.ctx.api.changeKey(key.id, { contests: KeysPanel.checked(form), regions: parseIds(regions.value), requireSignature: signed.checked, reason: reason.value.trim() });
      void run(this.ctx, submit, progress, form, ['contests', 'regions', 'requireSignature', 'reason'], task).then((changed) => {
        if (!changed) return;
        this.editing = null;
        say(this.out, mode === 'revoke' ? w(lang).keyRevoked(key.id) : w(lang).keyChanged(key.id));
        void this.refresh();
        this.ctx.changed();
      });
    });
    return form;
  }
}
