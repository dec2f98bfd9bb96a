// Publication holds (/api/v1/operator/holds): take a hold on a contest in a region (by id, or
// picked by name from the region tree), list the holds in force, release one with a reason.
import { h } from './dom';
import { displayName } from './names';
import type { Hold } from './operator-api';
import { checkReason, formatWhen } from './operator-model';
import { type ConsoleContext, type Panel, atWork, failure, field, fieldError, keepingInput, reasonInput, run, say } from './operator-ui';
import { w } from './operator-words';

interface RegionChoice {
  id: string;
  name: string;
  level: string;
}

type RegionInfo = { name: string; children: RegionChoice[] } | null;

const regions = new Map<string, Promise<RegionInfo>>();

/**
 * A region's name and children from the public read API, cached: names and children do not
 * change, and the picker asks for every level of its path on each change (the nation's
 * snapshot among them). A failure is not kept, so the next ask tries again.
 */
function regionOf(contest: string, id: string): Promise<RegionInfo> {
  const key = `${contest}|${id}`;
  let region = regions.get(key);
  if (!region) {
    region = fetchRegion(contest, id);
    regions.set(key, region);
    void region.then((r) => { if (!r) regions.delete(key); });
  }
  return region;
}

async function fetchRegion(contest: string, id: string): Promise<RegionInfo> {
  try {
    const res = await fetch(`/api/v1/results/${encodeURIComponent(contest)}/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const body = await res.json() as { region?: { name?: string }; children?: RegionChoice[] };
    return {
      name: displayName(body.region?.name ?? id),
      children: (body.children ?? []).filter((c) => c.level !== 'tps').map((c) => ({ id: c.id, name: displayName(c.name), level: c.level })),
    };
  } catch {
    return null;
  }
}

export class HoldsPanel implements Panel {
  readonly el = h('section', { class: 'panel', id: 'panel-holds', 'aria-labelledby': 'holds-title' });
  private holds: Hold[] = [];
  private problem: string | null = null;
  private readonly names = new Map<string, string>();
  private readonly list = h('div', { class: 'holds-list' });
  private readonly out = h('p', { class: 'result', role: 'status', hidden: true });
  /** The picked path, national first: the ids chosen in each select. */
  private picked: string[] = [];

  constructor(private readonly ctx: ConsoleContext) {}

  render(): void {
    const words = w(this.ctx.lang());
    const contests = this.ctx.election()?.contests ?? [];
    const contest = h('select', { name: 'contest' }, contests.map((c) => h('option', { value: c.id }, `${c.id} · ${c.name}`)));
    const region = h('input', { type: 'text', name: 'region', value: '0', autocomplete: 'off', inputmode: 'text', class: 'short' });
    const picker = h('span', { class: 'picker', role: 'group', 'aria-label': words.region });
    const reason = reasonInput();
    const submit = h('button', { type: 'submit', class: 'take' }, words.takeHold);
    const progress = h('span', { class: 'progress', hidden: true, 'aria-live': 'polite' });
    const form = h('form', { class: 'take-hold', novalidate: true },
      h('div', { class: 'row' }, field('contest', words.contest, contest), field('region', words.regionId, region, words.regionHelp)),
      picker,
      field('reason', words.reason, reason, words.holdHelp),
      h('div', { class: 'buttons' }, submit, progress));
    contest.addEventListener('change', () => {
      this.picked = [];
      region.value = '0';
      void this.renderPicker(picker, contest.value, region);
    });
    region.addEventListener('input', () => { this.picked = []; void this.renderPicker(picker, contest.value, region); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.take(form, contest.value, region.value.trim(), reason, submit, progress);
    });
    keepingInput(this.el, () => this.el.replaceChildren(
      h('h2', { id: 'holds-title' }, words.tabHolds),
      this.out,
      h('h3', {}, words.holdsInForce), this.list,
      h('h3', {}, words.takeHold), form));
    void this.renderPicker(picker, contest.value, region);
    this.renderList();
  }

  get busy(): boolean {
    return atWork(this.list);
  }

  async refresh(): Promise<void> {
    try {
      this.holds = await this.ctx.api.holds();
      this.problem = null;
      await Promise.all(this.holds.map(async (hold) => {
        const key = `${hold.contest}|${hold.region}`;
        if (!this.names.has(key)) this.names.set(key, (await regionOf(hold.contest, hold.region))?.name ?? hold.region);
      }));
    } catch (err) {
      this.problem = failure(this.ctx, err);
    }
    this.renderList();
  }

  /** One select per level below the national region, each listing the children of the one above. */
  private async renderPicker(picker: HTMLElement, contest: string, region: HTMLInputElement): Promise<void> {
    const words = w(this.ctx.lang());
    const path = ['0', ...this.picked];
    const levels = await Promise.all(path.map((id) => regionOf(contest, id)));
    const selects = levels.map((level, i) => {
      if (!level || level.children.length === 0) return null;
      const chosen = this.picked[i] ?? '';
      const select = h('select', { 'aria-label': i === 0 ? words.pickProvince : words.pickBelow, 'data-depth': i },
        h('option', { value: '' }, i === 0 ? words.pickProvince : words.pickBelow),
        level.children.map((c) => h('option', { value: c.id, selected: c.id === chosen }, c.name)));
      select.addEventListener('change', () => {
        this.picked = [...this.picked.slice(0, i), ...(select.value ? [select.value] : [])];
        region.value = this.picked.at(-1) ?? '0';
        void this.renderPicker(picker, contest, region).then(() => picker.querySelector<HTMLSelectElement>(`select[data-depth="${i}"]`)?.focus());
      });
      return select;
    });
    picker.replaceChildren(...selects.filter((s): s is HTMLSelectElement => s !== null));
  }

  private renderList(): void {
    const lang = this.ctx.lang();
    const words = w(lang);
    this.el.dataset.holds = String(this.holds.length);
    if (this.problem) {
      this.list.replaceChildren(h('p', { class: 'error', role: 'alert' }, this.problem));
      return;
    }
    if (this.holds.length === 0) {
      this.list.replaceChildren(h('p', { class: 'empty' }, words.noHolds));
      return;
    }
    keepingInput(this.list, () => this.list.replaceChildren(h('table', { class: 'holds' },
      h('thead', {}, h('tr', {}, [words.contest, words.region, words.since, words.seq, words.operator, words.reason, words.release]
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, this.holds.map((hold) => this.row(hold))))));
  }

  private row(hold: Hold): HTMLElement {
    const lang = this.ctx.lang();
    const words = w(lang);
    const name = this.names.get(`${hold.contest}|${hold.region}`) ?? hold.region;
    const reason = reasonInput();
    reason.setAttribute('aria-label', `${words.reason}: ${words.release} ${hold.contest} ${name}`);
    const button = h('button', { type: 'submit', class: 'release' }, words.release);
    const progress = h('span', { class: 'progress', hidden: true, 'aria-live': 'polite' });
    const form = h('form', { class: 'release-form inline', novalidate: true }, field('reason', words.reason, reason), button, progress);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.release(hold, name, form, reason, button, progress);
    });
    return h('tr', { 'data-key': `${hold.contest}|${hold.region}`, 'data-contest': hold.contest, 'data-region': hold.region },
      h('td', {}, hold.contest), h('td', {}, `${name} (${hold.region})`), h('td', {}, formatWhen(hold.since, lang)),
      h('td', { class: 'num' }, String(hold.seq)), h('td', {}, hold.operator), h('td', { class: 'reason' }, hold.reason), h('td', {}, form));
  }

  private async take(form: HTMLFormElement, contest: string, region: string, reason: HTMLInputElement, button: HTMLButtonElement, progress: HTMLElement): Promise<void> {
    const lang = this.ctx.lang();
    const problem = checkReason(reason.value, lang);
    if (problem) return fieldError(form, 'reason', problem);
    const hold = await run(this.ctx, button, progress, form, ['contest', 'region', 'reason'], () => this.ctx.api.hold(contest, region, reason.value.trim()));
    if (!hold) return;
    const name = (await regionOf(hold.contest, hold.region))?.name ?? hold.region;
    this.names.set(`${hold.contest}|${hold.region}`, name);
    say(this.out, w(lang).held(hold.contest, name, hold.seq));
    reason.value = '';
    await this.refresh();
    this.ctx.changed();
  }

  private async release(hold: Hold, name: string, form: HTMLFormElement, reason: HTMLInputElement, button: HTMLButtonElement, progress: HTMLElement): Promise<void> {
    const lang = this.ctx.lang();
    const problem = checkReason(reason.value, lang);
    if (problem) return fieldError(form, 'reason', problem);
    const done = await run(this.ctx, button, progress, form, ['reason'], () => this.ctx.api.release(hold.contest, hold.region, reason.value.trim()));
    if (!done) return;
    say(this.out, w(lang).released(hold.contest, name));
    await this.refresh();
    this.ctx.changed();
  }
}
