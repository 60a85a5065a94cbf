// Outbound business message: the SOAP envelope (header, reliability elements, manifest) and
// the MIME parts it references. Signing and framing happen afterwards on this result.
import { checkHeader, envelopeStart, indent, messageHeaderLines, XML_DECLARATION } from './header-xml.js';
import type { BuiltMessage, MimePart, OutboundMessage, ReliabilityFlags } from './model.js';
import { ACTOR_SOAP_NEXT } from './model.js';
import { checkContentId, checkHeaderValue, cidUrl, isNcName, xmlAttr, xmlText } from './values.js';

/** What Spine's manifests name as the HL7 schema; receivers accept any value. */
const HL7_SCHEMA_LOCATION = 'http://www.nhsia.nhs.uk/schemas/HL7-Message.xsd';
const HL7_SCHEMA_VERSION = '1.0';
const HL7_DESCRIPTION = 'HL7 payload';
export const PAYLOAD_DOMAIN = 'spine.nhs.uk';

export function buildMessage(message: OutboundMessage): BuiltMessage {
  const { header, reliability } = message;
  checkHeader(header);
  const payloadPart: MimePart = {
    contentId: checkContentId(`${header.messageId}@${PAYLOAD_DOMAIN}`),
    contentType: 'text/xml; charset=UTF-8',
    transferEncoding: '8bit',
    content: Buffer.from(message.payloadXml, 'utf8'),
  };
  const attachmentParts = message.attachments.map(
    (a): MimePart => ({
      contentId: checkContentId(a.contentId),
      contentType: checkHeaderValue('Content-Type', a.contentType),
      transferEncoding: a.transferEncoding,
      content: a.content,
    }),
  );
  const parts = [payloadPart, ...attachmentParts];
  const seen = new Set<string>();
  for (const part of parts) {
    if (seen.has(part.contentId)) throw new RangeError(`Content-ID ${part.contentId} is used twice`);
    seen.add(part.contentId);
  }

  const lines = [
    XML_DECLARATION,
    envelopeStart(true),
    indent(1, '<SOAP:Header>'),
    ...messageHeaderLines(header, reliability.duplicateElimination, 2),
    ...reliabilityLines(reliability).map((line) => indent(2, line)),
    indent(1, '</SOAP:Header>'),
    indent(1, '<SOAP:Body>'),
    ...manifestLines(message, payloadPart.contentId).map((line) => indent(2, line)),
    indent(1, '</SOAP:Body>'),
    '</SOAP:Envelope>',
  ];
  return { envelopeXml: lines.join('\n'), parts };
}

function reliabilityLines(flags: ReliabilityFlags): string[] {
  const lines: string[] = [];
  if (flags.ackRequested) {
    const { actor, signed } = flags.ackRequested;
    const actorAttr = actor === undefined ? '' : ` SOAP:actor="${xmlAttr(actor)}"`;
    lines.push(
      `<eb:AckRequested SOAP:mustUnderstand="1" eb:version="2.0" eb:signed="${signed}"${actorAttr}/>`,
    );
  }
  if (flags.syncReply) {
    lines.push(`<eb:SyncReply SOAP:mustUnderstand="1" eb:version="2.0" SOAP:actor="${ACTOR_SOAP_NEXT}"/>`);
  }
  return lines;
}

function manifestLines(message: OutboundMessage, payloadContentId: string): string[] {
  const lines = [
    '<eb:Manifest eb:version="2.0">',
    `  <eb:Reference xlink:href="${xmlAttr(cidUrl(payloadContentId))}">`,
    `    <eb:Schema eb:location="${HL7_SCHEMA_LOCATION}" eb:version="${HL7_SCHEMA_VERSION}"/>`,
    `    <eb:Description xml:lang="en">${HL7_DESCRIPTION}</eb:Description>`,
    '    <hl7ebxml:Payload style="HL7" encoding="XML" version="3.0"/>',
    '  </eb:Reference>',
  ];
  const references = [
    ...message.attachments.map((a) => ({ href: cidUrl(a.contentId), ...a })),
    ...message.externalAttachments.map((e) => ({ href: `mid:${e.messageId}`, ...e })),
  ];
  for (const ref of references) {
    let idAttr = '';
    if (ref.documentId !== undefined) {
      if (!isNcName(ref.documentId)) {
        throw new RangeError(`eb:id ${JSON.stringify(ref.documentId)} is not an NCName`);
      }
      idAttr = ` eb:id="${xmlAttr(ref.documentId)}"`;
    }
    lines.push(
      `  <eb:Reference xlink:href="${xmlAttr(ref.href)}"${idAttr}>`,
      `    <eb:Description xml:lang="en">${xmlText(ref.description)}</eb:Description>`,
      '  </eb:Reference>',
    );
  }
  lines.push('</eb:Manifest>');
  return lines;
}
