// Inbound ebXML message: MIME, then the SOAP envelope read by namespace URI (any prefix), then
// the checks that make a message unusable. Tolerant of every variant Spine sends (§12),
// strict about what is actually wrong; route-dependent checks (To party, CPA) live elsewhere.
import {
  attribute,
  element,
  elements,
  NS,
  parseXml,
  text,
  type XmlDocument,
  type XmlElement,
  XmlInputError,
} from '../xml/index.js';
import { EbxmlFault, fault } from './fault.js';
import { URI_SCHEME } from './header-xml.js';
import { DEFAULT_MAX_BYTES, decodePart, type EncodedPart, type MimeLimits, splitMime } from './mime-parse.js';
import type {
  EbxmlError,
  ManifestReference,
  MessageHeader,
  MessageKind,
  MimePart,
  ParsedAcknowledgment,
  ParsedMessage,
  PartyId,
  ReliabilityFlags,
} from './model.js';
import { ERROR_CODE_CONTEXT } from './model.js';
import { parseTimestamp } from './timestamp.js';
import { contentIdOfHref } from './values.js';

/** A parsed message plus what was odd but acceptable (unreferenced parts, SOAPAction mismatch). */
export type ParsedEbxmlMessage = ParsedMessage & { warnings: string[] };

const SPINE_CODE = /^\s*(\d+)\s*:\s*(.*)$/s;

export function parseMessage(
  contentType: string | undefined,
  body: Buffer,
  soapAction?: string,
  limits?: MimeLimits,
): ParsedEbxmlMessage {
  const split = splitMime(contentType, body, limits);
  const root = decodePart(split.root);
  let doc: XmlDocument;
  try {
    doc = parseXml(root.content, { maxBytes: limits?.maxBytes ?? DEFAULT_MAX_BYTES });
  } catch (error) {
    if (error instanceof XmlInputError) throw fault('OtherXml', `ebXML header part: ${error.message}`);
    throw error;
  }
  try {
    return readEnvelope(doc.root, root, split.parts, soapAction);
  } finally {
    doc.dispose();
  }
}

function readEnvelope(
  envelope: XmlElement,
  root: MimePart,
  encodedParts: EncodedPart[],
  soapAction?: string,
): ParsedEbxmlMessage {
  if (envelope.name !== 'Envelope' || envelope.namespaceUri !== NS.soap) {
    throw fault('OtherXml', 'root element is not a SOAP 1.1 Envelope', 'SOAP:Envelope');
  }
  const messageHeader = element(envelope, 'soap:Header/eb:MessageHeader');
  if (!messageHeader) throw fault('OtherXml', 'SOAP Header has no eb:MessageHeader', 'eb:MessageHeader');
  const header = readHeader(messageHeader);
  const soapHeader = messageHeader.parent as XmlElement;
  const parts = encodedParts.map((part) => decodeWithHeader(part, header));

  const reliability = readReliability(soapHeader, messageHeader, header);
  checkExtensionVersions(envelope, header);
  const acknowledgment = readAcknowledgment(soapHeader, header);
  const errorList = readErrorList(soapHeader, header);
  const manifest = readManifest(envelope, header);
  const warnings: string[] = [];
  const payload = resolveManifest(manifest, parts, header, warnings);
  checkSoapAction(soapAction, header, warnings);

  const parsed: ParsedEbxmlMessage = {
    kind: kindOf(acknowledgment, errorList),
    header,
    reliability,
    envelopeXml: root.content.toString('utf8'),
    manifest,
    parts,
    signaturePresent: element(soapHeader, 'ds:Signature') !== undefined,
    warnings,
  };
  if (payload) parsed.payload = payload;
  if (acknowledgment) parsed.acknowledgment = acknowledgment;
  if (errorList) parsed.errors = errorList.errors;
  if (soapAction !== undefined) parsed.soapAction = soapAction;
  return parsed;
}

/** A part that cannot be decoded is a MimeProblem the sender can be told about. */
function decodeWithHeader(part: EncodedPart, header: MessageHeader): MimePart {
  try {
    return decodePart(part);
  } catch (error) {
    if (error instanceof EbxmlFault) throw new EbxmlFault({ ...error.error, location: `cid:${part.contentId}` }, header);
    throw error;
  }
}

const REQUIRED_HEADER: [keyof MessageHeader, string][] = [
  ['from', 'eb:From/eb:PartyId'],
  ['to', 'eb:To/eb:PartyId'],
  ['cpaId', 'eb:CPAId'],
  ['conversationId', 'eb:ConversationId'],
  ['service', 'eb:Service'],
  ['action', 'eb:Action'],
  ['messageId', 'eb:MessageData/eb:MessageId'],
  ['timestamp', 'eb:MessageData/eb:Timestamp'],
];

