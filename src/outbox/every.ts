// A periodic background task (the outbox sweep, the outbound sweeper): one pass at a time, a failed
// pass logged and tried again at the next tick, and a timer that never keeps the process alive.
import type { Logger } from '../ops/index.js';
import type { QueuePublisher } from '../queue/index.js';
import type { MessageStore } from '../store/index.js';

/** What a periodic sweep of the store needs: the store it reads, the broker it publishes to. */
export interface SweepDependencies {
  store: MessageStore;
  broker: QueuePublisher;
  logger: Logger;
  clock?: () => Date;
}

export interface PeriodicTask {
  /** Stops the ticks and waits for a pass already running. */
  stop(): Promise<void>;
}

export interface EveryOptions {
  /** A pass that threw; the next tick tries again. */
  onError(error: Error): void;
  /** Runs a first pass at once rather than after the first interval. */
  runNow?: boolean;
}

/** Runs `task` every `intervalMs`; a tick while the previous pass still runs is skipped. */
export function every(intervalMs: number, task: () => Promise<unknown>, options: EveryOptions): PeriodicTask {
  let running: Promise<unknown> | undefined;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = task();
    try {
      await running;
    } catch (error) {
      options.onError(error as Error);
    } finally {
      running = undefined;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  if (options.runNow) void tick();
  return {
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
