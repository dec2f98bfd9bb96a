// The province map of the monitoring screen (national level, beside the tiles): each province
// in its leader's colour (the leading pair, or party), stronger the wider the margin, hatched
// while few of its stations have reported. A click drills down like its tile; a shape standing
// for several 2024 provinces (Papua, Papua Barat) offers them to choose from.
//
// The shapes are one cacheable asset (src/assets/provinces-map.json, built from data/geo),
// fetched the first time the map is shown. The SVG is built once and updated in place, so a
// render per delta only touches fills and titles. Its links carry `data-map-region`, not the
// screen's `data-region`: the screen puts focus back on the first `data-region` link of the
// region it had, which must stay the tile or row the user was on; the map keeps its own focus.
import './monitor-map.css';
import mapUrl from './assets/provinces-map.json?url';
import { type Choice } from './election';
import { type Lang, formatPct } from './format';
import { h, setText } from './dom';
import type { MapAsset } from './map-geometry';
import { MARGIN_STEPS, MARGIN_STRENGTH, type ShapeTotals, mapTotals, reportingStep, shapeFill, shapeName, shapeSummary } from './map-model';
import type { Snapshot } from './types';

const SVG = 'http://www.w3.org/2000/svg';

export interface MapOptions {
  lang: Lang;
  /** The link of a region (drill-down keeps the other query parameters). */
  hrefFor: (region: string) => string;
}

const text = {
  id: {
    map: 'Peta provinsi', loading: 'Memuat peta…', failed: 'Peta tidak tersedia.', margin: 'Selisih (poin)',
    hatch: 'Arsir, TPS masuk:', choose: 'Pilih provinsi:', abroad: 'Tanpa peta:',
    hint: 'Klik provinsi untuk membukanya.',
  },
  en: {
    map: 'Province map', loading: 'Loading map…', failed: 'Map unavailable.', margin: 'Margin (points)',
    hatch: 'Hatched, stations reporting:', choose: 'Choose a province:', abroad: 'Not on the map:',
    hint: 'Click a province to open it.',
  },
} as const;

interface ShapeEls {
  group: SVGElement;
  fill: SVGPathElement;
  hatch: SVGPathElement;
  title: SVGTitleElement;
}

export class ProvinceMap {
  private asset: MapAsset | null = null;
  private failed = false;
  private loading = false;
  private svg: SVGSVGElement | null = null;
  private readonly shapes = new Map<string, ShapeEls>();
  private readonly panel = h('figure', { class: 'map-panel' });
  private readonly info = h('p', { class: 'map-info' });
  private readonly chooser = h('p', { class: 'map-chooser' });
  private readonly legend = h('div', { class: 'map-legend' });
  private readonly attribution = h('figcaption', { class: 'map-attribution' });
  /** The shape whose provinces are offered to choose from (2024's Papua), if any. */
  private chosen: string | null = null;
  private last: ShapeTotals[] = [];
  private label: (choice: string) => string = (id) => id;
  private lang: Lang = 'id';

  /** `navigate` drills down as the screen's own links do (history, no page load). */
  constructor(private readonly onLoad: () => void, private readonly navigate: (region: string) => void,
    private readonly fetchFn: typeof fetch = (i, init) => fetch(i, init)) {
    this.panel.addEventListener('click', (ev) => {
      if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      const region = (ev.target as Element | null)?.closest<HTMLElement | SVGElement>('[data-map-region]')?.dataset.mapRegion;
      if (region === undefined) return;
      ev.preventDefault();
      this.navigate(region);
    });
  }

  /** The map and the tiles side by side (stacked on narrow screens). */
  beside(tiles: HTMLElement, snap: Snapshot, choices: Choice[], o: MapOptions, label: (c: Choice) => string = (c) => c.id): HTMLElement {
    return h('div', { class: 'geo' }, this.render(snap, choices, o, label), tiles);
  }

