// The SOAP envelope pieces every ebXML message shares: namespace declarations and the
// eb:MessageHeader in schema order. Output is indented with LF so golden files stay readable.
import { NS } from '../xml/index.js';
import type { MessageHeader, PartyId } from './model.js';
import { xmlAttr, xmlText } from './values.js';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Opening tag of the envelope; business messages also need xlink and hl7ebxml for the manifest. */
export function envelopeStart(withManifest: boolean): string {
  const manifestNs = withManifest ? ` xmlns:xlink="${NS.xlink}" xmlns:hl7ebxml="${NS.hl7ebxml}"` : '';
  return `<SOAP:Envelope xmlns:SOAP="${NS.soap}" xmlns:eb="${NS.eb}"${manifestNs}>`;
}

export function indent(level: number, line: string): string {
  return `${'  '.repeat(level)}${line}`;
}

export function partyIdXml(party: PartyId): string {
  const type = party.type === undefined ? '' : ` eb:type="${xmlAttr(party.type)}"`;
  return `<eb:PartyId${type}>${xmlText(party.id)}</eb:PartyId>`;
}

/** eb:MessageHeader lines at the given indentation (schema order: From … MessageData, DuplicateElimination). */
export function messageHeaderLines(
  header: MessageHeader,
  duplicateElimination: boolean,
  level: number,
): string[] {
  const lines = [
    '<eb:MessageHeader SOAP:mustUnderstand="1" eb:version="2.0">',
    '  <eb:From>',
    `    ${partyIdXml(header.from)}`,
    '  </eb:From>',
    '  <eb:To>',
    `    ${partyIdXml(header.to)}`,
    '  </eb:To>',
    `  <eb:CPAId>${xmlText(header.cpaId)}</eb:CPAId>`,
    `  <eb:ConversationId>${xmlText(header.conversationId)}</eb:ConversationId>`,
    `  <eb:Service>${xmlText(header.service)}</eb:Service>`,
    `  <eb:Action>${xmlText(header.action)}</eb:Action>`,
    '  <eb:MessageData>',
    `    <eb:MessageId>${xmlText(header.messageId)}</eb:MessageId>`,
    `    <eb:Timestamp>${xmlText(header.timestamp)}</eb:Timestamp>`,
  ];
  if (header.refToMessageId !== undefined) {
    lines.push(`    <eb:RefToMessageId>${xmlText(header.refToMessageId)}</eb:RefToMessageId>`);
  }
  if (header.timeToLive !== undefined) {
    lines.push(`    <eb:TimeToLive>${xmlText(header.timeToLive)}</eb:TimeToLive>`);
  }
  lines.push('  </eb:MessageData>');
  if (duplicateElimination) lines.push('  <eb:DuplicateElimination/>');
  lines.push('</eb:MessageHeader>');
  return lines.map((line) => indent(level, line));
}

/** Required header values must be present: an empty eb:CPAId or eb:MessageId is schema-invalid. */
export function checkHeader(header: MessageHeader): void {
  const required: [string, string | undefined][] = [
    ['from.id', header.from?.id],
    ['to.id', header.to?.id],
    ['cpaId', header.cpaId],
    ['conversationId', header.conversationId],
    ['service', header.service],
    ['action', header.action],
    ['messageId', header.messageId],
    ['timestamp', header.timestamp],
  ];
  for (const [name, value] of required) {
    if (!value) throw new RangeError(`message header ${name} is empty`);
  }
  for (const party of [header.from, header.to]) {
    // ebMS 2.0: a PartyId without eb:type must itself be a URI.
    if (party.type === undefined && !URI_SCHEME.test(party.id)) {
      throw new RangeError(`PartyId ${JSON.stringify(party.id)} has no type and is not a URI`);
    }
  }
}

export const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
