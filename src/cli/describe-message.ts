// What `inspect` prints: a captured message decoded into the DESIGN.md contract (ebxml header
// fields, kind, errors, payload, attachments, signature). ebXML goes through the ebxml parser
// (so its faults are the gateway's own); envelopes without an ebXML header are sync SOAP or
// SOAP faults and are read here. No I/O: the caller supplies bytes and trust anchors.
import type { X509Certificate } from 'node:crypto';
import {
  EbxmlFault,
  type MessageKind,
  type MimePart,
  type ParsedEbxmlMessage,
  parseMessage,
  parseMime,
  parseSoapFault,
  parseTimestamp,
} from '../ebxml/index.js';
import { INTERACTION_ID } from '../hl7/index.js';
import { verifyEnvelope } from '../security/xmldsig/index.js';
import { element, elements, NS, text, withXml, type XmlElement, XmlInputError } from '../xml/index.js';
import type { Capture } from './capture.js';

export interface MessageDescription {
  ebxml: {
    messageId: string | null;
    conversationId: string | null;
    refToMessageId: string | null;
    cpaId: string | null;
    service: string | null;
    action: string | null;
    from: string | null;
    to: string | null;
    timestamp: string | null;
    duplicateElimination: boolean | null;
    /** `actor` as sent; null means no SOAP:actor (= toPartyMSH). */
    ackRequested: { actor: string | null; signed: boolean } | null;
    syncReply: boolean | null;
  };
  kind: MessageKind;
  errors: { code: string; severity: string | null; description: string | null }[];
  payload: { interactionId: string | null; contentType: string } | null;
  /** MIME attachments in wire order, then external (`mid:`) references in manifest order. */
  attachments: {
    contentId: string | null;
    contentType: string | null;
    size: number | null;
    description: string | null;
    href: string;
  }[];
  signature: { present: boolean; valid: boolean | null; reason?: string };
}

export interface VerifyWith {
  trusted: X509Certificate[];
  allowSha1: boolean;
  now?: Date;
}

const NO_EBXML: MessageDescription['ebxml'] = {
  messageId: null,
  conversationId: null,
  refToMessageId: null,
  cpaId: null,
  service: null,
  action: null,
  from: null,
  to: null,
  timestamp: null,
  duplicateElimination: null,
  ackRequested: null,
  syncReply: null,
};

/** Throws EbxmlFault (MIME or ebXML problems) exactly as the inbound endpoint would see them. */
export function describeMessage(capture: Capture, verify?: VerifyWith): MessageDescription {
  const plainSoap = describePlainSoap(capture);
  if (plainSoap) return plainSoap;
  const parsed = parseMessage(capture.contentType, capture.body, capture.soapAction);
  return describeEbxml(parsed, verify);
}

function describeEbxml(parsed: ParsedEbxmlMessage, verify?: VerifyWith): MessageDescription {
  const { header, reliability } = parsed;
  const ack = reliability.ackRequested;
  const attachments: MessageDescription['attachments'] = parsed.parts
    .filter((part) => part !== parsed.payload)
    .map((part) => ({
      contentId: part.contentId,
      contentType: part.contentType,
      size: part.content.length,
      description: describedBy(parsed, part) ?? null,
      href: `cid:${part.contentId}`,
    }));
  for (const reference of parsed.manifest) {
    if (/^\s*cid:/i.test(reference.href)) continue;
    attachments.push({
      contentId: null,
      contentType: null,
      size: null,
      description: reference.description ?? null,
      href: reference.href,
    });
  }
  return {
    ebxml: {
      messageId: header.messageId,
      conversationId: header.conversationId,
      refToMessageId: header.refToMessageId ?? null,
      cpaId: header.cpaId,
      service: header.service,
      action: header.action,
      from: header.from.id,
      to: header.to.id,
      timestamp: header.timestamp,
      duplicateElimination: reliability.duplicateElimination,
      ackRequested: ack ? { actor: ack.actor ?? null, signed: ack.signed } : null,
      syncReply: reliability.syncReply,
    },
    kind: parsed.kind,
    errors: (parsed.errors ?? []).map((error) => ({
      code: error.errorCode,
      severity: error.severity,
      description: error.description ?? null,
    })),
    payload: parsed.payload ? payloadOf(parsed.payload.content, parsed.payload.contentType) : null,
    attachments,
    signature: signatureOf(parsed, verify),
  };
}