  render(snap: Snapshot, choices: Choice[], o: MapOptions, label: (c: Choice) => string = (c) => c.id): HTMLElement {
    this.keepFocus();
    this.lang = o.lang;
    const w = text[o.lang];
    this.load();
    if (!this.asset) {
      this.panel.replaceChildren(h('p', { class: 'map-placeholder' }, this.failed ? w.failed : w.loading));
      return this.panel;
    }
    const svg = this.svg ?? this.build(this.asset);
    const byId = new Map(choices.map((c) => [c.id, c]));
    this.label = (id) => { const c = byId.get(id); return c ? label(c) : id; };
    const totals = mapTotals(this.asset, snap.children);
    this.last = totals.shapes;
    for (const t of totals.shapes) this.update(t, byId, o);
    const leaders = choices.filter((c) => totals.shapes.some((t) => t.leader === c.id));
    // Each leader's colour at the four margin steps, under a header naming the steps.
    const steps = MARGIN_STRENGTH.map((_, i) =>
      i === 0 ? `< ${MARGIN_STEPS[0]}` : i === MARGIN_STEPS.length ? `≥ ${MARGIN_STEPS[i - 1]}` : `${MARGIN_STEPS[i - 1]}–${MARGIN_STEPS[i]}`);
    this.legend.replaceChildren(
      h('div', { class: 'map-keys' },
        steps.map((s) => h('span', { class: 'step' }, s)), h('span', { class: 'muted' }, w.margin),
        leaders.flatMap((c) => [
          ...MARGIN_STRENGTH.map((_, i) => h('span', { class: 'ramp', style: `background:${shapeFill(c.color, i === 0 ? 0 : MARGIN_STEPS[i - 1]!)}` })),
          h('span', {}, `${label(c)}${label(c) === c.name ? '' : ` ${c.name}`}`)])),
      h('p', { class: 'map-scale' }, `${w.hatch} `, h('span', { class: 'hatch-key few' }), ' < 25% ', h('span', { class: 'hatch-key some' }), ' < 75%'),
      totals.unmapped.length ? h('p', { class: 'map-abroad' }, `${w.abroad} `, totals.unmapped.map((c) =>
        h('a', { href: o.hrefFor(c.id), 'data-map-region': c.id }, c.name))) : '');
    this.renderChooser(o);
    setText(this.attribution, this.asset.attribution);
    if (!this.info.textContent) setText(this.info, w.hint);
    this.panel.replaceChildren(h('h2', {}, w.map), svg, this.info, this.chooser, this.legend, this.attribution);
    return this.panel;
  }

