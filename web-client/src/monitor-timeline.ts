// The monitoring screen's timeline: a scrubber over the night, from the first form received to
// the latest, to look at the count as of any past moment, and "Back to live". While looking
// back the screen shows the past snapshot of the group on screen (fetched through the read
// API's ?asOf=), marked "as of 21:00:05 WIB"; live deltas keep arriving underneath but are not
// shown, so going back to live is instant. The moment is kept in the URL (&asOf=<ISO time>)
// so a link opens on it. Hooks in monitor.ts: mount it, take `snapshotFor(region)` while it
// is `lookingBack`, and call `sync(region, lang)` on each render.
import './monitor-timeline.css';
import { h, setText } from './dom';
import { type Lang, formatInt } from './format';
import { STEPS, type PastSnapshot, Timeline, isoWib, positionOf, spansDays, timeAt } from './timeline';
import { formatWib } from './wib';

const labels = {
  id: { timeline: 'Lini masa', live: 'LANGSUNG', lookingBack: 'Melihat waktu lampau', asOf: 'Per', back: 'Kembali ke langsung', loading: 'memuat…', scrub: 'Lihat hasil pada waktu lampau', empty: 'belum ada formulir' },
  en: { timeline: 'Timeline', live: 'LIVE', lookingBack: 'Looking back', asOf: 'As of', back: 'Back to live', loading: 'loading…', scrub: 'See the count at a past moment', empty: 'no forms yet' },
} as const;

/** How long the scrubber must rest before its moment is fetched. */
const SETTLE_MS = 120;

export interface MonitorTimeline {
  readonly lookingBack: boolean;
  /** What the screen's connection status says instead of "live" while looking back. */
  statusText(lang: Lang): string;
  snapshotFor(region: string): PastSnapshot | null;
  /** Follows the group on screen and redraws the bar in the screen's language. */
  sync(region: string, lang: Lang): void;
}

export function mountTimeline(el: HTMLElement, opts: { baseUrl: string; contest: string; region: string; onChange: () => void }): MonitorTimeline {
  let lang: Lang = 'id';
  let region = opts.region;
  const timeline = new Timeline({ baseUrl: opts.baseUrl, contest: opts.contest, onChange: () => { draw(); opts.onChange(); } });
  const slider = h('input', { type: 'range', min: 0, max: STEPS, step: 1, value: STEPS, class: 'tl-range' });
  const start = h('span', { class: 'tl-end' });
  const end = h('span', { class: 'tl-end' });
  const title = h('span', { class: 'tl-title' });
  const moment = h('span', { class: 'tl-moment', role: 'status' });
  const back = h('button', { type: 'button', class: 'tl-back', hidden: true });
  el.classList.add('timeline');
  el.replaceChildren(title, start, slider, end, moment, back);

  // Where the moment goes in the URL: a link (or a reload) opens on it.
  function keepInUrl(at: number | null): void {
    const url = new URL(location.href);
    if (at === null) url.searchParams.delete('asOf');
    else url.searchParams.set('asOf', isoWib(at));
    history.replaceState(history.state, '', url);
  }

  let settle: ReturnType<typeof setTimeout> | undefined;
  slider.addEventListener('input', () => {
    const span = timeline.span;
    if (!span) return;
    const position = Number(slider.value);
    clearTimeout(settle);
    // The label follows the thumb at once; the numbers once it rests.
    setText(moment, position >= STEPS ? labels[lang].live : `${labels[lang].asOf} ${formatWib(timeAt(span, position), lang, spansDays(span))} · ${labels[lang].loading}`);
    settle = setTimeout(() => {
      if (position >= STEPS) goLive();
      else {
        const at = timeAt(span, position);
        keepInUrl(at);
        void timeline.lookAt(at, region);
      }
    }, SETTLE_MS);
  });
  // The night goes on: learn its latest moment before the producer drags.
  for (const event of ['pointerdown', 'focus'] as const) slider.addEventListener(event, () => { void timeline.refreshSpan(); });
  back.addEventListener('click', goLive);

  function goLive(): void {
    clearTimeout(settle);
    keepInUrl(null);
    timeline.backToLive();
    void timeline.refreshSpan();
  }

  function draw(): void {
    const l = labels[lang];
    const span = timeline.span;
    const withDate = spansDays(span);
    const root = document.documentElement;
    root.dataset.timeline = timeline.lookingBack ? 'past' : 'live';
    const past = timeline.snapshotFor(region);
    if (past) root.dataset.asof = String(past.asOf.seq);
    else delete root.dataset.asof;
    el.dataset.mode = timeline.lookingBack ? 'past' : 'live';
    setText(title, l.timeline);
    slider.setAttribute('aria-label', l.scrub);
    slider.disabled = !span;
    setText(start, span ? formatWib(span.first.receivedAt, lang, withDate) : l.empty);
    setText(end, span ? formatWib(span.latest.receivedAt, lang, withDate) : '');
    back.hidden = !timeline.lookingBack;
    setText(back, l.back);
    if (timeline.at === null) {
      slider.value = String(STEPS);
      slider.setAttribute('aria-valuetext', l.live);
      setText(moment, l.live);
      return;
    }
    // Not while the producer drags: the thumb is where the hand is.
    if (span && document.activeElement !== slider) slider.value = String(positionOf(span, timeline.at));
    const when = `${l.asOf} ${formatWib(timeline.at, lang, withDate)}`;
    slider.setAttribute('aria-valuetext', when);
    const detail = timeline.error ?? (past ? `seq ${formatInt(past.asOf.seq, lang)}` : l.loading);
    setText(moment, `${when} · ${detail}`);
  }

  const initial = new URLSearchParams(location.search).get('asOf');
  const initialAt = initial ? Date.parse(initial) : NaN;
  void timeline.refreshSpan();
  // After the screen's module has finished setting up: looking tells it to render.
  if (Number.isFinite(initialAt)) queueMicrotask(() => { void timeline.lookAt(initialAt, region); });
  draw();

  return {
    get lookingBack() { return timeline.lookingBack; },
    statusText: (l) => labels[l].lookingBack,
    snapshotFor: (r) => timeline.snapshotFor(r),
    sync(r, l) {
      const relabel = l !== lang;
      lang = l;
      if (r !== region) {
        region = r;
        timeline.follow(r);
      }
      if (relabel) draw();
    },
  };
}
