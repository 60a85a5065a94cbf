import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces requests at most `perSecond` apart on average (e-RS allows 10 per second per
 * application): each caller is given the next free slot, so a burst queues instead of being
 * refused. Per gateway instance; several instances sharing one application must share the rate
 * (set requestsPerSecond to 10 / instances).
 */
export class RateLimiter {
  private nextFree = 0;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when this caller may send. */
  async take(): Promise<void> {
    const now = this.clock();
    const slot = Math.max(now, this.nextFree);
    this.nextFree = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}

/**
 * How long to wait before retrying a 429 or 503: the Retry-After header (seconds or an HTTP
 * date) when present and sane, else 1 s, 2 s, 4 s… as e-RS asks; never over a minute.
 */
export function backoffMs(retryAfter: string | null, attempt: number, now: number = Date.now()): number {
  const cap = 60_000;
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0)
      return Math.min(seconds * 1000, cap);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.min(Math.max(date - now, 0), cap);
  }
  return Math.min(1000 * 2 ** (attempt - 1), cap);
}
