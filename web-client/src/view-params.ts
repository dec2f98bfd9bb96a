// What a page's URL or the ticker's attributes ask the server for: `view=` and `rate=`
// (docs/api.md, "Say what you need: SubscribeWith").
import type { View } from './types';

/** The frame rate cap the server accepts (docs/api.md, SubscribeWith). */
export const MIN_RATE = 0.1;
export const MAX_RATE = 20;

/** A page's or element's `view=`: `headline` or `full`, else the screen's default. */
export function parseView(value: string | null | undefined, fallback: View): View {
  return value === 'headline' || value === 'full' ? value : fallback;
}

/**
 * A page's or element's `rate=` (frames per second at most): a number, clamped to 0.1 to 20;
 * `none` (or `0`, `off`): no cap, every aggregation run. Missing or unreadable: the default.
 */
export function parseRate(value: string | null | undefined, fallback: number | null): number | null {
  const v = value?.trim().toLowerCase();
  if (!v) return fallback;
  if (v === 'none' || v === 'off' || v === '0') return null;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.min(MAX_RATE, Math.max(MIN_RATE, n)) : fallback;
}
