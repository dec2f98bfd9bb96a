// What every panel of the operator console shares: the context it runs in, labelled form
// fields with their error slots, the server's errors placed by field, and a button that shows a
// spinner and the time elapsed while its request runs.
import { type Lang } from './format';
import { h } from './dom';
import { ApiError, type OperatorClient } from './operator-api';
import { type PlacedErrors, formatElapsed, placeErrors } from './operator-model';
import type { Election } from './types';

export interface ConsoleContext {
  api: OperatorClient;
  lang(): Lang;
  election(): Election | null;
  rehearsal(): boolean;
  /** Something an operator did changed what other panels show (the actions list, the queue). */
  changed(): void;
  /** A request came back 401: the secret is no longer good; back to the sign-in. */
  expired(): void;
}

/** One panel of the console: `render` builds it (again on a change of language), `refresh` reads its data. */
export interface Panel {
  readonly el: HTMLElement;
  render(): void;
  refresh(): Promise<void>;
  /** The operator is at work in its list (focus in it, a reason typed): a refresh from the poll waits. */
  readonly busy?: boolean;
}

/** Whether the operator is at work in `list`: focus inside it, or a reason typed there. */
export function atWork(list: HTMLElement): boolean {
  return list.contains(document.activeElement)
    || [...list.querySelectorAll<HTMLInputElement>('input[name="reason"]')].some((i) => i.value.trim() !== '');
}

let next = 0;
/** An id unique on the page, for label/aria wiring. */
export const uid = (prefix: string): string => `${prefix}-${++next}`;

/**
 * A labelled control with an error slot: `<div data-field=name>` holding the label, the control,
 * an optional help line and the field's error (announced, and tied to the control by
 * aria-describedby).
 */
export function field(name: string, label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, help?: string): HTMLElement {
  control.id ||= uid(name);
  control.name ||= name;
  const errorId = `${control.id}-error`;
  const helpId = help ? `${control.id}-help` : null;
  control.setAttribute('aria-describedby', [helpId, errorId].filter(Boolean).join(' '));
  const checkbox = control instanceof HTMLInputElement && control.type === 'checkbox';
  return h('div', { class: `field${checkbox ? ' check' : ''}`, 'data-field': name },
    checkbox ? h('label', { for: control.id }, control, ' ', label) : [h('label', { for: control.id }, label), control],
    help ? h('small', { id: helpId, class: 'help' }, help) : null,
    h('p', { id: errorId, class: 'field-error', hidden: true }));
}

/** A reason box: required, with the server's bound. */
export function reasonInput(placeholder = ''): HTMLInputElement {
  return h('input', { type: 'text', name: 'reason', maxlength: 500, autocomplete: 'off', 'aria-required': 'true', placeholder });
}

/** Clears the errors a form shows. */
export function clearErrors(form: HTMLElement): void {
  for (const slot of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

/** Shows errors under their fields and the rest at the top of the form; focuses the first bad field. */
export function showErrors(form: HTMLElement, placed: PlacedErrors): void {
  clearErrors(form);
  let first: HTMLElement | null = null;
  for (const [name, messages] of Object.entries(placed.byField)) {
    const slot = form.querySelector<HTMLElement>(`[data-field="${name}"] .field-error`);
    const control = form.querySelector<HTMLElement>(`[data-field="${name}"] input, [data-field="${name}"] select, [data-field="${name}"] textarea`);
    if (!slot) {
      placed.other.push(...messages);
      continue;
    }
    slot.textContent = messages.join(' ');
    slot.hidden = false;
    control?.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  if (placed.other.length) {
    let top = form.querySelector<HTMLElement>(':scope > .form-error');
    if (!top) {
      top = h('p', { class: 'form-error', role: 'alert' });
      form.prepend(top);
    }
    top.textContent = placed.other.join(' ');
    top.hidden = false;
  }
  first?.focus();
}

/** One field's error, found before asking the server (the same rule it applies). */
export function fieldError(form: HTMLElement, name: string, message: string): void {
  showErrors(form, { byField: { [name]: [message] }, other: [] });
}

/**
 * Runs a request from a button: the button is disabled and `progress` shows a spinner with the
 * time elapsed until it ends. A 401 signs out; any other refusal is placed on `form` by field.
 * Resolves to the result, or null when it failed.
 */
export async function run<T>(ctx: ConsoleContext, button: HTMLButtonElement, progress: HTMLElement, form: HTMLElement | null,
  fields: readonly string[], task: () => Promise<T>): Promise<T | null> {
  const started = performance.now();
  const label = h('span', { class: 'elapsed' });
  progress.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' ', label);
  progress.hidden = false;
  progress.setAttribute('aria-busy', 'true');
  const tick = () => { label.textContent = `${formatElapsed(performance.now() - started, ctx.lang())}`; };
  tick();
  const timer = setInterval(tick, 100);
  button.disabled = true;
  if (form) clearErrors(form);
  try {
    return await task();
  } catch (err) {
    const error = err instanceof ApiError ? err : new ApiError(0, String(err));
    if (error.status === 401) {
      ctx.expired();
      return null;
    }
    if (form) showErrors(form, placeErrors(error, fields));
    return null;
  } finally {
    clearInterval(timer);
    button.disabled = false;
    progress.hidden = true;
    progress.setAttribute('aria-busy', 'false');
    progress.replaceChildren();
  }
}

/** A result line that screen readers announce. */
export function say(out: HTMLElement, text: string, kind: 'ok' | 'error' = 'ok'): void {
  out.className = `result ${kind}`;
  out.textContent = text;
  out.hidden = false;
}

/** Reads a failure for a list's status line (a 401 signs out). */
export function failure(ctx: ConsoleContext, err: unknown): string {
  const error = err instanceof ApiError ? err : new ApiError(0, String(err));
  if (error.status === 401) ctx.expired();
  return error.status ? `${error.detail} (HTTP ${error.status})` : error.detail;
}

/** Rebuilds `el` with `build` keeping what the operator typed or chose (by control name) and the focus. */
export function keepingInput(el: HTMLElement, build: () => void): void {
  const values = new Map<string, string | boolean>();
  for (const c of el.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[name], select[name], textarea[name]')) {
    const key = `${c.closest('[data-key]')?.getAttribute('data-key') ?? ''}|${c.name}|${c instanceof HTMLInputElement && c.type === 'checkbox' ? c.value : ''}`;
    values.set(key, c instanceof HTMLInputElement && c.type === 'checkbox' ? c.checked : c.value);
  }
  const focused = document.activeElement instanceof HTMLElement && el.contains(document.activeElement) ? document.activeElement.getAttribute('name') : null;
  build();
  for (const c of el.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input[name], select[name], textarea[name]')) {
    const key = `${c.closest('[data-key]')?.getAttribute('data-key') ?? ''}|${c.name}|${c instanceof HTMLInputElement && c.type === 'checkbox' ? c.value : ''}`;
    const v = values.get(key);
    if (v === undefined || c.type === 'password') continue;
    if (typeof v === 'boolean' && c instanceof HTMLInputElement) c.checked = v;
    else if (typeof v === 'string' && !(c instanceof HTMLSelectElement && ![...c.options].some((o) => o.value === v))) c.value = v;
  }
  if (focused) el.querySelector<HTMLElement>(`[name="${focused}"]`)?.focus();
}
