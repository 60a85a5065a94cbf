// Reading eb:MessageHeader and the reliability elements of an inbound SOAP header, by
// namespace URI. Missing required values are OtherXml with the element as location.
import { attribute, element, elements, NS, text, type XmlElement } from '../xml/index.js';
import { fault } from './fault.js';
import { URI_SCHEME } from './header-xml.js';
import type { MessageHeader, PartyId, ReliabilityFlags } from './model.js';
import { parseTimestamp } from './timestamp.js';

/** The text fields every eb:MessageHeader must carry, in the order they are checked. */
const REQUIRED_TEXTS: [keyof MessageHeader, string][] = [
  ['cpaId', 'eb:CPAId'],
  ['conversationId', 'eb:ConversationId'],
  ['service', 'eb:Service'],
  ['action', 'eb:Action'],
  ['messageId', 'eb:MessageData/eb:MessageId'],
  ['timestamp', 'eb:MessageData/eb:Timestamp'],
];

const OPTIONAL_TEXTS: [keyof MessageHeader, string][] = [
  ['refToMessageId', 'eb:MessageData/eb:RefToMessageId'],
  ['timeToLive', 'eb:MessageData/eb:TimeToLive'],
];

/** The identifiers the gateway keys on, and the longest it takes (AMQP short strings hold 255 bytes). */
const ID_TEXTS: [keyof MessageHeader, string][] = [
  ['conversationId', 'eb:ConversationId'],
  ['messageId', 'eb:MessageData/eb:MessageId'],
  ['refToMessageId', 'eb:MessageData/eb:RefToMessageId'],
];
export const MAX_ID_BYTES = 255;

const REQUIRED_HEADER: [keyof MessageHeader, string][] = [
  ['from', 'eb:From/eb:PartyId'],
  ['to', 'eb:To/eb:PartyId'],
  ...REQUIRED_TEXTS,
];

export function readHeader(messageHeader: XmlElement): MessageHeader {
  const partial: Partial<MessageHeader> = {};
  const from = readParty(messageHeader, 'eb:From');
  const to = readParty(messageHeader, 'eb:To');
  if (from) partial.from = from;
  if (to) partial.to = to;
  for (const [key, xpath] of [...REQUIRED_TEXTS, ...OPTIONAL_TEXTS]) {
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
    if (partial[key] === undefined) {
      throw fault('OtherXml', `${location} is missing or empty`, location, partial);
    }
  }
  const header = partial as MessageHeader;
  // Identifiers travel on as AMQP message ids and database keys: a short string (AMQP's limit).
  for (const [key, location] of ID_TEXTS) {
    const value = header[key] as string | undefined;
    if (value !== undefined && Buffer.byteLength(value) > MAX_ID_BYTES) {
      throw fault('ValueNotRecognized', `${location} is longer than ${MAX_ID_BYTES} bytes`, location, header);
    }
  }
  for (const [party, location] of [
    [header.from, 'eb:From/eb:PartyId'],
    [header.to, 'eb:To/eb:PartyId'],
  ] as const) {
    if (party.type === undefined && !URI_SCHEME.test(party.id)) {
      throw fault(
        'ValueNotRecognized',
        `PartyId ${party.id} has no eb:type and is not a URI`,
        location,
        header,
      );
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
export function readParty(context: XmlElement, xpath: string): PartyId | undefined {
  const partyId = element(context, `${xpath}/eb:PartyId`);
  const id = partyId?.content.trim();
  if (!partyId || !id) return undefined;
  const type = attribute(partyId, 'type', NS.eb);
  return type === undefined ? { id } : { id, type };
}

export function readReliability(
  soapHeader: XmlElement,
  messageHeader: XmlElement,
  header: MessageHeader,
): ReliabilityFlags {
  const syncReply = element(soapHeader, 'eb:SyncReply') !== undefined;
  if (element(soapHeader, 'eb:MessageOrder')) {
    if (syncReply) {
      const why = 'eb:MessageOrder must not be combined with eb:SyncReply';
      throw fault('Inconsistent', why, 'eb:MessageOrder', header);
    }
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
export function checkExtensionVersions(envelope: XmlElement, header: MessageHeader): void {
  const extensions = elements(
    envelope,
    'soap:Header/eb:AckRequested | soap:Header/eb:SyncReply | soap:Header/eb:Acknowledgment | soap:Header/eb:ErrorList | soap:Body/eb:Manifest',
  );
  for (const extension of extensions) {
    const version = attribute(extension, 'version', NS.eb);
    if (version !== undefined && version.trim() !== '2.0') {
      throw fault(
        'Inconsistent',
        `eb:version is ${version}, not 2.0`,
        `eb:${extension.name}/@eb:version`,
        header,
      );
    }
  }
}
