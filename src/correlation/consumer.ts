import { APPLICATION_ACKNOWLEDGEMENT } from '../hl7/index.js';
import { mayActFor } from '../inbound/index.js';
import { ALLOWED_FROM, ANSWERABLE_STATES, type MessageState } from '../lifecycle/index.js';
import type { Logger } from '../ops/index.js';
import { partySentTo, replyDeadlineAt, wakeWaiters } from '../outbound/index.js';
import { type NotificationRelay, pasNotification } from '../outbox/index.js';
import {
  type Delivery,
  type Disposition,
  type EventBus,
  parseSignal,
  publishToPas,
  QUEUES,
  type QueueConsumer,
  type QueuePublisher,
  type Signal,
} from '../queue/index.js';
import type { RouteTable } from '../routing/index.js';
import type { MessageStore, StoredMessage } from '../store/index.js';

/** The JSON a PAS sees for an application acknowledgement. */
export interface ApplicationAckReply {
  acknowledgement: 'AA' | 'AE' | 'AR';
  outcome: 'accepted' | 'business-error' | 'rejected';
  details: { typeCode: string; code: string; displayName?: string }[];
  reasons: { code: string; displayName?: string; qualifier: string }[];
  /** One sentence for people: what e-RS said, in words, with its codes. */
  summary: string;
}

/**
 * Consumes mhs.signals: matches each signal to the message it answers, moves that message's state,
 * and tells the PAS once: the reply is written to the outbox in the transition's own transaction,
 * under the signal's id, and the relay publishes it. A redelivered signal, or a second signal for
 * a message already moved, moves nothing and so tells nothing.
 */
export class CorrelationConsumer {
  constructor(
    private readonly deps: {
      store: MessageStore;
      /** Where a message whose route snapshot predates `toPartyKey` was sent (partySentTo). */
      routes: RouteTable;
      /** Consumes mhs.signals, publishes to mhs.inbound, wakes waiters on mhs.events. */
      broker: QueueConsumer & QueuePublisher & EventBus;
      relay: NotificationRelay;
      logger: Logger;
      prefetch: number;
      clock?: () => Date;
    },
  ) {}

  async start(): Promise<void> {
    await this.deps.broker.consume(QUEUES.signals, (delivery) => this.handle(delivery), this.deps.prefetch);
  }

  async handle(delivery: Delivery): Promise<Disposition> {
    // A body that is not a signal throws a QueueContractError: the broker parks it on mhs.dead-letter.
    const signal = parseSignal(delivery.body);
    const message = await this.answered(signal);
    const log = this.deps.logger.child({
      messageId: message?.messageId ?? signal.applicationAck?.messageRef ?? signal.refToMessageId,
      signalId: signal.signalId,
      conversationId: signal.conversationId,
      interactionId: message?.interactionId,
    });
    if (message?.direction !== 'outbound') {
      log.warn({ kind: signal.kind }, 'signal answers no message we sent');
      if (signal.kind === 'application-ack') await this.deliverUnmatched(signal);
      return 'ack';
    }
    // Only a client allowed to speak for the party the message went to may move it (inbound/
    // checks ebXML signals and replies itself; an application ack's message is found only here).
    if (signal.senderParties) {
      const sentTo = partySentTo(message, this.deps.routes);
      if (!mayActFor({ parties: signal.senderParties }, sentTo)) {
        log.warn(
          { audit: 'refused', kind: signal.kind, sentTo },
          'signal from a client not allowed to speak for the party the message was sent to; moves nothing',
        );
        if (signal.kind === 'application-ack') await this.deliverUnmatched(signal);
        return 'ack';
      }
    }
    if (message.status === 'UNANSWERED' && signal.kind === 'application-ack') {
      await this.deliverLate(signal, message);
      log.warn({ kind: signal.kind }, 'application acknowledgement arrived after the reply deadline');
      return 'ack';
    }
    switch (signal.kind) {
      case 'reply':
        // The reply itself reached the PAS from the inbound path; only the request's state moves.
        await this.deps.store.transition(message.messageId, 'COMPLETED', {
          from: ANSWERABLE_STATES,
          detail: `reply ${signal.interactionId ?? ''} ${signal.signalId}`.replace('  ', ' '),
          patch: { reply: { replyMessageId: signal.signalId, interactionId: signal.interactionId } },
        });
        break;
      case 'acknowledgment':
        await this.deps.store.transition(message.messageId, 'ACKED', {
          from: ALLOWED_FROM.ACKED, // not ACKED itself: a repeated Acknowledgment moves nothing
          detail: `ebXML Acknowledgment ${signal.signalId}`,
          // From now it waits for the application acknowledgement, until its reply deadline.
          patch: { nextAttemptAt: replyDeadlineAt(message) },
        });
        break;
      case 'message-error': {
        const detail = `ebXML MessageError ${signal.signalId}: ${(signal.errors ?? []).map((e) => `${e.errorCode} ${e.description ?? ''}`.trim()).join('; ')}`;
        const notify = this.replyFor(message, signal, 'error', {
          status: 'NACKED',
          detail,
          errors: signal.errors ?? [],
        });
        if (
          await this.deps.store.transition(message.messageId, 'NACKED', {
            from: ANSWERABLE_STATES,
            detail,
            patch: { error: signal.errors ?? [] },
            notify,
          })
        )
          await this.deps.relay.publish(message.messageId, notify);
        break;
      }
      case 'application-ack': {
        const ack = signal.applicationAck!;
        const reply = { ...mapApplicationAck(ack), replyMessageId: signal.signalId };
        const to: MessageState = ack.typeCode === 'AA' ? 'COMPLETED' : 'REJECTED';
        const notify = this.replyFor(message, signal, 'application-ack', reply);
        if (
          await this.deps.store.transition(message.messageId, to, {
            from: ANSWERABLE_STATES,
            detail: `application acknowledgement ${ack.typeCode} ${signal.signalId}`,
            patch: { reply },
            notify,
          })
        )
          await this.deps.relay.publish(message.messageId, notify);
        break;
      }
    }
    log.info({ audit: 'correlated', kind: signal.kind }, 'signal matched to the message it answers');
    await wakeWaiters(this.deps.broker, message, signal.kind);
    return 'ack';
  }

