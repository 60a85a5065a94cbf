// Signals that move the state of a message we sent: ebXML Acknowledgments and MessageErrors
// received here, and application acknowledgements and replies found among business messages.
// All go to correlation on mhs.signals; none is acknowledged.
import type { MessageHeader, ParsedMessage } from '../ebxml/index.js';
import type { ApplicationAcknowledgement } from '../hl7/index.js';
import { ANSWERABLE_STATES } from '../lifecycle/index.js';
import type { Logger } from '../ops/index.js';
import { partySentTo } from '../outbound/index.js';
import { encodeSignal, QUEUES, type Signal } from '../queue/index.js';
import type { StoredMessage } from '../store/index.js';
import { type InboundAnswer, messageErrorAnswer, signalAccepted } from './answers.js';
import { type InboundSender, mayActFor } from './clients.js';
import { type InboundDependencies, now } from './dependencies.js';

/** Puts `signal`, read from a message whose eb:Action was `receivedAction`, on mhs.signals (confirmed). */
export async function publishSignal(
  deps: InboundDependencies,
  signal: Signal,
  receivedAction: string,
): Promise<void> {
  const { body, properties } = encodeSignal(signal, receivedAction);
  await deps.broker.publish(QUEUES.signals, body, properties);
}

/**
 * An Acknowledgment or MessageError: passed on when it names a message we sent and comes from a
 * client that may speak for the party we sent it to. An error is never answered with an error
 * (no loops); an Acknowledgment we cannot take gets a MessageError.
 */
export async function receiveSignal(
  deps: InboundDependencies,
  parsed: ParsedMessage,
  log: Logger,
  sender: InboundSender,
): Promise<InboundAnswer> {
  const ref = parsed.acknowledgment?.refToMessageId ?? parsed.header.refToMessageId;
  const answered = await answeredMessage(deps, parsed, ref);
  const refuse = (errorCode: string, description: string): InboundAnswer =>
    parsed.kind === 'error'
      ? signalAccepted()
      : messageErrorAnswer(deps, parsed.header, [
          { errorCode, severity: 'Error', description, location: 'eb:Acknowledgment/eb:RefToMessageId' },
        ]);
  if (answered?.direction !== 'outbound') {
    log.warn(
      { audit: 'refused', refToMessageId: ref, kind: parsed.kind },
      'signal for a message we never sent',
    );
    return refuse(
      'ValueNotRecognized',
      `RefToMessageId ${ref ?? '(none)'} names no message sent by this MSH`,
    );
  }
  // Only a client allowed to speak for the party we sent it to may change its state.
  const sentTo = partySentTo(answered, deps.routes);
  if (!mayActFor(sender, sentTo)) {
    log.warn(
      { audit: 'refused', refToMessageId: ref, kind: parsed.kind, sentTo },
      'signal from a client not allowed to speak for the party the message was sent to',
    );
    return refuse(
      'SecurityFailure',
      `the client certificate may not acknowledge message ${ref}, which was sent to party ${sentTo ?? '(unknown)'}`,
    );
  }
  const signal: Signal = {
    kind: parsed.kind === 'acknowledgment' ? 'acknowledgment' : 'message-error',
    signalId: parsed.header.messageId,
    refToMessageId: answered.messageId,
    conversationId: parsed.header.conversationId,
    receivedAt: now(deps).toISOString(),
  };
  if (parsed.errors) signal.errors = parsed.errors;
  await publishSignal(deps, signal, parsed.header.action);
  log.info(
    {
      audit: 'received',
      kind: signal.kind,
      refToMessageId: ref,
      ...(ref !== answered.messageId ? { matchedByConversation: answered.messageId } : {}),
    },
    'inbound signal',
  );
  return signalAccepted();
}

/**
 * The message a signal answers. Spine has been seen to put the ConversationId, not our MessageId, in
 * a MessageError's RefToMessageId: such an error ends the one message of that conversation still
 * waiting for Spine's answer, and none when there are several (it cannot say which it means).
 */
async function answeredMessage(
  deps: InboundDependencies,
  parsed: ParsedMessage,
  ref: string | undefined,
): Promise<StoredMessage | undefined> {
  if (!ref) return undefined;
  const named = await deps.store.get(ref);
  if (named || parsed.kind !== 'error' || ref !== parsed.header.conversationId) return named;
  const conversation = await deps.store.search({
    conversationId: ref,
    direction: 'outbound',
    limit: CONVERSATION_SCAN,
  });
  const waiting = conversation.filter((message) => ANSWERABLE_STATES.includes(message.status));
  return waiting.length === 1 ? waiting[0] : undefined;
}

/** Messages of one conversation looked at for a MessageError that names the conversation: C&B's are a handful. */
const CONVERSATION_SCAN = 50;

/**
 * An HL7 application acknowledgement (MCCI_IN010000UK13): correlation ends the message it names,
 * only if that message went to a party the `sender` may speak for (it finds the message; we do not).
 */
export async function publishApplicationAck(
  deps: InboundDependencies,
  header: MessageHeader,
  applicationAck: ApplicationAcknowledgement,
  hl7: string,
  receivedAt: string,
  sender: InboundSender,
): Promise<void> {
  await publishSignal(
    deps,
    {
      kind: 'application-ack',
      signalId: header.messageId,
      refToMessageId: header.refToMessageId,
      conversationId: header.conversationId,
      receivedAt,
      applicationAck,
      hl7,
      senderParties: sender.parties,
    },
    header.action,
  );
}

/**
 * A business message answering `requestId`, which we sent: the request is complete, so correlation
 * moves it (and a caller waiting on POST wakes). The reply itself went to the PAS on mhs.inbound.
 */
export async function publishReply(
  deps: InboundDependencies,
  header: MessageHeader,
  requestId: string,
  receivedAt: string,
): Promise<void> {
  await publishSignal(
    deps,
    {
      kind: 'reply',
      signalId: header.messageId,
      refToMessageId: requestId,
      conversationId: header.conversationId,
      receivedAt,
      interactionId: header.action,
    },
    header.action,
  );
}
