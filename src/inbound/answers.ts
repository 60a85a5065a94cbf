// What the inbound endpoint answers on the connection: Acknowledgments (signed when asked),
// MessageErrors, SOAP faults, and the empty 202 a signal gets.
import { randomUUID } from 'node:crypto';
import {
  buildAcknowledgment,
  buildMessageError,
  buildSoapFault,
  type EbxmlError,
  type EbxmlFault,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  PARTY_TYPE,
  type ParsedMessage,
} from '../ebxml/index.js';
import { signedReferences, signOnThisThread } from '../security/xmldsig/index.js';
import { type InboundDependencies, now } from './dependencies.js';

/** The HTTP answer to one inbound POST. */
export interface InboundAnswer {
  status: number;
  contentType?: string;
  soapAction?: string;
  body: Buffer;
}

export function answer(status: number, message: HttpMessage): InboundAnswer {
  return { status, contentType: message.contentType, soapAction: message.soapAction, body: message.body };
}

/** Signals are never answered with a message: accepted, and nothing more. */
export function signalAccepted(): InboundAnswer {
  return { status: 202, body: Buffer.alloc(0) };
}

/** Our party, a fresh MessageId and the time: the header fields of anything this MSH sends back. */
export function ourHeader(deps: InboundDependencies) {
  return {
    ourParty: { id: deps.partyKey, type: PARTY_TYPE },
    messageId: randomUUID().toUpperCase(),
    timestamp: formatTimestamp(now(deps)),
  };
}

export function messageErrorAnswer(
  deps: InboundDependencies,
  received: Partial<MessageHeader> & { messageId: string },
  errors: EbxmlError[],
): InboundAnswer {
  return answer(200, buildMessageError(received, errors, ourHeader(deps)));
}

/** A message we could not read: a MessageError when its header was read, else a SOAP Client fault. */
export function faultAnswer(deps: InboundDependencies, fault: EbxmlFault): InboundAnswer {
  if (fault.headerParsed && fault.header?.messageId) {
    return messageErrorAnswer(deps, fault.header as Partial<MessageHeader> & { messageId: string }, [
      fault.error,
    ]);
  }
  deps.logger.warn(
    { errorCode: fault.error.errorCode, description: fault.error.description },
    'unparsable inbound message',
  );
  return {
    status: 400,
    contentType: 'text/xml; charset=UTF-8',
    body: Buffer.from(buildSoapFault('SOAP:Client', fault.error.description ?? fault.message)),
  };
}

/** A transient failure: 500 with a SOAP Server fault and no acknowledgment, so the sender retries. */
export function serverFault(error: unknown): InboundAnswer {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    contentType: 'text/xml; charset=UTF-8',
    body: Buffer.from(buildSoapFault('SOAP:Server', 'temporary failure; retry later', reason.split('\n')[0])),
  };
}

/** The Acknowledgment for an accepted message; signed, with the message's references, when asked (NRR). */
export async function acknowledgment(deps: InboundDependencies, parsed: ParsedMessage): Promise<HttpMessage> {
  const requested = parsed.reliability.ackRequested;
  const signed = requested?.signed === true && parsed.signaturePresent;
  const ack = buildAcknowledgment(
    parsed.header,
    requested?.actor,
    ourHeader(deps),
    signed ? signedReferences(parsed.envelopeXml) : [],
  );
  if (!requested?.signed) return ack;
  const sign = deps.sign ?? signOnThisThread;
  return { ...ack, body: Buffer.from(await sign(ack.body.toString('utf8'), [], deps.signingIdentity(), {})) };
}
