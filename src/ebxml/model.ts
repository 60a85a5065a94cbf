// The ebMS 2.0 message model as Spine uses it. Pure data: builders and parsers in this folder
// turn it into bytes and back; nothing here does I/O or reads the clock.

export const MSH_SERVICE = 'urn:oasis:names:tc:ebxml-msg:service';
export const ACTOR_NEXT_MSH = 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH';
export const ACTOR_TO_PARTY_MSH = 'urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH';
export const ACTOR_SOAP_NEXT = 'http://schemas.xmlsoap.org/soap/actor/next';
export const PARTY_TYPE = 'urn:nhs:names:partyType:ocs+serviceInstance';
export const ERROR_CODE_CONTEXT = 'urn:oasis:names:tc:ebxml-msg:service:errors';
export const EBXML_HEADER_CONTENT_ID = 'ebXMLHeader@spine.nhs.uk';
export const DEFAULT_BOUNDARY = '--=_MIME-Boundary';

export interface PartyId {
  id: string;
  /** `eb:type`; Spine's is PARTY_TYPE. */
  type?: string;
}

export interface MessageHeader {
  from: PartyId;
  to: PartyId;
  cpaId: string;
  conversationId: string;
  service: string;
  action: string;
  messageId: string;
  /** xsd:dateTime as sent, e.g. `2026-01-05T10:00:00Z`. */
  timestamp: string;
  refToMessageId?: string;
  timeToLive?: string;
}

/** The reliability elements of the SOAP header. */
export interface ReliabilityFlags {
  duplicateElimination: boolean;
  /** Present when `eb:AckRequested` is; actor undefined means toPartyMSH. */
  ackRequested?: { actor?: string; signed: boolean };
  syncReply: boolean;
}

export type EbxmlErrorCode =
  | 'ValueNotRecognized'
  | 'NotSupported'
  | 'Inconsistent'
  | 'OtherXml'
  | 'DeliveryFailure'
  | 'TimeToLiveExpired'
  | 'SecurityFailure'
  | 'MimeProblem'
  | 'Unknown';

export interface EbxmlError {
  errorCode: EbxmlErrorCode | string;
  severity: 'Error' | 'Warning';
  /** Description text as received or to send (Spine's numeric prefix included, e.g. `501314:…`). */
  description?: string;
  /** Spine's six-digit prefix parsed out of the description, when there is one. */
  spineCode?: string;
  location?: string;
  codeContext?: string;
}

/** A MIME part after Content-Transfer-Encoding has been undone. */
export interface MimePart {
  /** Without angle brackets, e.g. `7A1C…@spine.nhs.uk`. */
  contentId: string;
  contentType: string;
  transferEncoding: string;
  /** Decoded bytes: what a `cid:` signature reference digests. */
  content: Buffer;
}

export interface Attachment {
  contentId: string;
  contentType: string;
  content: Buffer;
  /** How the part is framed on the wire. */
  transferEncoding: 'base64' | '8bit';
  description: string;
  /** Optional `eb:id`; must be an NCName. */
  documentId?: string;
}

export interface ExternalAttachment {
  /** MessageId of the message that carries it (`mid:` reference). */
  messageId: string;
  description: string;
  documentId?: string;
}

export interface ManifestReference {
  /** `cid:…` or `mid:…` exactly as in `xlink:href`. */
  href: string;
  description?: string;
  documentId?: string;
  /** True for the `hl7ebxml:Payload` reference. */
  hl7Payload: boolean;
}

/** Everything needed to build one outbound ebXML business message. */
export interface OutboundMessage {
  header: MessageHeader;
  reliability: ReliabilityFlags;
  /** The HL7 V3 payload (XML text); its part's Content-ID is `{messageId}@spine.nhs.uk`. */
  payloadXml: string;
  attachments: Attachment[];
  externalAttachments: ExternalAttachment[];
}

/** An envelope plus the non-root parts, ready to sign and frame. */
export interface BuiltMessage {
  envelopeXml: string;
  parts: MimePart[];
}

/** What goes on the wire for one HTTP POST. */
export interface HttpMessage {
  contentType: string;
  soapAction: string;
  body: Buffer;
}

export type MessageKind = 'message' | 'acknowledgment' | 'error' | 'soap' | 'soap-fault';

export interface ParsedAcknowledgment {
  refToMessageId: string;
  timestamp?: string;
  actor?: string;
  from?: PartyId;
}

/** An inbound ebXML message after MIME and SOAP parsing (not yet validated against routes). */
export interface ParsedMessage {
  kind: MessageKind;
  header: MessageHeader;
  reliability: ReliabilityFlags;
  /** The root (SOAP envelope) part as text, exactly as received. */
  envelopeXml: string;
  manifest: ManifestReference[];
  /** Non-root parts in wire order. */
  parts: MimePart[];
  /** The part the manifest marks as the HL7 payload or, when none is marked, the part that is HL7 XML. */
  payload?: MimePart;
  acknowledgment?: ParsedAcknowledgment;
  errors?: EbxmlError[];
  signaturePresent: boolean;
  /** Content-Type, SOAPAction and other HTTP headers as received, lower-cased names. */
  soapAction?: string;
}
