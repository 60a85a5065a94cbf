import { buildSlotPollPayload, type SlotPoll } from '../cab/index.js';
import {
  type BuiltMessage,
  buildAcknowledgment,
  buildMessage,
  buildSyncResponse,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  PARTY_TYPE,
  type SyncMessage,
  toHttpMessage,
} from '../ebxml/index.js';
import {
  APPLICATION_ACKNOWLEDGEMENT,
  buildApplicationAcknowledgement,
  ERS_REQUEST,
  wrapPayload,
} from '../hl7/index.js';
import { type RouteTable, reliabilityFlags } from '../routing/index.js';
import { type SigningIdentity, signEnvelope } from '../security/xmldsig/index.js';
import { escapeXml } from '../xml/index.js';

/** Who the simulator is (e-RS behind Spine) and whom it talks to. */
export interface SimulatorParties {
  partyKey: string;
  asid: string;
  gatewayPartyKey: string;
  gatewayAsid: string;
}

export interface BuildContext {
  parties: SimulatorParties;
  routes: RouteTable;
  identity?: SigningIdentity;
  now: Date;
  newId: () => string;
}

/** An e-RS business message to the gateway, wrapped, enveloped and (optionally) signed. */
export function ersMessage(
  context: BuildContext,
  interactionId: string,
  hl7: string,
  ids: ErsMessageIds,
): HttpMessage {
  const { header, built } = ersEnvelope(context, interactionId, hl7, ids);
  return signAndFrame(context, header, built);
}

export interface ErsMessageIds {
  messageId: string;
  conversationId: string;
  refToMessageId?: string;
  toPartyKey?: string;
}

/** The envelope and parts of an e-RS business message, before signing and framing. */
export function ersEnvelope(
  context: BuildContext,
  interactionId: string,
  hl7: string,
  ids: ErsMessageIds,
): { header: MessageHeader; built: BuiltMessage } {
  const route = context.routes.resolve(interactionId);
  const header: MessageHeader = {
    from: { id: context.parties.partyKey, type: PARTY_TYPE },
    to: { id: ids.toPartyKey ?? context.parties.gatewayPartyKey, type: PARTY_TYPE },
    cpaId: route.cpaId,
    conversationId: ids.conversationId,
    service: route.service,
    action: interactionId,
    messageId: ids.messageId,
    timestamp: formatTimestamp(context.now),
  };
  if (ids.refToMessageId) header.refToMessageId = ids.refToMessageId;
  const built = buildMessage({
    header,
    reliability: reliabilityFlags(route),
    payloadXml: hl7,
    attachments: [],
    externalAttachments: [],
  });
  return { header, built };
}

/** Signs a built message when the simulator signs, and frames it (SOAPAction from `header`). */
export function signAndFrame(context: BuildContext, header: MessageHeader, built: BuiltMessage): HttpMessage {
  const envelopeXml = context.identity
    ? signEnvelope(built.envelopeXml, built.parts, context.identity)
    : built.envelopeXml;
  return toHttpMessage({ envelopeXml, parts: built.parts }, header);
}

export function slotPollMessage(
  context: BuildContext,
  poll: SlotPoll,
  ids: { messageId: string; conversationId: string; toPartyKey?: string },
): HttpMessage {
  const hl7 = wrapPayload(
    {
      interactionId: ERS_REQUEST.availableSlots,
      messageId: ids.messageId,
      creationTime: context.now,
      toAsid: context.parties.gatewayAsid,
      fromAsid: context.parties.asid,
    },
    buildSlotPollPayload(poll),
  );
  return ersMessage(context, ERS_REQUEST.availableSlots, hl7, ids);
}

export function applicationAckMessage(
  context: BuildContext,
  answered: { messageId: string; hl7MessageId: string; conversationId: string },
  typeCode: 'AA' | 'AE' | 'AR',
  why?: string,
): HttpMessage {
  const messageId = context.newId();
  return ersMessage(
    context,
    APPLICATION_ACKNOWLEDGEMENT,
    applicationAckHl7(context, messageId, answered.hl7MessageId, typeCode, why),
    {
      messageId,
      conversationId: answered.conversationId,
      refToMessageId: answered.messageId,
    },
  );
}

