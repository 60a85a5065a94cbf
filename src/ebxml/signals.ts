// MSH signals: eb:Acknowledgment and MessageError (eb:ErrorList). Both are single-part text/xml
// envelopes with an empty Body, stamped with a new id and the time now (given by the caller).
import { envelopeStart, indent, messageHeaderLines, partyIdXml, XML_DECLARATION } from './header-xml.js';
import type { EbxmlError, HttpMessage, MessageHeader, PartyId } from './model.js';
import { ACTOR_TO_PARTY_MSH, ERROR_CODE_CONTEXT, MSH_SERVICE } from './model.js';
import { xmlAttr, xmlSafeText, xmlText } from './values.js';

export interface SignalContext {
  ourParty: PartyId;
  messageId: string;
  timestamp: string;
}

const SIGNAL_CONTENT_TYPE = 'text/xml; charset=UTF-8';

/** Spine's own texts for the two MessageErrors we raise. */
export const SPINE_ERRORS: { readonly toPartyNotUs: EbxmlError; readonly unknownCpaId: EbxmlError } =
  Object.freeze({
    toPartyNotUs: Object.freeze({
      errorCode: 'ValueNotRecognized',
      severity: 'Error',
      codeContext: ERROR_CODE_CONTEXT,
      spineCode: '501314',
      description: '501314:Invalid To Party Type attribute',
      location: 'eb:To/eb:PartyId',
    }),
    unknownCpaId: Object.freeze({
      errorCode: 'ValueNotRecognized',
      severity: 'Error',
      codeContext: ERROR_CODE_CONTEXT,
      spineCode: '501319',
      description: '501319:Unknown eb:CPAId',
      location: 'eb:CPAId',
    }),
  });

/**
 * @param signedReferences for a signed acknowledgment (non-repudiation of receipt): the received
 *   message's `ds:Reference` elements, each a standalone XML fragment, copied into eb:Acknowledgment.
 */
export function buildAcknowledgment(
  received: MessageHeader,
  actor: string | undefined,
  context: SignalContext,
  signedReferences: string[] = [],
): HttpMessage {
  const header = signalHeader(received, 'Acknowledgment', context);
  const ack = [
    `<eb:Acknowledgment SOAP:mustUnderstand="1" eb:version="2.0" SOAP:actor="${xmlAttr(actor ?? ACTOR_TO_PARTY_MSH)}">`,
    `  <eb:Timestamp>${xmlText(context.timestamp)}</eb:Timestamp>`,
    `  <eb:RefToMessageId>${xmlText(received.messageId)}</eb:RefToMessageId>`,
    '  <eb:From>',
    `    ${partyIdXml(context.ourParty)}`,
    '  </eb:From>',
    ...signedReferences.map((reference) => `  ${reference}`),
    '</eb:Acknowledgment>',
  ];
  return signalMessage(header, ack);
}

/**
 * MessageError for a received message. From and MessageId must be known to address it; a
 * CPAId or ConversationId the sender left out is sent back empty (we cannot know it).
 */
export function buildMessageError(
  received: Partial<MessageHeader> & { messageId: string },
  errors: EbxmlError[],
  context: SignalContext,
): HttpMessage {
  if (errors.length === 0) throw new RangeError('a MessageError needs at least one error');
  const header = signalHeader(received, 'MessageError', context);
  const highest = errors.some((e) => e.severity === 'Error') ? 'Error' : 'Warning';
  const list = [`<eb:ErrorList SOAP:mustUnderstand="1" eb:version="2.0" eb:highestSeverity="${highest}">`];
  for (const error of errors) {
    const location =
      error.location === undefined ? '' : ` eb:location="${xmlAttr(xmlSafeText(error.location))}"`;
    const open =
      `  <eb:Error eb:codeContext="${xmlAttr(error.codeContext ?? ERROR_CODE_CONTEXT)}"` +
      ` eb:errorCode="${xmlAttr(error.errorCode)}" eb:severity="${xmlAttr(error.severity)}"${location}`;
    if (error.description === undefined) {
      list.push(`${open}/>`);
    } else {
      list.push(
        `${open}>`,
        `    <eb:Description xml:lang="en-GB">${xmlText(xmlSafeText(error.description))}</eb:Description>`,
        '  </eb:Error>',
      );
    }
  }
  list.push('</eb:ErrorList>');
  return signalMessage(header, list);
}

