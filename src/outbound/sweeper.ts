import { every, type PeriodicTask, type SweepDependencies } from '../outbox/index.js';
import { queueOutboundWork } from '../queue/index.js';
import type { MessageState } from '../store/index.js';
import { sendingStaleAfterMs } from './worker.js';

export interface SweeperSettings {
  /** How often to look, in ms. */
  intervalMs: number;
  requestTimeoutMs: number;
  /** An ACCEPTED message older than this has surely lost its queue entry (a crash before the publish). */
  acceptedGraceMs: number;
  /** A RETRYING message this long past its next attempt has lost its retry entry. */
  retryGraceMs: number;
}

export const DEFAULT_SWEEPER: Omit<SweeperSettings, 'requestTimeoutMs'> = {
  intervalMs: 30_000,
  acceptedGraceMs: 5 * 60_000,
  retryGraceMs: 60_000,
};

/**
 * After a crash, the store may hold messages whose queue entry is gone: accepted but never queued,
 * a retry whose delayed entry was lost, a send interrupted mid-flight. The sweeper finds them by
 * state and age and queues them again. A duplicate queue entry is harmless: the worker's claim is
 * fenced by the attempt count, so a message is sent once per attempt whatever the queue holds.
 * It also queues sent messages (SENT, ACKED) past their reply deadline, for the worker to end them
 * UNANSWERED: no state waits for ever.
 */
export class Sweeper {
  private periodic?: PeriodicTask;

  constructor(private readonly deps: SweepDependencies & { settings: SweeperSettings }) {}

  start(): void {
    this.periodic = every(this.deps.settings.intervalMs, () => this.sweep(), {
      runNow: true,
      onError: (error) => this.deps.logger.warn({ err: error.message }, 'sweep failed; will try again'),
    });
  }

  async stop(): Promise<void> {
    await this.periodic?.stop();
  }

  /** One pass; returns how many messages were queued again. */
  async sweep(): Promise<number> {
    const now = (this.deps.clock ?? (() => new Date()))().getTime();
    const { settings } = this.deps;
    const passes: [MessageState, number][] = [
      ['ACCEPTED', settings.acceptedGraceMs],
      ['RETRYING', settings.retryGraceMs],
      ['SENDING', sendingStaleAfterMs(settings.requestTimeoutMs)],
      // Sent and waiting for Spine's answer: nextAttemptAt holds the reply deadline; the worker ends
      // a message past it as UNANSWERED (and records the deadline of one without it yet).
      ['SENT', 0],
      ['ACKED', 0],
    ];
    let requeued = 0;
    for (const [state, graceMs] of passes) {
      const stale = await this.deps.store.findStale([state], new Date(now - graceMs), 500);
      for (const message of stale) {
        await queueOutboundWork(this.deps.broker, message, { requeuedBy: 'sweeper' });
        this.deps.logger.warn(
          {
            messageId: message.messageId,
            conversationId: message.conversationId,
            interactionId: message.interactionId,
            status: state,
          },
          state === 'SENT' || state === 'ACKED'
            ? 'message past its reply deadline queued for the worker to end it'
            : 'stranded message queued again by the sweeper',
        );
        requeued += 1;
      }
    }
    return requeued;
  }
}