  private load(): void {
    if (this.asset || this.loading || this.failed) return;
    this.loading = true;
    this.fetchFn(mapUrl)
      .then((r) => (r.ok ? r.json() as Promise<MapAsset> : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((asset) => { this.asset = asset; })
      .catch(() => { this.failed = true; })
      .finally(() => {
        this.loading = false;
        this.onLoad();
      });
  }

  private build(asset: MapAsset): SVGSVGElement {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${asset.width} ${asset.height}`);
    svg.setAttribute('class', 'province-map');
    svg.setAttribute('role', 'group');
    svg.innerHTML = '<defs>'
      + '<pattern id="map-hatch-few" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" class="hatch-line"/></pattern>'
      + '<pattern id="map-hatch-some" width="12" height="12" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2.5" height="12" class="hatch-line"/></pattern>'
      + '</defs>';
    for (const shape of asset.shapes) {
      const group = document.createElementNS(SVG, 'a');
      group.setAttribute('class', 'shape');
      group.dataset.shape = shape.id;
      const title = document.createElementNS(SVG, 'title');
      const fill = document.createElementNS(SVG, 'path');
      fill.setAttribute('d', shape.d);
      fill.setAttribute('class', 'fill');
      const hatch = document.createElementNS(SVG, 'path');
      hatch.setAttribute('d', shape.d);
      hatch.setAttribute('class', 'hatch');
      group.append(title, fill, hatch);
      const show = () => this.describe(shape.id);
      group.addEventListener('mouseenter', show);
      group.addEventListener('focus', show);
      group.addEventListener('click', (ev) => this.choose(ev, shape.id));
      group.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') this.choose(ev, shape.id);
      });
      svg.append(group);
      this.shapes.set(shape.id, { group, fill, hatch, title });
    }
    this.svg = svg;
    return svg;
  }

  private update(t: ShapeTotals, choices: Map<string, Choice>, o: MapOptions): void {
    const els = this.shapes.get(t.shape.id);
    if (!els) return;
    const { group, fill, hatch, title } = els;
    const colour = t.leader ? choices.get(t.leader)?.color ?? null : null;
    fill.style.fill = shapeFill(colour, t.margin);
    hatch.dataset.step = reportingStep(t.reporting, t.stations.reported);
    const summary = shapeSummary(t, o.lang, this.label);
    setText(title, summary);
    group.setAttribute('aria-label', summary);
    group.dataset.leader = t.leader ?? '';
    group.dataset.reporting = t.reporting.toFixed(2);
    // One province: a link that drills down as its tile does (the screen's click handler).
    // Several (2024's Papua): a button that offers them.
    const only = t.members.length === 1 ? t.members[0]!.id : null;
    if (only) {
      group.setAttribute('href', o.hrefFor(only));
      group.dataset.mapRegion = only;
      group.removeAttribute('role');
      group.removeAttribute('tabindex');
    } else {
      group.removeAttribute('href');
      delete group.dataset.mapRegion;
      group.setAttribute('role', 'button');
      group.setAttribute('tabindex', t.members.length ? '0' : '-1');
    }
    group.dataset.members = t.members.map((m) => m.id).join(' ');
  }

  /**
   * The screen re-renders by replacing its nodes, which moves this panel and drops its focus:
   * note what had it (a shape, a chosen province, abroad) and give it back once the panel is
   * in the page again (a microtask: after the screen's render puts it there).
   */
  private keepFocus(): void {
    const active = document.activeElement;
    if (!active || !this.panel.contains(active)) return;
    const shape = active.closest<SVGElement>('[data-shape]')?.dataset.shape;
    const region = active.closest<HTMLElement>('a[data-map-region]')?.dataset.mapRegion;
    queueMicrotask(() => {
      if (document.activeElement && document.activeElement !== document.body) return;
      const el = shape ? this.shapes.get(shape)?.group : region ? this.panel.querySelector<HTMLElement>(`a[data-map-region="${CSS.escape(region)}"]`) : null;
      (el as HTMLElement | SVGElement | null | undefined)?.focus({ preventScroll: true });
    });
  }

  private describe(id: string): void {
    const t = this.last.find((x) => x.shape.id === id);
    if (t) setText(this.info, shapeSummary(t, this.lang, this.label));
  }

  /** A shape of several provinces: list them to choose from (a single province's link needs nothing). */
  private choose(ev: Event, id: string): void {
    const t = this.last.find((x) => x.shape.id === id);
    if (!t || t.members.length < 2) return;
    ev.preventDefault();
    this.chosen = this.chosen === id ? null : id;
    this.renderChooser(null);
    this.chooser.querySelector('a')?.focus();
  }

  private chooserHref: ((region: string) => string) | null = null;

  private renderChooser(o: MapOptions | null): void {
    if (o) this.chooserHref = o.hrefFor;
    const t = this.last.find((x) => x.shape.id === this.chosen);
    const href = this.chooserHref;
    this.chooser.hidden = !t || !href;
    if (!t || !href) {
      this.chooser.replaceChildren();
      return;
    }
    const w = text[this.lang];
    this.chooser.replaceChildren(h('b', {}, shapeName(t, this.lang)), ` ${w.choose} `,
      ...t.members.map((m) => h('a', { href: href(m.id), 'data-map-region': m.id },
        m.name, h('small', {}, ` ${formatPct(m.stations.total ? (m.stations.reported * 100) / m.stations.total : 0, this.lang, 1)}`))));
  }
}
