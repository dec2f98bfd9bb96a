// The two marks every screen puts beside its numbers:
// * held: an operator holds the group's publication (docs/api.md, "Publication holds"); the
//   numbers stay as they were until the release. Calm, not an alarm: the desk asked for it.
// * rehearsal: the server is a rehearsal (`/api/v1/election` → `rehearsal: true`); the notice
//   band turns into a striped LATIHAN · REHEARSAL band nobody can take for real results.
// The words (Indonesian first, like the rehearsal notice) and what to show are decided here;
// each screen's CSS styles `.held-mark` and `.rehearsal`.
import { h } from './dom';
import type { Lang } from './format';
import type { Election, HeldView } from './types';
import { formatWib, wibDay } from './wib';

export const HELD_LABEL = 'DITAHAN · HELD';
export const REHEARSAL_LABEL = 'LATIHAN · REHEARSAL';

const words = {
  id: {
    since: 'sejak',
    why: 'Operator menahan angka ini; penghitungan tetap berjalan, angka terbaru tampil saat dilepas.',
  },
  en: {
    since: 'since',
    why: 'An operator holds these numbers; counting goes on, the latest show at the release.',
  },
} as const;

export interface HeldMark {
  /** "DITAHAN · HELD", the same in every language. */
  label: string;
  /** "sejak 19.00 WIB" / "since 19:00 WIB" (with the date when the hold began on another day); empty if the time is unreadable. */
  since: string;
  /** A sentence for a tooltip or a screen reader: what the hold means. */
  title: string;
}

/** What to show for a hold; null when the group is not held. */
export function heldMark(held: HeldView | null | undefined, lang: Lang, now: number = Date.now()): HeldMark | null {
  if (!held) return null;
  const at = Date.parse(held.since);
  const since = Number.isFinite(at) ? `${words[lang].since} ${formatWib(at, lang, wibDay(at) !== wibDay(now), false)}` : '';
  return { label: HELD_LABEL, since, title: words[lang].why };
}

export interface NoticeBand {
  /** A rehearsal server: the band is striped and labelled REHEARSAL_LABEL. */
  rehearsal: boolean;
  /** The label in front of the text (rehearsals), or null. */
  label: string | null;
  text: string;
}

// A rehearsal's notice opens with the mark itself ("REHEARSAL · LATIHAN: not election results / ...");
// the band's label says it already. (\u00b7: the ticker's bundle must stay ASCII, regexes included.)
const MARK_PREFIX = /^\s*(?:REHEARSAL|LATIHAN)\s*[\u00b7/|-]\s*(?:REHEARSAL|LATIHAN)\s*:?\s*/i;

/** The notice band of an election: its notice, marked when it is a rehearsal; null when there is nothing to show. */
export function noticeBand(election: Election | null): NoticeBand | null {
  if (!election) return null;
  const notice = election.notice ?? '';
  if (election.rehearsal) return { rehearsal: true, label: REHEARSAL_LABEL, text: notice.replace(MARK_PREFIX, '') };
  return notice ? { rehearsal: false, label: null, text: `⚠ ${notice}` } : null;
}

/** Fills a screen's notice element with the band (hidden when there is none); `.rehearsal` styles it striped. */
export function showNoticeBand(el: HTMLElement, band: NoticeBand | null): void {
  el.hidden = !band;
  el.classList.toggle('rehearsal', Boolean(band?.rehearsal));
  const key = band ? `${band.label ?? ''}|${band.text}` : '';
  if (el.dataset.shown === key) return;
  el.dataset.shown = key;
  el.replaceChildren(...(band ? [band.label ? h('b', { class: 'mark-label' }, band.label) : '', band.text ? h('span', {}, band.text) : ''] : []));
}

/** Fills a screen's held element with the mark (hidden when not held). */
export function showHeldMark(el: HTMLElement, mark: HeldMark | null): void {
  el.hidden = !mark;
  el.title = mark?.title ?? '';
  if (mark) el.setAttribute('aria-label', [mark.label, mark.since, mark.title].filter(Boolean).join(' '));
  else el.removeAttribute('aria-label');
  const key = mark ? `${mark.label}|${mark.since}` : '';
  if (el.dataset.shown === key) return;
  el.dataset.shown = key;
  el.replaceChildren(...(mark ? [h('b', { class: 'mark-label' }, mark.label), mark.since ? h('span', {}, mark.since) : ''] : []));
}

/**
 * A screen's notice band in `el`, and `data-rehearsal` on `host` (the page's root, the ticker
 * element) so the screen's own CSS can mark everything else.
 */
export function markRehearsal(host: Element, el: HTMLElement, election: Election | null): void {
  showNoticeBand(el, noticeBand(election));
  host.toggleAttribute('data-rehearsal', Boolean(election?.rehearsal));
}

/** A screen's held mark in `el`, and `data-held` on `host` for its CSS; `held` null or absent: not held. */
export function markHeld(host: Element, el: HTMLElement, held: HeldView | null | undefined, lang: Lang): void {
  const mark = heldMark(held, lang);
  showHeldMark(el, mark);
  host.toggleAttribute('data-held', Boolean(mark));
}