/** e-RS's MCCI_IN010000UK13 answering the HL7 message `messageRef`. */
export function applicationAckHl7(
  context: BuildContext,
  messageId: string,
  messageRef: string,
  typeCode: 'AA' | 'AE' | 'AR',
  why?: string,
): string {
  // e-RS's real code lists (AcknowledgementExceptionCode, EBSResponseCodes) are not public: these
  // codes are the simulator's own, and the words say what went wrong.
  const details =
    typeCode === 'AR'
      ? [{ typeCode: 'ER' as const, code: '9001', displayName: why ?? 'Message rejected by e-RS' }]
      : undefined;
  const reasons =
    typeCode === 'AE'
      ? [{ code: '5001', displayName: why ?? 'Slot no longer available', qualifier: 'ER' as const }]
      : undefined;
  return buildApplicationAcknowledgement(
    {
      messageId,
      creationTime: context.now,
      toAsid: context.parties.gatewayAsid,
      fromAsid: context.parties.asid,
    },
    { typeCode, messageRef, ...(details ? { details } : {}) },
    reasons,
  );
}

/** An e-RS request (booking or cancellation) in wrapper S. */
export function ersRequestMessage(
  context: BuildContext,
  interactionId: typeof ERS_REQUEST.appointmentConfirmation | typeof ERS_REQUEST.appointmentCancellation,
  payloadXml: string,
  ids: { messageId: string; conversationId: string },
): HttpMessage {
  const hl7 = wrapPayload(
    {
      interactionId,
      messageId: ids.messageId,
      creationTime: context.now,
      toAsid: context.parties.gatewayAsid,
      fromAsid: context.parties.asid,
    },
    payloadXml,
  );
  return ersMessage(context, interactionId, hl7, ids);
}

export function acknowledgmentFor(
  context: BuildContext,
  received: MessageHeader,
  actor: string | undefined,
): HttpMessage {
  return acknowledgmentWithId(context, received, actor, context.newId());
}

/** Spine's Acknowledgment of `received`, with this MessageId. */
export function acknowledgmentWithId(
  context: BuildContext,
  received: MessageHeader,
  actor: string | undefined,
  messageId: string,
): HttpMessage {
  return buildAcknowledgment(received, actor, {
    ourParty: { id: context.parties.partyKey, type: PARTY_TYPE },
    messageId,
    timestamp: formatTimestamp(context.now),
  });
}

/** Spine's TMS rejection: HTTP 500, SOAP fault, nasp:errorList with one error per code. */
export function spineSoapFault(codes: string[]): HttpMessage {
  const errors = codes
    .map(
      (code) =>
        `<nasp:error><nasp:codeContext>urn:nhs:names:error:tms</nasp:codeContext><nasp:errorCode>${escapeXml(code)}</nasp:errorCode><nasp:severity>Error</nasp:severity><nasp:location>Not Supported</nasp:location><nasp:description>${code === '200' ? 'System failure to process message - default' : 'Simulated fault'}</nasp:description></nasp:error>`,
    )
    .join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:nasp="http://national.carerecords.nhs.uk/schema/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>Application Exception</faultstring><detail><nasp:errorList>${errors}</nasp:errorList></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
  return { contentType: 'text/xml; charset=UTF-8', soapAction: '', body: Buffer.from(xml) };
}

/** A sync answer as Spine gives it: the HL7 response inside a service wrapper, RelatesTo our request. */
export function syncResponse(context: BuildContext, request: SyncMessage): HttpMessage {
  const messageId = context.newId();
  const responseId = (request.hl7Root ?? 'QUPA_IN040000UK32').replace(
    /^(\w{4}_IN)\d{2}/,
    (_, p: string) => `${p}05`,
  );
  const hl7 = wrapPayload(
    {
      interactionId: responseId,
      messageId,
      creationTime: context.now,
      toAsid: request.fromAsid ?? '',
      fromAsid: request.toAsid ?? '',
    },
    undefined,
  );
  return buildSyncResponse({
    messageId,
    relatesTo: request.messageId ?? '',
    action: `urn:nhs:names:services:pdsquery/${responseId}`,
    service: 'urn:nhs:names:services:pdsquery',
    toAsid: request.fromAsid ?? '',
    fromAsid: request.toAsid ?? '',
    wrapper: 'retrievalQueryResponse',
    payloadXml: hl7,
  });
}
