/** Events counted in fixed time buckets: recent rates without a timer, kept in a small ring. */
export class RateWindow<K extends string> {
  private readonly buckets = new Map<number, Record<string, number>>();

  constructor(
    readonly bucketMs = 10_000,
    private readonly keep = 60,
  ) {}

  record(kind: K, at: Date = new Date()): void {
    const slot = Math.floor(at.getTime() / this.bucketMs);
    const bucket = this.buckets.get(slot) ?? {};
    bucket[kind] = (bucket[kind] ?? 0) + 1;
    this.buckets.set(slot, bucket);
    for (const old of this.buckets.keys()) if (old <= slot - this.keep) this.buckets.delete(old);
  }

  /** Counts per bucket for `kind`, oldest first, the last entry being the bucket `now` falls in. */
  series(kind: K, now: Date = new Date(), count = this.keep): number[] {
    const last = Math.floor(now.getTime() / this.bucketMs);
    const out: number[] = [];
    for (let slot = last - count + 1; slot <= last; slot++) out.push(this.buckets.get(slot)?.[kind] ?? 0);
    return out;
  }

  /** Events per minute over the last `windowMs` (whole buckets, the current one included). */
  perMinute(kind: K, now: Date = new Date(), windowMs = 60_000): number {
    const buckets = Math.max(1, Math.round(windowMs / this.bucketMs));
    const total = this.series(kind, now, buckets).reduce((a, b) => a + b, 0);
    // The current bucket is partly elapsed: divide by the time really covered.
    const elapsed = (buckets - 1) * this.bucketMs + (now.getTime() % this.bucketMs);
    return elapsed > 0 ? (total * 60_000) / elapsed : 0;
  }
}
