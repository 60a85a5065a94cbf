import { randomUUID } from 'node:crypto';
import { ERS_REQUEST } from '#src/hl7/index.js';
import { Broker, type Delivery, parsePasMessage, QUEUES } from '#src/queue/index.js';
import type { GatewayApis } from './gateways.js';
import type { Random } from './random.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** An outbound message the gateway accepted (202), as the PAS remembers it. */
export interface AcceptedMessage {
  messageId: string;
  interactionId: string;
  /** `notification` the PAS started; `answer` to an e-RS request. */
  origin: 'notification' | 'answer';
}

interface ReplySeen {
  messageIds: Set<string>;
  kinds: Set<string>;
  deliveries: number;
}

const ANSWERS: Record<
  string,
  { path: string; interactionId: string; alternative?: { path: string; interactionId: string } }
> = {
  [ERS_REQUEST.availableSlots]: { path: '/cab/slot-responses', interactionId: 'PRSC_IN090000UK09' },
  [ERS_REQUEST.appointmentConfirmation]: {
    path: '/cab/appointment-confirmations',
    interactionId: 'PRSC_IN050000UK06',
    alternative: { path: '/cab/appointment-rejections', interactionId: 'PRSC_IN060000UK06' },
  },
  [ERS_REQUEST.appointmentCancellation]: {
    path: '/cab/cancellation-confirmations',
    interactionId: 'PRSC_IN140000UK06',
    alternative: { path: '/cab/cancellation-rejections', interactionId: 'PRSC_IN150000UK06' },
  },
};

/**
 * The soak's PAS: reads mhs.inbound as a PAS would (deduplicating by AMQP messageId), answers every
 * e-RS request through the REST API of a live instance, and keeps everything it saw.
 */
export class SoakPas {
  /** Requests by messageId, and their business keys (to see one request under two ids). */
  readonly requests = new Map<string, { interactionId: string; businessKey: string }>();
  private readonly businessKeys = new Map<string, Set<string>>();
  /** Replies (application-ack, error) by the message they answer. */
  readonly replies = new Map<string, ReplySeen>();
  readonly accepted = new Map<string, AcceptedMessage>();
  /** Copies of a message the PAS had already processed (same messageId: at-least-once, harmless). */
  redeliveries = 0;
  unmatchedReplies = 0;
  /** Answers the gateway refused (a 4xx): each is a finding. */
  readonly refusedAnswers: string[] = [];
  /** Answers retried after an attempt got no HTTP answer: e-RS may receive that answer twice. */
  answersRetriedAfterLostResponse = 0;
  private readonly pending = new Set<Promise<void>>();
  /** Accepted messages whose outcome the PAS has not read yet. */
  private readonly awaiting = new Set<string>();
  private readonly seen = new Set<string>();
  private broker?: Broker;

  constructor(
    private readonly apis: GatewayApis,
    private readonly random: Random,
    private readonly options: { rejectShare: number },
  ) {}

  async connect(url: string): Promise<void> {
    this.broker = new Broker(url, {
      instanceId: `soak-pas-${process.pid}`,
      logger: quiet,
      connectTimeoutMs: 60_000,
    });
    await this.broker.start();
    await this.broker.consume(QUEUES.inbound, async (delivery) => this.receive(delivery), 100);
  }

  get outstanding(): number {
    return this.awaiting.size;
  }

  /** Answers still being posted. */
  get answering(): number {
    return this.pending.size;
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.broker?.close();
  }

  /** Records a 202 so replies can be matched to it. */
  recordAccepted(message: AcceptedMessage): void {
    this.accepted.set(message.messageId, message);
    if (!this.replies.has(message.messageId)) this.awaiting.add(message.messageId);
  }

  /** Business duplicates: one request or one reply reaching the PAS under more than one messageId. */
  duplicates(): { requests: number; replies: number; examples: string[] } {
    let requests = 0;
    let replies = 0;
    const examples: string[] = [];
    for (const [key, ids] of this.businessKeys) {
      if (ids.size > 1) {
        requests += ids.size - 1;
        if (examples.length < 5) examples.push(`request ${key} under ${[...ids].join(', ')}`);
      }
    }
    for (const [ref, seen] of this.replies) {
      if (seen.messageIds.size > 1) {
        replies += seen.messageIds.size - 1;
        if (examples.length < 5) examples.push(`reply to ${ref} under ${[...seen.messageIds].join(', ')}`);
      }
    }
    return { requests, replies, examples };
  }

  private receive(delivery: Delivery): 'ack' {
    const body = parsePasMessage(delivery.body);
    const messageId = delivery.messageId ?? body.messageId;
    if (this.seen.has(messageId)) {
      this.redeliveries += 1;
      return 'ack';
    }
    this.seen.add(messageId);
    if (body.kind === 'request') {
      // A request's data is the JSON its HL7 maps to: an object.
      const data = (body.data ?? {}) as Record<string, unknown>;
      const businessKey = `${body.interactionId} ${requestKey(body.interactionId, data)}`;
      this.requests.set(messageId, { interactionId: body.interactionId, businessKey });
      const ids = this.businessKeys.get(businessKey) ?? new Set<string>();
      ids.add(messageId);
      this.businessKeys.set(businessKey, ids);
      this.track(this.answer(messageId, body.interactionId, data));
      return 'ack';
    }
    if (body.unmatched) this.unmatchedReplies += 1;
    const ref = body.refToMessageId ?? '';
    const seen = this.replies.get(ref) ?? {
      messageIds: new Set<string>(),
      kinds: new Set<string>(),
      deliveries: 0,
    };
    seen.messageIds.add(messageId);
    seen.kinds.add(body.kind);
    seen.deliveries += 1;
    this.replies.set(ref, seen);
    this.awaiting.delete(ref);
    return 'ack';
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async answer(
    requestId: string,
    interactionId: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const answer = ANSWERS[interactionId];
    if (!answer) {
      this.refusedAnswers.push(`no answer known for ${interactionId} ${requestId}`);
      return;
    }
    const chosen =
      answer.alternative && this.random.chance(this.options.rejectShare) ? answer.alternative : answer;
    const body =
      chosen.path === '/cab/slot-responses'
        ? { inResponseTo: requestId, slots: slotsFor(data) }
        : { inResponseTo: requestId };
    const result = await this.apis.post(chosen.path, body);
    if (result.answerLost) this.answersRetriedAfterLostResponse += 1;
    if (result.status === 202) {
      this.recordAccepted({
        messageId: String(result.body.messageId),
        interactionId: chosen.interactionId,
        origin: 'answer',
      });
      return;
    }
    this.refusedAnswers.push(
      `${chosen.path} for ${requestId}: HTTP ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`,
    );
  }
}

/** What makes two requests the same business request, whatever their messageIds. */
function requestKey(interactionId: string, data: Record<string, unknown>): string {
  if (interactionId === ERS_REQUEST.availableSlots) return String(data.requestId);
  return `${String(data.ubrn)} ${String(data.usrn ?? '')}`;
}

function slotsFor(
  data: Record<string, unknown>,
): { usrn: string; start: string; end: string; priority: string }[] {
  const period = data.period as { start?: string } | undefined;
  const start = Date.parse(period?.start ?? new Date().toISOString()) + 9 * 3_600_000;
  return [0, 1].map((i) => ({
    usrn: randomUUID(),
    start: new Date(start + i * 900_000).toISOString(),
    end: new Date(start + (i + 1) * 900_000).toISOString(),
    priority: 'routine',
  }));
}