function readHeader(messageHeader: XmlElement): MessageHeader {
  const partial: Partial<MessageHeader> = {};
  const from = readParty(messageHeader, 'eb:From');
  const to = readParty(messageHeader, 'eb:To');
  if (from) partial.from = from;
  if (to) partial.to = to;
  const texts: [keyof MessageHeader, string][] = [
    ['cpaId', 'eb:CPAId'],
    ['conversationId', 'eb:ConversationId'],
    ['service', 'eb:Service'],
    ['action', 'eb:Action'],
    ['messageId', 'eb:MessageData/eb:MessageId'],
    ['timestamp', 'eb:MessageData/eb:Timestamp'],
    ['refToMessageId', 'eb:MessageData/eb:RefToMessageId'],
    ['timeToLive', 'eb:MessageData/eb:TimeToLive'],
  ];
  for (const [key, xpath] of texts) {
    const value = text(messageHeader, xpath);
    if (value) (partial as Record<string, string>)[key] = value;
  }

  const version = attribute(messageHeader, 'version', NS.eb);
  if (version === undefined) {
    throw fault('OtherXml', 'eb:MessageHeader has no eb:version', 'eb:MessageHeader/@eb:version', partial);
  }
  if (version.trim() !== '2.0') {
    throw fault('Inconsistent', `eb:version is ${version}, not 2.0`, 'eb:MessageHeader/@eb:version', partial);
  }
  for (const [key, location] of REQUIRED_HEADER) {
    if (partial[key] === undefined) throw fault('OtherXml', `${location} is missing or empty`, location, partial);
  }
  const header = partial as MessageHeader;
  for (const [party, location] of [
    [header.from, 'eb:From/eb:PartyId'],
    [header.to, 'eb:To/eb:PartyId'],
  ] as const) {
    if (party.type === undefined && !URI_SCHEME.test(party.id)) {
      throw fault('ValueNotRecognized', `PartyId ${party.id} has no eb:type and is not a URI`, location, header);
    }
  }
  for (const [value, location] of [
    [header.timestamp, 'eb:MessageData/eb:Timestamp'],
    [header.timeToLive, 'eb:MessageData/eb:TimeToLive'],
  ] as const) {
    if (value !== undefined && !parseTimestamp(value)) {
      throw fault('OtherXml', `${value} is not an xsd:dateTime`, location, header);
    }
  }
  return header;
}

/** The first PartyId of eb:From / eb:To (Spine sends one; Role is ignored). */
function readParty(context: XmlElement, xpath: string): PartyId | undefined {
  const partyId = element(context, `${xpath}/eb:PartyId`);
  const id = partyId?.content.trim();
  if (!partyId || !id) return undefined;
  const type = attribute(partyId, 'type', NS.eb);
  return type === undefined ? { id } : { id, type };
}

function readReliability(soapHeader: XmlElement, messageHeader: XmlElement, header: MessageHeader): ReliabilityFlags {
  const syncReply = element(soapHeader, 'eb:SyncReply') !== undefined;
  if (element(soapHeader, 'eb:MessageOrder')) {
    if (syncReply) throw fault('Inconsistent', 'eb:MessageOrder must not be combined with eb:SyncReply', 'eb:MessageOrder', header);
    throw fault('NotSupported', 'eb:MessageOrder is not supported', 'eb:MessageOrder', header);
  }
  const flags: ReliabilityFlags = {
    duplicateElimination: element(messageHeader, 'eb:DuplicateElimination') !== undefined,
    syncReply,
  };
  const ackRequested = element(soapHeader, 'eb:AckRequested');
  if (ackRequested) {
    const actor = attribute(ackRequested, 'actor', NS.soap)?.trim();
    const signed = attribute(ackRequested, 'signed', NS.eb)?.trim();
    flags.ackRequested = { signed: signed === 'true' || signed === '1' };
    if (actor) flags.ackRequested.actor = actor;
  }
  return flags;
}

/** Every ebXML extension element that states a version must state 2.0. */
function checkExtensionVersions(envelope: XmlElement, header: MessageHeader): void {
  const extensions = elements(
    envelope,
    'soap:Header/eb:AckRequested | soap:Header/eb:SyncReply | soap:Header/eb:Acknowledgment | soap:Header/eb:ErrorList | soap:Body/eb:Manifest',
  );
  for (const extension of extensions) {
    const version = attribute(extension, 'version', NS.eb);
    if (version !== undefined && version.trim() !== '2.0') {
      throw fault('Inconsistent', `eb:version is ${version}, not 2.0`, `eb:${extension.name}/@eb:version`, header);
    }
  }
}