function describedBy(parsed: ParsedEbxmlMessage, part: MimePart): string | undefined {
  const wanted = part.contentId.toLowerCase();
  return parsed.manifest.find((reference) => {
    const match = /^\s*cid:(.*?)\s*$/i.exec(reference.href);
    return match && safeDecode(match[1] ?? '').toLowerCase() === wanted;
  })?.description;
}

function signatureOf(parsed: ParsedEbxmlMessage, verify?: VerifyWith): MessageDescription['signature'] {
  if (!parsed.signaturePresent || !verify) return { present: parsed.signaturePresent, valid: null };
  const result = verifyEnvelope(parsed.envelopeXml, {
    trusted: verify.trusted,
    manifestHrefs: parsed.manifest.filter((r) => /^cid:/i.test(r.href)).map((r) => r.href),
    parts: new Map(parsed.parts.map((p) => [p.contentId, p.content])),
    at: parseTimestamp(parsed.header.timestamp),
    allowSha1: verify.allowSha1,
    now: verify.now,
  });
  if (!result.present) return { present: false, valid: null };
  return result.valid
    ? { present: true, valid: true }
    : { present: true, valid: false, reason: withHint(result.reason) };
}

/** What to do about the two refusals a user of `sign` meets first. */
function withHint(reason: string): string {
  if (/sha1 is not allowed/.test(reason))
    return `${reason} (--allow-sha1 accepts it, as a route with allowSha1 does)`;
  if (/not valid at the message time/.test(reason))
    return `${reason} (the message's eb:Timestamp; sign --restamp stamps a message with the time of signing)`;
  return reason;
}

/**
 * A SOAP envelope without eb:MessageHeader: a SOAP fault or a sync (WS-Addressing) message.
 * Undefined for anything else, including input that does not decode: parseMessage then
 * reports the problem in the gateway's own words.
 */
function describePlainSoap(capture: Capture): MessageDescription | undefined {
  let root: MimePart;
  try {
    root = parseMime(capture.contentType, capture.body).root;
  } catch (error) {
    if (error instanceof EbxmlFault) return undefined;
    throw error;
  }
  try {
    return withXml(root.content, (doc): MessageDescription | undefined => {
      const envelope = doc.root;
      if (envelope.namespaceUri !== NS.soap || envelope.name !== 'Envelope') return undefined;
      if (element(envelope, 'soap:Header/eb:MessageHeader')) return undefined;
      const signature = { present: element(envelope, 'soap:Header/ds:Signature') !== undefined, valid: null };
      if (element(envelope, 'soap:Body/soap:Fault')) {
        const errors = faultErrors(root.content);
        return { ebxml: NO_EBXML, kind: 'soap-fault', errors, payload: null, attachments: [], signature };
      }
      const first = elements(envelope, 'soap:Body/*')[0];
      const payload = first ? { interactionId: interactionIdIn(first), contentType: root.contentType } : null;
      return { ebxml: NO_EBXML, kind: 'soap', errors: [], payload, attachments: [], signature };
    });
  } catch (error) {
    if (error instanceof XmlInputError) return undefined;
    throw error;
  }
}

function faultErrors(xml: Buffer): MessageDescription['errors'] {
  const fault = parseSoapFault(xml);
  if (!fault) return [];
  if (fault.errors.length === 0)
    return [{ code: fault.faultcode, severity: null, description: fault.faultstring }];
  return fault.errors.map((error) => ({
    code: error.errorCode,
    severity: error.severity ?? null,
    description: error.description ?? null,
  }));
}

function payloadOf(content: Buffer, contentType: string): MessageDescription['payload'] {
  let interactionId: string | null = null;
  try {
    interactionId = withXml(content, (doc) => interactionIdIn(doc.root));
  } catch (error) {
    // Not XML: the payload is still reported, without an interaction.
    if (!(error instanceof XmlInputError)) throw error;
  }
  return { interactionId, contentType };
}

/** The HL7 interaction: interactionId/@extension, else an NPfIT root name; looks below wrappers. */
function interactionIdIn(el: XmlElement): string | null {
  const own = el.namespaceUri === NS.hl7 ? interactionOf(el) : undefined;
  if (own) return own;
  const inner = element(el, './/hl7:*[hl7:interactionId]');
  return (inner && interactionOf(inner)) ?? null;
}

function interactionOf(hl7: XmlElement): string | undefined {
  const declared = text(hl7, 'hl7:interactionId/@extension');
  if (declared) return declared;
  return INTERACTION_ID.test(hl7.name) ? hl7.name : undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
