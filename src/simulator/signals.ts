// What the simulator sends to the gateway's inbound endpoint: its POSTs (retried as a real MSH
// retries) and the signals owed after a message arrives (the Acknowledgment, e-RS's application
// acknowledgement after checking the answer against its request).
import { setTimeout as sleep } from 'node:timers/promises';
import { type HttpMessage, type ParsedMessage, parseMessage } from '../ebxml/index.js';
import { APPLICATION_ACKNOWLEDGEMENT, parseWrapper } from '../hl7/index.js';
import type { MtlsClient, TransportResponse } from '../transport/index.js';
import { checkAnswer, type SentRequest } from './ers.js';
import type { FaultInjector } from './faults.js';
import type { BuildContext } from './messages.js';
import type { ReceivedMessage } from './state.js';
import { acknowledgment, applicationAck } from './templates.js';

const SIGNAL_ATTEMPTS = 10;

/** The gateway's answer to a request e-RS sent, and to its copy when the duplicateDeliveries fault sent one. */
export interface RequestDelivery {
  answer: TransportResponse;
  duplicate?: TransportResponse;
}

export class GatewayLink {
  constructor(
    private readonly client: MtlsClient,
    private readonly inboundUrl: string,
    private readonly faults: FaultInjector,
  ) {}

  /**
   * POSTs to the gateway, retrying a 500 or a transport failure as a real MSH would: 10 attempts
   * over about 11 s, long enough to outlast a gateway's graceful restart.
   */
  async post(message: HttpMessage): Promise<TransportResponse> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const answer = await this.client.post(this.inboundUrl, message);
        if (answer.status !== 500 || attempt >= SIGNAL_ATTEMPTS) return answer;
      } catch (error) {
        if (attempt >= SIGNAL_ATTEMPTS) throw error;
      }
      await sleep(250 * attempt);
    }
  }

  /** Sends an e-RS request; the duplicateDeliveries fault sends the same bytes a second time. */
  async postRequest(message: HttpMessage): Promise<RequestDelivery> {
    const answer = await this.post(message);
    if (!this.faults.takeDuplicateDelivery()) return { answer };
    return { answer, duplicate: await this.post(message) };
  }
}

/** What the control API tells about a request's delivery: the gateway's answer (and its copy's). */
export function describeDelivery(delivery: RequestDelivery): Record<string, unknown> {
  const { answer, duplicate } = delivery;
  return {
    gatewayResponse: describeAnswer(answer.status, answer.contentType, answer.body),
    ...(duplicate
      ? { duplicateResponse: describeAnswer(duplicate.status, duplicate.contentType, duplicate.body) }
      : {}),
  };
}

function describeAnswer(status: number, contentType: string | undefined, body: Buffer): unknown {
  if (body.byteLength === 0) return { status };
  try {
    const parsed = parseMessage(contentType, body);
    return {
      status,
      kind: parsed.kind,
      refToMessageId: parsed.header.refToMessageId,
      errors: parsed.errors ?? [],
    };
  } catch {
    return { status, body: body.toString('utf8').slice(0, 2000) };
  }
}

export interface SignalSender {
  link: GatewayLink;
  faults: FaultInjector;
  context(): BuildContext;
  /** The requests e-RS sent, to check the answers against. */
  sent: ReadonlyMap<string, SentRequest>;
}

/** What e-RS and Spine send back after the transport answer: the hop ack (unless sent inline), then the application ack. */
export async function sendSignals(
  sender: SignalSender,
  parsed: ParsedMessage,
  record: ReceivedMessage,
  sendAck: boolean,
): Promise<void> {
  const { link, faults } = sender;
  const wait = faults.signalDelayMs;
  if (wait > 0) await sleep(wait);
  if (sendAck && parsed.reliability.ackRequested && !faults.dropAcks) {
    const ack = acknowledgment(sender.context(), parsed.header, parsed.reliability.ackRequested.actor);
    const answer = await link.post(ack.message);
    record.signalsSent.push({ kind: 'acknowledgment', messageId: ack.messageId, status: answer.status });
  }
  if (parsed.header.action === APPLICATION_ACKNOWLEDGEMENT || !record.hl7) return;
  // Read once: its id is what the application acknowledgement answers, and e-RS checks the rest.
  const wrapper = parseWrapper(record.hl7);
  // e-RS checks the answer against the request it answers; a wrong answer is rejected (AR).
  const check = checkAnswer(wrapper, parsed.header, sender.sent);
  record.check = check;
  const typeCode = check.ok ? faults.applicationAck : 'AR';
  const appAck = applicationAck(
    sender.context(),
    {
      messageId: parsed.header.messageId,
      hl7MessageId: wrapper.messageId,
      conversationId: parsed.header.conversationId,
    },
    typeCode,
    check.ok ? undefined : check.problems.join('; '),
  );
  const answer = await link.post(appAck.message);
  record.signalsSent.push({
    kind: `application-ack ${typeCode}`,
    messageId: appAck.messageId,
    status: answer.status,
  });
}
