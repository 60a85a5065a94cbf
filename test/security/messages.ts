// Real inbound messages as e-RS sends them, built with our own ebXML, HL7 and C&B builders.
import { randomUUID } from 'node:crypto';
import { buildSlotPollPayload } from '../../src/cab/index.js';
import {
  ACTOR_NEXT_MSH,
  buildMessage,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  PARTY_TYPE,
  toHttpMessage,
} from '../../src/ebxml/index.js';
import { buildApplicationAcknowledgement, wrapPayload } from '../../src/hl7/index.js';
import type { RouteTable } from '../../src/routing/index.js';
import { type SigningIdentity, signEnvelope } from '../../src/security/xmldsig/index.js';

export const OUR_PARTY = 'RTX-821088';
export const SPINE_PARTY = 'YES-0000806';

export function slotPollHl7(messageId: string, now: Date): string {
  return wrapPayload(
    {
      interactionId: 'PRSC_IN080000UK07',
      messageId,
      creationTime: now,
      toAsid: '918999198738',
      fromAsid: '918999199246',
    },
    buildSlotPollPayload({
      requestId: randomUUID().toUpperCase(),
      clinicId: 'CLINIC-1',
      period: { start: now.toISOString(), end: new Date(now.getTime() + 86_400_000).toISOString() },
    }),
  );
}

export function applicationAckHl7(messageId: string, messageRef: string, now: Date): string {
  return buildApplicationAcknowledgement(
    { messageId, creationTime: now, toAsid: '918999198738', fromAsid: '918999199246' },
    { typeCode: 'AA', messageRef },
  );
}

export interface BusinessSpec {
  action: string;
  /** From party; Spine's by default. */
  from?: string;
  service?: string;
  cpaId?: string;
  messageId: string;
  conversationId: string;
  to: string;
  timeToLive?: string;
  hl7: (messageId: string) => string;
  attachments: { bytes: Buffer; base64: boolean }[];
  identity?: SigningIdentity | undefined;
  ackRequested?: boolean;
  ackSigned?: boolean;
  now: Date;
}

export function businessMessage(routes: RouteTable, spec: BusinessSpec): HttpMessage {
  const route = routes.has(spec.action) ? routes.resolve(spec.action) : undefined;
  const header: MessageHeader = {
    from: { id: spec.from ?? SPINE_PARTY, type: PARTY_TYPE },
    to: { id: spec.to, type: PARTY_TYPE },
    cpaId: spec.cpaId ?? route?.cpaId ?? 'S918999714114',
    conversationId: spec.conversationId,
    service: spec.service ?? route?.service ?? 'urn:nhs:names:services:ebs',
    action: spec.action,
    messageId: spec.messageId,
    timestamp: formatTimestamp(spec.now),
  };
  if (spec.timeToLive) header.timeToLive = spec.timeToLive;
  const built = buildMessage({
    header,
    reliability: {
      duplicateElimination: true,
      ackRequested:
        spec.ackRequested === false ? undefined : { actor: ACTOR_NEXT_MSH, signed: spec.ackSigned ?? false },
      syncReply: false,
    },
    payloadXml: spec.hl7(spec.messageId),
    attachments: spec.attachments.map((a, i) => ({
      contentId: `attachment-${i}@fuzz.example`,
      contentType: 'application/octet-stream',
      transferEncoding: a.base64 ? 'base64' : '8bit',
      content: a.bytes,
      description: `attachment ${i}`,
    })),
    externalAttachments: [],
  });
  const envelopeXml = spec.identity
    ? signEnvelope(built.envelopeXml, built.parts, spec.identity)
    : built.envelopeXml;
  return toHttpMessage({ envelopeXml, parts: built.parts }, header);
}

/** A slot poll (PRSC_IN080000UK07) to us, as e-RS sends it. */
export function slotPollMessage(
  routes: RouteTable,
  options: { identity?: SigningIdentity } = {},
): HttpMessage {
  const now = new Date();
  return businessMessage(routes, {
    action: 'PRSC_IN080000UK07',
    messageId: randomUUID().toUpperCase(),
    conversationId: randomUUID().toUpperCase(),
    to: OUR_PARTY,
    hl7: (id) => slotPollHl7(id, now),
    attachments: [],
    identity: options.identity,
    now,
  });
}
