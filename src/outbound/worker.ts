import { AWAITING_SIGNAL_STATES, ERROR_OUTCOME_STATES, mayMove } from '../lifecycle/index.js';
import type { Logger } from '../ops/index.js';
import {
  type Delivery,
  type Disposition,
  parseOutboundWork,
  QUEUES,
  type QueueConsumer,
} from '../queue/index.js';
import type { StoredMessage } from '../store/index.js';
import { type MtlsClient, TransportError } from '../transport/index.js';
import { classifyResponse, type SendOutcome } from './classify.js';
import { resendDeadline } from './deadline.js';
import { type OutcomeDependencies, SendOutcomes } from './outcomes.js';
import type { RouteSnapshot } from './submission.js';

/** A send still marked SENDING after this long was interrupted (the worker died): it may be claimed again. */
export function sendingStaleAfterMs(requestTimeoutMs: number): number {
  return requestTimeoutMs * 2 + 5_000;
}

/** Consumes mhs.outbound: sends each stored message and records what Spine's answer means. */
export class SendWorker {
  private readonly outcomes: SendOutcomes;

  constructor(
    private readonly deps: OutcomeDependencies & {
      broker: QueueConsumer;
      client: MtlsClient;
      logger: Logger;
      prefetch: number;
      requestTimeoutMs: number;
    },
  ) {
    this.outcomes = new SendOutcomes(deps);
  }

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
      await this.outcomes.endIfUnanswered(message);
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
        await this.outcomes.tellPasAgain(message);
      return 'ack'; // answered already, or being sent right now elsewhere
    }
    const route = message.route as RouteSnapshot;
    const deadline = await this.deadlinePassed(message, route);
    if (deadline) {
      await this.outcomes.fail(message, deadline, [message.status]);
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
    await this.outcomes.record(message, route, attempt, outcome);
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
}
