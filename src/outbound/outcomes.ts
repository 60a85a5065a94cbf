// What each outcome of a send does to the message and to the PAS: the state it moves to, the
// retry it queues, the dead letter it announces and the notification the PAS gets (the outbox).
import { createHash } from 'node:crypto';
import type { MessageState } from '../lifecycle/index.js';
import { type NotificationRelay, pasNotification } from '../outbox/index.js';
import {
  type EventBus,
  publishDeadLetterNotice,
  type QueuePublisher,
  queueOutboundRetry,
  type RetryPublisher,
} from '../queue/index.js';
import type { MessageStore, PasNotification, StoredMessage } from '../store/index.js';
import type { SendOutcome, SpineError } from './classify.js';
import { replyDeadline } from './deadline.js';
import { type RouteSnapshot, wakeWaiters } from './submission.js';

// Every row, however new: ISO text compares as dates only up to year 9999.
const FAR_FUTURE = new Date('9999-12-31T23:59:59.999Z');

/** A stable UUID for the PAS notification of `status` for `messageId` (the same on every retelling). */
export function outcomeMessageId(messageId: string, status: string): string {
  const hex = createHash('sha256').update(`${messageId}\n${status}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`.toUpperCase();
}

/** When a message sent (SENT, ACKED) stops waiting for Spine's answer, as stored in nextAttemptAt. */
export function replyDeadlineAt(message: Pick<StoredMessage, 'route' | 'createdAt'>): string {
  return new Date(
    replyDeadline(message.route as Partial<RouteSnapshot> | undefined, message.createdAt),
  ).toISOString();
}

export interface OutcomeDependencies {
  store: MessageStore;
  broker: QueuePublisher & RetryPublisher & Pick<EventBus, 'publishEvent'>;
  /** Publishes the outcome notifications written with the transitions (the outbox). */
  relay: NotificationRelay;
  clock?: () => Date;
}

/** Records outcomes of sends to Spine, and tells the PAS those it waits for. */
export class SendOutcomes {
  constructor(private readonly deps: OutcomeDependencies) {}

  /** Records what Spine's answer to attempt `attempt` means. */
  async record(
    message: StoredMessage,
    route: RouteSnapshot,
    attempt: number,
    outcome: SendOutcome,
  ): Promise<void> {
    const { store } = this.deps;
    const id = message.messageId;
    switch (outcome.kind) {
      case 'accepted':
        await store.transition(id, 'SENT', {
          from: ['SENDING'],
          detail: outcome.detail,
          patch: { nextAttemptAt: replyDeadlineAt(message) },
        });
        return;
      case 'acknowledged':
        await store.transition(id, 'ACKED', {
          from: ['SENDING', 'SENT'],
          detail: outcome.detail,
          patch: { nextAttemptAt: replyDeadlineAt(message) },
        });
        return;
      case 'replied':
        // Sync: the answer is the reply; the caller waiting on POST / gets it from the store.
        await store.transition(id, 'COMPLETED', {
          from: ['SENDING'],
          detail: outcome.detail,
          patch: { reply: { interactionId: outcome.interactionId, hl7: outcome.hl7 } },
        });
        await wakeWaiters(this.deps.broker, message, 'COMPLETED');
        return;
      case 'rejected': {
        const notify = this.outcomeNotification(message, 'NACKED', outcome.detail, outcome.errors);
        if (
          await store.transition(id, 'NACKED', {
            from: ['SENDING'],
            detail: outcome.detail,
            patch: { error: outcome.errors },
            notify,
          })
        ) {
          await this.tellPas(message, 'NACKED', notify);
        }
        return;
      }
      case 'retry': {
        if (attempt > route.retries) {
          const detail = `retries exhausted after ${attempt} attempts: ${outcome.detail}`;
          await this.fail(message, detail, ['SENDING'], outcome.errors);
          return;
        }
        const next = new Date(this.now().getTime() + route.retryIntervalMs);
        await store.transition(id, 'RETRYING', {
          from: ['SENDING'],
          detail: `${outcome.detail}; retry at ${next.toISOString()}`,
          // Spine's last fault is kept: if the retries run out, the PAS gets Spine's words.
          patch: { nextAttemptAt: next.toISOString(), ...(outcome.errors ? { error: outcome.errors } : {}) },
        });
        // One queue per interval (mhs.retry.<ms>), so a short retry never waits behind a long one.
        await queueOutboundRetry(this.deps.broker, route.retryIntervalMs, message);
        return;
      }
    }
  }

  /**
   * A SENT or ACKED message past its reply deadline is UNANSWERED: Spine has (or may have) it, but
   * the answer the PAS waits for will not come now. One not yet due has its deadline recorded, so
   * the sweeper looks again only then.
   */
  async endIfUnanswered(message: StoredMessage): Promise<void> {
    const deadline = replyDeadlineAt(message);
    if (this.now().toISOString() <= deadline) {
      if (message.nextAttemptAt !== deadline)
        await this.deps.store.update(message.messageId, { nextAttemptAt: deadline });
      return;
    }
    const detail =
      message.status === 'ACKED'
        ? `acknowledged by Spine, but no application acknowledgement by its reply deadline ${deadline}`
        : `no ebXML Acknowledgment or application acknowledgement by its reply deadline ${deadline}`;
    // ebMS 2.0: DeliveryFailure with severity Warning means "may have been delivered".
    const errors: SpineError[] = [
      {
        errorType: 'ebxml_error',
        codeContext: 'urn:oasis:names:tc:ebxml-msg:service:errors',
        errorCode: 'DeliveryFailure',
        severity: 'Warning',
        description: detail,
      },
    ];
    await this.giveUp(message, 'UNANSWERED', detail, [message.status], errors);
  }

  /**
   * Gives up on a message. The PAS gets Spine's own errors when Spine said something (the last
   * retriable fault); only a message Spine never answered gets our DeliveryFailure.
   */
  async fail(
    message: StoredMessage,
    detail: string,
    from: readonly MessageState[] = ['SENDING'],
    spineErrors = message.error as SpineError[] | undefined,
  ): Promise<void> {
    // Only what Spine said: a DeliveryFailure stored by an earlier give-up (a replayed message) is ours.
    const spines = (Array.isArray(spineErrors) ? spineErrors : []).filter(
      (error) => error.errorCode !== 'DeliveryFailure',
    );
    const errors: SpineError[] = spines.length
      ? spines
      : [{ errorType: 'ebxml_error', errorCode: 'DeliveryFailure', severity: 'Error', description: detail }];
    await this.giveUp(message, 'FAILED', detail, from, errors);
  }

  /** A dead letter: recorded, announced on mhs.dead-letter, and the PAS told. */
  private async giveUp(
    message: StoredMessage,
    to: 'FAILED' | 'UNANSWERED',
    detail: string,
    from: readonly MessageState[],
    errors: SpineError[],
  ): Promise<void> {
    const notify = this.outcomeNotification(message, to, detail, errors);
    if (
      !(await this.deps.store.transition(message.messageId, to, {
        from,
        detail,
        patch: { error: errors, nextAttemptAt: null },
        notify,
      }))
    )
      return;
    await publishDeadLetterNotice(this.deps.broker, { ...message, reason: detail });
    await this.tellPas(message, to, notify);
  }

  /**
   * The outcome of a message already NACKED, FAILED or UNANSWERED, from what the store recorded: its
   * outbox row was never confirmed (or, before the outbox, never written). Told under the same id.
   */
  async tellPasAgain(message: StoredMessage): Promise<void> {
    // What the move wrote to the outbox is told again under its own id (a signal's, say), never
    // as a second notification under another; once it is sent, replyDeliveredAt says so.
    const pending = await this.deps.store.pendingNotifications(10, FAR_FUTURE, message.messageId);
    for (const row of pending) await this.tellPas(message, message.status, row);
    if (pending.length > 0 || (await this.deps.store.get(message.messageId))?.replyDeliveredAt) return;
    // No row at all: a message settled before the outbox existed.
    const last = (await this.deps.store.history(message.messageId)).findLast(
      (entry) => entry.status === message.status,
    );
    const notify = this.outcomeNotification(
      message,
      message.status,
      last?.detail ?? message.status,
      (message.error as SpineError[] | undefined) ?? [],
    );
    await this.tellPas(message, message.status, notify);
  }

  /**
   * The PAS notification of an outcome. Its AMQP messageId is derived from the message and the
   * outcome, so an outcome told again after a crash is the same reply under the same id (the PAS
   * dedupes by messageId), never a second reply.
   */
  private outcomeNotification(
    message: StoredMessage,
    status: string,
    detail: string,
    errors: SpineError[],
  ): PasNotification {
    return pasNotification({
      kind: 'error',
      interactionId: message.interactionId,
      messageId: outcomeMessageId(message.messageId, status),
      conversationId: message.conversationId,
      refToMessageId: message.messageId,
      receivedAt: this.now().toISOString(),
      data: { status, detail, errors },
      attachments: [],
    });
  }

  /**
   * Publishes an outcome written to the outbox (the relay records it sent; if the broker is down the
   * relay's sweep publishes it later) and wakes any caller waiting on the message.
   */
  private async tellPas(message: StoredMessage, status: string, notify: PasNotification): Promise<void> {
    await this.deps.relay.publish(message.messageId, notify);
    await wakeWaiters(this.deps.broker, message, status);
  }
  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }
}
