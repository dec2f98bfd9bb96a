// The election's clock: WIB (Waktu Indonesia Barat), UTC+7 without daylight saving. Screens
// write times in WIB whatever the viewer's own zone, so a desk in Jakarta and one abroad agree.
import type { Lang } from './format';

export const WIB_MS = 7 * 3600_000;

/** The WIB day of a moment, to tell whether two moments fall on the same day. */
export function wibDay(ms: number): number {
  return Math.floor((ms + WIB_MS) / 86_400_000);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Formatters cost more to make than to use: one per language and shape (the screens ask every second). */
function formatter(lang: Lang, shape: 'minutes' | 'seconds' | 'date'): Intl.DateTimeFormat {
  const key = `${lang}:${shape}`;
  let f = formats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = shape === 'date'
      ? { timeZone: 'UTC', day: 'numeric', month: 'short' }
      : { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', ...(shape === 'seconds' ? { second: '2-digit' } : {}), hourCycle: 'h23' };
    f = new Intl.DateTimeFormat(lang === 'id' ? 'id-ID' : 'en-GB', options);
    formats.set(key, f);
  }
  return f;
}

/**
 * "21:00:05 WIB" (Indonesian "21.00.05 WIB"), "21:00 WIB" without `seconds`, with the date
 * ("17 Apr") in front when `withDate`.
 */
export function formatWib(ms: number, lang: Lang, withDate = false, seconds = true): string {
  const shifted = new Date(ms + WIB_MS);
  const date = withDate ? `${formatter(lang, 'date').format(shifted)} ` : '';
  return `${date}${formatter(lang, seconds ? 'seconds' : 'minutes').format(shifted)} WIB`;
}
