import type { Logger } from '../ops/index.js';

/**
 * Logs refusals at a bounded rate: the first of each reason in an interval at once, with its
 * details (so an operator sees why and from where), the rest as one summary line per interval
 * while they continue; never a line per socket (an attacker would otherwise fill the disk).
 */
export class RefusalLog {
  private window: NodeJS.Timeout | undefined;
  private counts = new Map<string, number>();
  private addresses = new Map<string, number>();
  /** Reasons already logged in full in the current interval. */
  private shown = new Set<string>();

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    /** What is refusing, for the log line (e.g. `inbound`, `api`). */
    private readonly listener: string,
    private readonly intervalMs: number,
  ) {}

  /** One refusal; `reason` is a short fixed phrase (it groups the summary), `address` the peer's. */
  note(reason: string, address: string | undefined, detail: Record<string, unknown> = {}): void {
    if (!this.shown.has(reason)) {
      this.shown.add(reason);
      this.logger.warn(
        { audit: 'refused', listener: this.listener, reason, address, ...detail },
        `${this.listener}: connection refused: ${reason}`,
      );
      if (!this.window) this.openWindow();
      return;
    }
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    if (address) this.addresses.set(address, (this.addresses.get(address) ?? 0) + 1);
  }

  /** Stops the timer (server closing); a pending summary is written now. */
  close(): void {
    if (this.window) clearTimeout(this.window);
    this.window = undefined;
    this.flush();
  }

  private openWindow(): void {
    this.window = setTimeout(() => {
      this.window = undefined;
      this.shown = new Set();
      // Refusals kept coming: summarise them and keep counting; a quiet interval ends the window.
      if (this.flush()) this.openWindow();
    }, this.intervalMs);
    this.window.unref();
  }

  private flush(): boolean {
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return false;
    const topAddresses = [...this.addresses.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([address, count]) => ({ address, count }));
    this.logger.warn(
      {
        audit: 'refused',
        listener: this.listener,
        refused: total,
        reasons: Object.fromEntries(this.counts),
        addresses: this.addresses.size,
        topAddresses,
        intervalMs: this.intervalMs,
      },
      `${this.listener}: ${total} more connections refused in the last ${this.intervalMs / 1000} s`,
    );
    this.counts = new Map();
    this.addresses = new Map();
    return true;
  }
}
