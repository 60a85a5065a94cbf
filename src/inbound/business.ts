// Business messages: duplicate elimination, storing, mapping the HL7 for the PAS, publishing, and
// only then acknowledging. The MessageId is the key throughout: a copy seen before gets the
// original acknowledgment byte for byte and is not delivered again.
import type { HttpMessage, MessageHeader, ParsedMessage } from '../ebxml/index.js';
import { APPLICATION_ACKNOWLEDGEMENT, type parseApplicationAcknowledgement } from '../hl7/index.js';
import type { Logger } from '../ops/index.js';
import { partySentTo } from '../outbound/index.js';
import { publishToPas } from '../queue/index.js';
import { DuplicateMessageError } from '../store/index.js';
import { acknowledgment, answer, type InboundAnswer, serverFault } from './answers.js';
import { type InboundSender, mayActFor } from './clients.js';
import { type InboundDependencies, now } from './dependencies.js';
import { type Hl7Reading, readHl7 } from './requests.js';
import { publishApplicationAck, publishReply } from './signals.js';

export async function receiveBusinessMessage(
  deps: InboundDependencies,
  parsed: ParsedMessage,
  log: Logger,
  sender: InboundSender,
): Promise<InboundAnswer> {
  const { header } = parsed;
  // The ebXML is sound from here on. HL7 we cannot read is not an ebXML fault: the message is
  // acknowledged and parked for the PAS with its raw payload (docs/conformance.md, "Real Spine").
  const hl7 = parsed.payload?.content.toString('utf8');
  const reading = readHl7(header.action, hl7);
  // Stored first (one store call for a new message); a MessageId seen before is read back.
  try {
    await store(deps, parsed, reading, hl7);
  } catch (error) {
    if (!(error instanceof DuplicateMessageError)) throw error;
    const existing = await deps.store.get(header.messageId);
    // Stored but never acknowledged (its queueing failed, or its instance died before the ack):
    // this copy finishes the delivery, or the MessageId would be refused for ever. Queues are
    // keyed by it. A copy being processed right now has no acknowledgment yet: retried.
    if (!existing || existing.ack || existing.status !== 'RECEIVED')
      return answerDuplicate(deps, existing?.ack, header, log);
  }
  const queued = await deliver(deps, parsed, reading, hl7, log, sender);
  const ack = await acknowledgment(deps, parsed);
  const delivered = await deps.store.transition(header.messageId, 'DELIVERED', {
    from: ['RECEIVED'],
    detail: queued,
    patch: { ack },
  });
  // A copy processed at the same moment acknowledged first: every copy gets that one acknowledgment.
  const first = delivered ? undefined : (await deps.store.get(header.messageId))?.ack;
  log.info({ audit: 'received', kind: 'message' }, 'inbound message delivered and acknowledged');
  return answer(200, first ?? ack);
}

/** Stored as RECEIVED before anything is queued, so a crash leaves a row a resend finishes. */
async function store(
  deps: InboundDependencies,
  parsed: ParsedMessage,
  reading: Hl7Reading,
  hl7: string | undefined,
): Promise<void> {
  const { header } = parsed;
  await deps.store.insert({
    messageId: header.messageId,
    direction: 'inbound',
    interactionId: header.action,
    conversationId: header.conversationId,
    refToMessageId: header.refToMessageId,
    status: 'RECEIVED',
    http: { contentType: '', soapAction: parsed.soapAction ?? '', body: Buffer.from(parsed.envelopeXml) },
    data:
      'problem' in reading
        ? { unreadable: reading.problem, sender: { partyKey: header.from.id } }
        : {
            request: reading.data,
            sender: { partyKey: header.from.id, asid: reading.wrapper.fromAsid },
            hl7MessageId: reading.wrapper.messageId,
          },
    ...(hl7 ? { hl7 } : {}),
    detail: `from ${header.from.id}`,
  });
}

/**
 * Queues the message where it belongs (confirmed by the broker) and says where, for the history:
 * unreadable HL7 parked for the PAS, an application acknowledgement to correlation, anything else
 * to the PAS (a reply also completing the request it answers).
 */
async function deliver(
  deps: InboundDependencies,
  parsed: ParsedMessage,
  reading: Hl7Reading,
  hl7: string | undefined,
  log: Logger,
  sender: InboundSender,
): Promise<string> {
  const { header } = parsed;
  const receivedAt = now(deps).toISOString();
  const attachments = parsed.parts
    .filter((p) => p !== parsed.payload)
    .map((p) => ({
      contentId: p.contentId,
      contentType: p.contentType,
      base64: p.content.toString('base64'),
    }));
  const about = {
    interactionId: header.action,
    messageId: header.messageId,
    conversationId: header.conversationId,
    refToMessageId: header.refToMessageId,
    receivedAt,
  };
  if ('problem' in reading) {
    log.warn(
      { audit: 'unreadable-hl7', problem: reading.problem },
      'HL7 payload unreadable; parked for the PAS',
    );
    await publishToPas(deps.broker, {
      kind: 'error',
      ...about,
      data: { status: 'UNREADABLE_HL7', detail: reading.problem, from: header.from.id },
      ...(hl7 ? { hl7 } : {}),
      attachments,
    });
    return `HL7 unreadable (${reading.problem}); parked for the PAS on mhs.inbound`;
  }
  if (header.action === APPLICATION_ACKNOWLEDGEMENT) {
    const applicationAck = reading.data as ReturnType<typeof parseApplicationAcknowledgement>;
    await publishApplicationAck(deps, header, applicationAck, hl7!, receivedAt, sender);
    return 'queued on mhs.signals';
  }
  // A business message naming the message it answers is a reply (e.g. QUPC_IN160102UK05); one
  // that names nothing we sent, or a message sent to a party its client may not speak for, is
  // still delivered, marked unmatched, and completes nothing.
  const named = header.refToMessageId ? await deps.store.get(header.refToMessageId) : undefined;
  const sent = named?.direction === 'outbound' ? named : undefined;
  const sentTo = sent && partySentTo(sent, deps.routes);
  const answered = sent && mayActFor(sender, sentTo) ? sent : undefined;
  if (sent && !answered)
    log.warn(
      { audit: 'refused', refToMessageId: header.refToMessageId, sentTo },
      'reply from a client not allowed to speak for the party the request was sent to; delivered unmatched',
    );
  await publishToPas(deps.broker, {
    kind: header.refToMessageId ? 'reply' : 'request',
    ...about,
    data: reading.data ?? {},
    hl7: hl7!,
    attachments,
    ...(header.refToMessageId && !answered ? { unmatched: true } : {}),
  });
  if (answered) await publishReply(deps, header, answered.messageId, receivedAt);
  return 'queued on mhs.inbound';
}

/** A MessageId seen before gets the stored original acknowledgment, byte for byte, and no delivery. */
function answerDuplicate(
  deps: InboundDependencies,
  ack: HttpMessage | undefined,
  header: MessageHeader,
  log: Logger,
): InboundAnswer {
  if (!ack) {
    log.warn(
      {},
      'duplicate arrived while the first copy is still in process; answering 500 so it is retried',
    );
    return serverFault(new Error('message is still being processed'));
  }
  log.info(
    { audit: 'duplicate', refToMessageId: header.refToMessageId },
    'duplicate message: original acknowledgment re-sent',
  );
  deps.onDuplicate?.();
  return answer(200, ack);
}
