import type { Rollup } from 'vite';

/** @microsoft/signalr ships PURE annotations in places Rollup cannot use; the warning is
 * noise (the comments are simply dropped), so keep the build log for real problems. */
export function quietSignalR(log: Rollup.RollupLog, warn: (log: Rollup.RollupLog) => void): void {
  if (log.code === 'INVALID_ANNOTATION' && log.id?.includes('@microsoft/signalr')) return;
  warn(log);
}
