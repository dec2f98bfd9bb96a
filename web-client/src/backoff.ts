// Reconnect delays. A TV graphic must never freeze, so unlike SignalR's default policy
// (which gives up after four tries, ~42 s) this one always returns a delay.
import type { IRetryPolicy, RetryContext } from '@microsoft/signalr';

export interface BackoffOptions {
  /** Delay ceiling before jitter for the first retry. */
  initialMs?: number;
  /** Cap on any delay (~10 s: a viewer should see data again soon after the server is back). */
  maxMs?: number;
}

/**
 * Exponential backoff with jitter: the delay lies in [cap/2, cap] where
 * cap = min(maxMs, initialMs * 2^attempt). The random half spreads a crowd of viewers
 * that all lost the server at the same moment, so they don't come back in one wave.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialMs ?? 500;
  const max = opts.maxMs ?? 10_000;
  const cap = Math.min(max, initial * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/** IRetryPolicy that retries forever. */
export class ForeverRetryPolicy implements IRetryPolicy {
  constructor(private readonly opts: BackoffOptions = {}, private readonly random: () => number = Math.random) {}

  nextRetryDelayInMilliseconds(ctx: RetryContext): number {
    return backoffDelay(ctx.previousRetryCount, this.opts, this.random);
  }
}