  /**
   * The outbound message a signal answers, however Spine names it: an application acknowledgement's
   * messageRef names the HL7 wrapper id (which need not be the ebXML MessageId; older rows without an
   * HL7 id are found by MessageId), and the ebXML RefToMessageId names the MessageId.
   */
  private async answered(signal: Signal): Promise<StoredMessage | undefined> {
    const { store } = this.deps;
    const outbound = (message: StoredMessage | undefined) =>
      message?.direction === 'outbound' ? message : undefined;
    const hl7Ref = signal.applicationAck?.messageRef;
    if (hl7Ref) {
      const found = (await store.getByHl7MessageId(hl7Ref)) ?? outbound(await store.get(hl7Ref));
      if (found) return found;
    }
    return signal.refToMessageId ? outbound(await store.get(signal.refToMessageId)) : undefined;
  }

  /** The PAS message telling of `signal`, under the signal's own id. */
  private replyFor(message: StoredMessage, signal: Signal, kind: 'error' | 'application-ack', data: unknown) {
    return pasNotification({
      kind,
      interactionId: signal.kind === 'application-ack' ? APPLICATION_ACKNOWLEDGEMENT : message.interactionId,
      messageId: signal.signalId,
      conversationId: message.conversationId,
      refToMessageId: message.messageId,
      receivedAt: signal.receivedAt,
      data,
      hl7: signal.hl7,
      attachments: [],
    });
  }

  /**
   * An application acknowledgement for a message already UNANSWERED: the message stays a dead letter
   * (the PAS was told and operators may have acted), but what Spine said still reaches the PAS,
   * marked late. Inbound duplicate elimination and its stable messageId keep it to one delivery.
   */
  private async deliverLate(signal: Signal, message: StoredMessage): Promise<void> {
    await publishToPas(this.deps.broker, {
      kind: 'application-ack',
      interactionId: APPLICATION_ACKNOWLEDGEMENT,
      messageId: signal.signalId,
      conversationId: message.conversationId,
      refToMessageId: message.messageId,
      receivedAt: signal.receivedAt,
      data: { ...mapApplicationAck(signal.applicationAck!), late: true },
      hl7: signal.hl7,
      attachments: [],
    });
  }

  private async deliverUnmatched(signal: Signal): Promise<void> {
    await publishToPas(this.deps.broker, {
      kind: 'application-ack',
      interactionId: APPLICATION_ACKNOWLEDGEMENT,
      messageId: signal.signalId,
      conversationId: signal.conversationId,
      refToMessageId: signal.applicationAck?.messageRef ?? signal.refToMessageId,
      receivedAt: signal.receivedAt,
      data: signal.applicationAck ? mapApplicationAck(signal.applicationAck) : {},
      hl7: signal.hl7,
      attachments: [],
      unmatched: true,
    });
  }
}

export function mapApplicationAck(ack: NonNullable<Signal['applicationAck']>): ApplicationAckReply {
  const details = (ack.details ?? []).map((d) => ({
    typeCode: d.typeCode,
    code: d.code,
    ...(d.displayName ? { displayName: d.displayName } : {}),
  }));
  const reasons = (ack.reasons ?? []).map((r) => ({
    code: r.code,
    qualifier: r.qualifier,
    ...(r.displayName ? { displayName: r.displayName } : {}),
  }));
  return {
    acknowledgement: ack.typeCode,
    outcome: ack.typeCode === 'AA' ? 'accepted' : ack.typeCode === 'AE' ? 'business-error' : 'rejected',
    details,
    reasons,
    summary: summarise(ack.typeCode, [...reasons, ...details]),
  };
}

const OPENINGS = {
  AA: 'e-RS accepted the message (AA)',
  AE: 'e-RS could not act on the message: business error (AE)',
  AR: 'e-RS rejected the message (AR)',
} as const;

function summarise(typeCode: 'AA' | 'AE' | 'AR', issues: { code: string; displayName?: string }[]): string {
  if (issues.length === 0) return `${OPENINGS[typeCode]}.`;
  const words = issues.map((i) => `${i.displayName ?? 'no description given'} (code ${i.code})`).join('; ');
  return `${OPENINGS[typeCode]}: ${words}.`;
}