function signalHeader(
  received: Partial<MessageHeader> & { messageId: string },
  action: 'Acknowledgment' | 'MessageError' | 'Pong' | 'StatusResponse',
  context: SignalContext,
): MessageHeader {
  if (!received.from?.id) {
    throw new RangeError(`cannot address an ${action}: the received From party is unknown`);
  }
  if (!received.messageId) {
    throw new RangeError(`cannot address an ${action}: the received MessageId is unknown`);
  }
  return {
    from: context.ourParty,
    to: received.from,
    cpaId: received.cpaId ?? '',
    conversationId: received.conversationId ?? '',
    service: MSH_SERVICE,
    action,
    messageId: context.messageId,
    timestamp: context.timestamp,
    refToMessageId: received.messageId,
  };
}

function signalMessage(header: MessageHeader, headerExtension: string[], body: string[] = []): HttpMessage {
  const lines = [
    XML_DECLARATION,
    envelopeStart(false),
    indent(1, '<SOAP:Header>'),
    ...messageHeaderLines(header, false, 2),
    ...headerExtension.map((line) => indent(2, line)),
    indent(1, '</SOAP:Header>'),
    ...(body.length === 0
      ? [indent(1, '<SOAP:Body/>')]
      : [indent(1, '<SOAP:Body>'), ...body.map((line) => indent(2, line)), indent(1, '</SOAP:Body>')]),
    '</SOAP:Envelope>',
  ];
  return {
    contentType: SIGNAL_CONTENT_TYPE,
    soapAction: `${MSH_SERVICE}/${header.action}`,
    body: Buffer.from(lines.join('\n'), 'utf8'),
  };
}

/** ebMS 2.0 message status values (spec §7.1.2). */
export type MessageStatus = 'UnAuthorized' | 'NotRecognized' | 'Received' | 'Processed' | 'Forwarded';

/** Pong: the answer to a Ping, addressed back to its sender (ebMS 2.0 §8). */
export function buildPong(received: MessageHeader, context: SignalContext): HttpMessage {
  return signalMessage(signalHeader(received, 'Pong', context), []);
}

/**
 * StatusResponse: the status of the message a StatusRequest names, with the time it was received
 * when we know it (ebMS 2.0 §7.1.2; the element is in the SOAP Body).
 */
export function buildStatusResponse(
  received: MessageHeader,
  status: { refToMessageId: string; messageStatus: MessageStatus; timestamp?: string },
  context: SignalContext,
): HttpMessage {
  const body = [
    `<eb:StatusResponse eb:version="2.0" eb:messageStatus="${xmlAttr(status.messageStatus)}">`,
    `  <eb:RefToMessageId>${xmlText(status.refToMessageId)}</eb:RefToMessageId>`,
    ...(status.timestamp ? [`  <eb:Timestamp>${xmlText(status.timestamp)}</eb:Timestamp>`] : []),
    '</eb:StatusResponse>',
  ];
  return signalMessage(signalHeader(received, 'StatusResponse', context), [], body);
}

/** Ping or StatusRequest, for a peer that supports them (the simulator uses them in tests). */
export function buildMshRequest(header: MessageHeader, statusOf?: string): HttpMessage {
  const body = statusOf
    ? [
        '<eb:StatusRequest eb:version="2.0">',
        `  <eb:RefToMessageId>${xmlText(statusOf)}</eb:RefToMessageId>`,
        '</eb:StatusRequest>',
      ]
    : [];
  return signalMessage(
    { ...header, service: MSH_SERVICE, action: statusOf ? 'StatusRequest' : 'Ping' },
    [],
    body,
  );
}
