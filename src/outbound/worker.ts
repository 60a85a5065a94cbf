import { createHash } from 'node:crypto';
import {
  AWAITING_SIGNAL_STATES,
  ERROR_OUTCOME_STATES,
  type MessageState,
  mayMove,
} from '../lifecycle/index.js';
import type { Logger } from '../ops/index.js';
import { type NotificationRelay, pasNotification } from '../outbox/index.js';
import {
  type Delivery,
  type Disposition,
  type EventBus,
  parseOutboundWork,
  publishDeadLetterNotice,
  publishWakeUp,
  QUEUES,
  type QueueConsumer,
  type QueuePublisher,
  queueOutboundRetry,
  type RetryPublisher,
} from '../queue/index.js';
import type { MessageStore, PasNotification, StoredMessage } from '../store/index.js';
import { type MtlsClient, TransportError } from '../transport/index.js';
import { classifyResponse, type SendOutcome, type SpineError } from './classify.js';
import { replyDeadline, resendDeadline } from './deadline.js';
import type { RouteSnapshot } from './submission.js';

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

/** A send still marked SENDING after this long was interrupted (the worker died): it may be claimed again. */
export function sendingStaleAfterMs(requestTimeoutMs: number): number {
  return requestTimeoutMs * 2 + 5_000;
}

/** Consumes mhs.outbound: sends each stored message and records what Spine's answer means. */
export class SendWorker {
  constructor(
    private readonly deps: {
      store: MessageStore;
      broker: QueueConsumer & QueuePublisher & RetryPublisher & Pick<EventBus, 'publishEvent'>;
      /** Publishes the outcome notifications written with the transitions (the outbox). */
      relay: NotificationRelay;
      client: MtlsClient;
      logger: Logger;
      prefetch: number;
      requestTimeoutMs: number;
      clock?: () => Date;
    },
  ) {}

  async start(): Promise<void> {
    await this.deps.broker.consume(QUEUES.outbound, (delivery) => this.handle(delivery), this.deps.prefetch);
  }

  async handle(delivery: Delivery): Promise<Disposition> {
    // A malformed entry throws a QueueContractError: the broker parks it on mhs.dead-letter.
    const { messageId } = parseOutboundWork(delivery.body);
    const message = await this.deps.store.get(messageId);
    if (!message?.http) {
      this.deps.logger.error(
        { messageId, conversationId: delivery.correlationId, interactionId: delivery.type },
        'queued message is not in the store; dropping the queue entry',
      );
      return 'reject';
    }
    // The sweeper queues a message whose reply deadline has passed: it ends here, UNANSWERED.
    if (AWAITING_SIGNAL_STATES.includes(message.status)) {
      await this.endIfUnanswered(message);
      return 'ack';
    }
    if (!this.claimable(message)) {
      // An instance that died between deciding an outcome and telling the PAS left it untold.
      if (
        ERROR_OUTCOME_STATES.includes(message.status) &&
        message.attempts > 0 &&
        !message.replyDeliveredAt &&
        !message.resolution
      )
        await this.tellPasAgain(message);
      return 'ack'; // answered already, or being sent right now elsewhere
    }
    const route = message.route as RouteSnapshot;
    const deadline = await this.deadlinePassed(message, route);
    if (deadline) {
      await this.fail(message, deadline, [message.status]);
      return 'ack';
    }
    const attempt = message.attempts + 1;
    // The attempt count fences the claim: two workers holding copies of one queue entry send once.
    const claimed = await this.deps.store.transition(messageId, 'SENDING', {
      from: [message.status],
      ifAttempts: message.attempts,
      detail:
        message.status === 'SENDING'
          ? `attempt ${attempt} (the previous one was interrupted)`
          : `attempt ${attempt}`,
      patch: { attempts: attempt },
    });
    if (!claimed) return 'ack';
    const log = this.deps.logger.child({
      messageId,
      conversationId: message.conversationId,
      interactionId: message.interactionId,
    });
    let outcome: SendOutcome;
    try {
      const response = await this.deps.client.post(route.endpoint, message.http);
      outcome = classifyResponse(response, messageId, route.workflow);
    } catch (error) {
      if (error instanceof TransportError && error.certificate) {
        outcome = {
          kind: 'rejected',
          detail: error.message,
          errors: [{ errorType: 'soap_fault', errorCode: 'TLS', description: error.message }],
        };
        log.error(
          { err: error.message },
          'TLS certificate failure sending to Spine: check certificates and trust',
        );
      } else {
        outcome = { kind: 'retry', detail: (error as Error).message };
      }
    }
    log.info({ audit: 'sent', attempt, outcome: outcome.kind, detail: outcome.detail }, 'outbound attempt');
    await this.record(message, route, attempt, outcome);
    return 'ack';
  }

  /** A message the lifecycle lets into SENDING; one SENDING already only once that send was interrupted. */
  private claimable(message: StoredMessage): boolean {
    if (!mayMove(message.status, 'SENDING')) return false;
    if (message.status !== 'SENDING') return true;
    return (
      this.now().getTime() - Date.parse(message.updatedAt) > sendingStaleAfterMs(this.deps.requestTimeoutMs)
    );
  }

  /**
   * A resend keeps the same MessageId only while the receiver still remembers it: the deadline is
   * the first attempt + RetryInterval × (Retries + 1), and never later than its PersistDuration
   * (ebms2-reliability-and-signing.md §2, T1). A message never sent has no deadline yet.
   */
  private async deadlinePassed(message: StoredMessage, route: RouteSnapshot): Promise<string | undefined> {
    if (message.attempts === 0) return undefined;
    const first = (await this.deps.store.history(message.messageId)).find(
      (entry) => entry.status === 'SENDING',
    );
    if (!first) return undefined;
    const deadline = resendDeadline(route, first.at);
    if (this.now().getTime() <= deadline) return undefined;
    return `deadline passed: first sent ${first.at}, resends allowed until ${new Date(deadline).toISOString()}`;
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  private async record(
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
        await publishWakeUp(this.deps.broker, id, 'COMPLETED');
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
        const next = new Date((this.deps.clock ?? (() => new Date()))().getTime() + route.retryIntervalMs);
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
  private async endIfUnanswered(message: StoredMessage): Promise<void> {
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
  private async fail(
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
  private async tellPasAgain(message: StoredMessage): Promise<void> {
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
      receivedAt: (this.deps.clock ?? (() => new Date()))().toISOString(),
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
    await publishWakeUp(this.deps.broker, message.messageId, status);
  }
}