function readAcknowledgment(soapHeader: XmlElement, header: MessageHeader): ParsedAcknowledgment | undefined {
  const ack = element(soapHeader, 'eb:Acknowledgment');
  if (!ack) return undefined;
  const refToMessageId = text(ack, 'eb:RefToMessageId');
  if (!refToMessageId) {
    throw fault('OtherXml', 'eb:Acknowledgment has no eb:RefToMessageId', 'eb:Acknowledgment/eb:RefToMessageId', header);
  }
  const parsed: ParsedAcknowledgment = { refToMessageId };
  const timestamp = text(ack, 'eb:Timestamp');
  const actor = attribute(ack, 'actor', NS.soap)?.trim();
  const from = readParty(ack, 'eb:From');
  if (timestamp) parsed.timestamp = timestamp;
  if (actor) parsed.actor = actor;
  if (from) parsed.from = from;
  return parsed;
}

interface ErrorList {
  highestSeverity?: string;
  errors: EbxmlError[];
}

function readErrorList(soapHeader: XmlElement, header: MessageHeader): ErrorList | undefined {
  const list = element(soapHeader, 'eb:ErrorList');
  if (!list) return undefined;
  const errors = elements(list, 'eb:Error').map((error) => readError(error, header));
  if (errors.length === 0) throw fault('OtherXml', 'eb:ErrorList has no eb:Error', 'eb:ErrorList', header);
  const highestSeverity = attribute(list, 'highestSeverity', NS.eb)?.trim();
  return highestSeverity ? { highestSeverity, errors } : { errors };
}

function readError(error: XmlElement, header: MessageHeader): EbxmlError {
  const errorCode = attribute(error, 'errorCode', NS.eb)?.trim();
  if (!errorCode) throw fault('OtherXml', 'eb:Error has no eb:errorCode', 'eb:Error/@eb:errorCode', header);
  // The schema's default severity is Warning; kindOf() also honours eb:highestSeverity.
  const severity = attribute(error, 'severity', NS.eb)?.trim() === 'Error' ? 'Error' : 'Warning';
  const parsed: EbxmlError = {
    errorCode,
    severity,
    codeContext: attribute(error, 'codeContext', NS.eb)?.trim() || ERROR_CODE_CONTEXT,
  };
  const location = attribute(error, 'location', NS.eb);
  const description = element(error, 'eb:Description')?.content;
  if (location !== undefined) parsed.location = location;
  if (description !== undefined) {
    parsed.description = description;
    const spineCode = SPINE_CODE.exec(description)?.[1];
    if (spineCode) parsed.spineCode = spineCode;
  }
  return parsed;
}

function kindOf(acknowledgment: ParsedAcknowledgment | undefined, errorList: ErrorList | undefined): MessageKind {
  const failed =
    errorList && (errorList.highestSeverity === 'Error' || errorList.errors.some((e) => e.severity === 'Error'));
  if (failed) return 'error';
  if (acknowledgment) return 'acknowledgment';
  return errorList ? 'error' : 'message';
}

function readManifest(envelope: XmlElement, header: MessageHeader): ManifestReference[] {
  return elements(envelope, 'soap:Body/eb:Manifest/eb:Reference').map((reference) => {
    const href = attribute(reference, 'href', NS.xlink)?.trim();
    if (!href) throw fault('OtherXml', 'eb:Reference has no xlink:href', 'eb:Reference/@xlink:href', header);
    const parsed: ManifestReference = {
      href,
      hl7Payload: element(reference, 'hl7ebxml:Payload') !== undefined,
    };
    const description = element(reference, 'eb:Description')?.content;
    const documentId = attribute(reference, 'id', NS.eb);
    if (description !== undefined) parsed.description = description;
    if (documentId !== undefined) parsed.documentId = documentId;
    return parsed;
  });
}

/** Every cid: reference must name a part; returns the HL7 payload part. */
function resolveManifest(
  manifest: ManifestReference[],
  parts: MimePart[],
  header: MessageHeader,
  warnings: string[],
): MimePart | undefined {
  const byContentId = new Map<string, MimePart>();
  for (const part of parts) byContentId.set(part.contentId.toLowerCase(), part);
  const referenced = new Set<MimePart>();
  let payload: MimePart | undefined;
  for (const reference of manifest) {
    const contentId = contentIdOfHref(reference.href);
    if (contentId === undefined) continue; // mid: and other external references are recorded only
    const part = byContentId.get(contentId.toLowerCase());
    if (!part) throw fault('MimeProblem', `no MIME part for ${reference.href}`, reference.href, header);
    referenced.add(part);
    if (reference.hl7Payload && !payload) payload = part;
  }
  for (const part of parts) {
    if (!referenced.has(part)) warnings.push(`MIME part <${part.contentId}> is not named in the manifest`);
  }
  return payload ?? parts[0];
}

function checkSoapAction(soapAction: string | undefined, header: MessageHeader, warnings: string[]): void {
  const value = soapAction?.trim().replace(/^"(.*)"$/, '$1');
  if (!value || value === 'ebXML') return;
  const expected = `${header.service}/${header.action}`;
  if (value !== expected) warnings.push(`SOAPAction ${value} does not match ${expected}`);
}
