import { FINAL_OUTBOUND_STATES, type MessageStore } from './types.js';

export interface RetentionSettings {
  /** Finished outbound messages (COMPLETED, NACKED, REJECTED, FAILED) older than this are purged. */
  finishedMs: number;
  /** Inbound messages older than this are purged; they are the duplicate-elimination records. */
  inboundMs: number;
  intervalMs: number;
}

export interface RetentionLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** One purge pass; returns how many messages went. */
export async function purgeExpired(
  store: MessageStore,
  settings: RetentionSettings,
  now: Date,
): Promise<{ finished: number; inbound: number }> {
  const finished = await store.purge(FINAL_OUTBOUND_STATES, new Date(now.getTime() - settings.finishedMs));
  const inbound = await store.purge(['RECEIVED', 'DELIVERED'], new Date(now.getTime() - settings.inboundMs));
  return { finished, inbound };
}

/**
 * Keeps the store from growing for ever. Every instance may run it: purging is idempotent, and a
 * message in flight (not in a final state) is never touched.
 */
export function startRetention(
  store: MessageStore,
  settings: RetentionSettings,
  logger: RetentionLogger,
  clock: () => Date = () => new Date(),
): () => void {
  let running = false;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      const purged = await purgeExpired(store, settings, clock());
      if (purged.finished + purged.inbound > 0) logger.info(purged, 'retention: purged expired messages');
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'retention pass failed; will try again');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void pass(), settings.intervalMs);
  timer.unref();
  void pass();
  return () => clearInterval(timer);
}
