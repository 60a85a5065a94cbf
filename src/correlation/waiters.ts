import { type EventBus, parseWakeUp } from '../queue/index.js';

/**
 * Holds HTTP callers waiting for a message to finish. Any instance's correlation consumer publishes
 * a wake-up (`message.<id>`) on mhs.events; every instance hears it, so the waiter wakes wherever it is held.
 */
export class Waiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(events: Pick<EventBus, 'onEvent'>) {
    events.onEvent((routingKey, body) => {
      const wakeUp = parseWakeUp(routingKey, body);
      const wake = wakeUp && this.waiting.get(wakeUp.messageId);
      if (wake) for (const resolve of wake) resolve();
    });
  }

  /**
   * Resolves when `isDone()` is true (checked now and after every event for the message), or with
   * false after `timeoutMs`.
   */
  async waitFor(messageId: string, isDone: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    if (await isDone()) return true;
    return new Promise<boolean>((resolve) => {
      const set = this.waiting.get(messageId) ?? new Set();
      this.waiting.set(messageId, set);
      const finish = (result: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        set.delete(check);
        if (set.size === 0) this.waiting.delete(messageId);
        resolve(result);
      };
      const check = () => {
        isDone().then(
          (done) => done && finish(true),
          () => undefined,
        );
      };
      set.add(check);
      const timer = setTimeout(() => finish(false), timeoutMs);
      // Events are transient; a slow poll covers one lost while the broker reconnected.
      const poll = setInterval(check, 2_000);
    });
  }
}
