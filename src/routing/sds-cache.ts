/** One looked-up value: `stale` when the lookup failed and an expired value stood in for it. */
export interface CacheHit<T> {
  value: T;
  stale: boolean;
  error?: Error;
}

export interface SdsCacheOptions {
  /** How long a value is fresh. */
  ttlMs: number;
  /** How long past expiry a value may still stand in while lookups fail. */
  staleIfErrorMs: number;
  now?: () => number;
}

/**
 * An expiring cache in front of SDS. A failed lookup of an expired key answers the old value for
 * the stale-if-error window (an SDS outage must not stop messaging); past it, the error is thrown.
 * Concurrent lookups of one key share a request.
 */
export class SdsCache<T> {
  private readonly entries = new Map<string, { value: T; fetchedAt: number }>();
  private readonly inFlight = new Map<string, Promise<CacheHit<T>>>();
  private readonly now: () => number;

  constructor(private readonly options: SdsCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(key: string, load: () => Promise<T>): Promise<CacheHit<T>> {
    const entry = this.entries.get(key);
    if (entry && this.now() < entry.fetchedAt + this.options.ttlMs)
      return Promise.resolve({ value: entry.value, stale: false });
    const running = this.inFlight.get(key);
    if (running) return running;
    const attempt = this.load(key, load).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  private async load(key: string, load: () => Promise<T>): Promise<CacheHit<T>> {
    try {
      const value = await load();
      this.entries.set(key, { value, fetchedAt: this.now() });
      return { value, stale: false };
    } catch (error) {
      const entry = this.entries.get(key);
      const limit = entry ? entry.fetchedAt + this.options.ttlMs + this.options.staleIfErrorMs : 0;
      if (entry && this.now() < limit) return { value: entry.value, stale: true, error: error as Error };
      if (entry) this.entries.delete(key);
      throw error;
    }
  }
}
