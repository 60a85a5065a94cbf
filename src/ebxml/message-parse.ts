// Inbound ebXML message: MIME, then the SOAP envelope read by namespace URI (any prefix), then
// the checks that make a message unusable. Tolerant of every variant Spine sends (§12),
// strict about what is actually wrong; route-dependent checks (To party, CPA) live elsewhere.
import {
  attribute,
  element,
  elements,
  NS,
  parseXml,
  type XmlDocument,
  type XmlElement,
  XmlInputError,
} from '../xml/index.js';
import { EbxmlFault, fault } from './fault.js';
import { checkExtensionVersions, readHeader, readReliability } from './header-parse.js';
import { readManifest, resolveManifest } from './manifest-parse.js';
import { DEFAULT_MAX_BYTES, decodePart, type EncodedPart, type MimeLimits, splitMime } from './mime-parse.js';
import type { MessageHeader, MimePart, ParsedMessage } from './model.js';
import { kindOf, readAcknowledgment, readErrorList } from './signal-parse.js';

/** A parsed message plus what was odd but acceptable (unreferenced parts, SOAPAction mismatch). */
export type ParsedEbxmlMessage = ParsedMessage & { warnings: string[] };

/**
 * The parsed envelope and the elements every value of the message was read from (the
 * eb:MessageHeader, eb:Acknowledgment, eb:ErrorList and eb:Manifest that were used), for a
 * caller that must check them against a signature in the same document before it is freed.
 */
export interface ReadEnvelope {
  doc: XmlDocument;
  readFrom: XmlElement[];
}

/**
 * @param inspect called with the parsed message and the document it was read from, before the
 *   document is freed (signature verification; it may consume the document).
 */
export function parseMessage(
  contentType: string | undefined,
  body: Buffer,
  soapAction?: string,
  limits?: MimeLimits,
  inspect?: (parsed: ParsedEbxmlMessage, envelope: ReadEnvelope) => void,
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
    const readFrom: XmlElement[] = [];
    const parsed = readEnvelope(doc.root, root, split.parts, readFrom, soapAction);
    inspect?.(parsed, { doc, readFrom });
    return parsed;
  } finally {
    doc.dispose();
  }
}

function readEnvelope(
  envelope: XmlElement,
  root: MimePart,
  encodedParts: EncodedPart[],
  readFrom: XmlElement[],
  soapAction?: string,
): ParsedEbxmlMessage {
  if (envelope.name !== 'Envelope' || envelope.namespaceUri !== NS.soap) {
    throw fault('OtherXml', 'root element is not a SOAP 1.1 Envelope', 'SOAP:Envelope');
  }
  const messageHeader = element(envelope, 'soap:Header/eb:MessageHeader');
  if (!messageHeader) throw fault('OtherXml', 'SOAP Header has no eb:MessageHeader', 'eb:MessageHeader');
  const header = readHeader(messageHeader);
  onlyOne(envelope, 'MessageHeader', header);
  refuseActor(messageHeader, header);
  const soapHeader = messageHeader.parent as XmlElement;
  const parts = encodedParts.map((part) => decodeWithHeader(part, header));

  const reliability = readReliability(soapHeader, messageHeader, header);
  checkExtensionVersions(envelope, header);
  const ackElement = onlyOne(envelope, 'Acknowledgment', header, soapHeader);
  const errorListElement = onlyOne(envelope, 'ErrorList', header, soapHeader);
  if (errorListElement) refuseActor(errorListElement, header);
  const manifestElement = onlyOne(envelope, 'Manifest', header, element(envelope, 'soap:Body'));
  const acknowledgment = ackElement && readAcknowledgment(ackElement, header);
  const errorList = errorListElement && readErrorList(errorListElement, header);
  const manifest = readManifest(envelope, header);
  readFrom.push(
    ...[messageHeader, ackElement, errorListElement, manifestElement].filter((el) => el !== undefined),
  );
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
    // Anywhere in the envelope: verification then refuses one that is not where it belongs.
    signaturePresent: element(envelope, '//ds:Signature') !== undefined,
    warnings,
  };
  if (payload) parsed.payload = payload;
  if (acknowledgment) parsed.acknowledgment = acknowledgment;
  if (errorList) parsed.errors = errorList.errors;
  if (soapAction !== undefined) parsed.soapAction = soapAction;
  return parsed;
}

/**
 * The one eb:`name` of the envelope (the child of `parent` when given, else anywhere), or
 * undefined. A second one anywhere is refused: values are read from one element, and a copy the
 * reader skips could otherwise be what a signature covers (signature wrapping).
 */
function onlyOne(
  envelope: XmlElement,
  name: string,
  header: MessageHeader,
  parent?: XmlElement,
): XmlElement | undefined {
  const all = elements(envelope, `//eb:${name}`);
  if (all.length > 1) {
    throw fault(
      'Inconsistent',
      `the envelope has ${all.length} eb:${name} elements; at most one is allowed`,
      `eb:${name}`,
      header,
    );
  }
  return parent ? element(parent, `eb:${name}`) : all[0];
}

/** eb:MessageHeader and eb:ErrorList are end-to-end: a SOAP actor would take them out of what a signature covers. */
function refuseActor(el: XmlElement, header: MessageHeader): void {
  const actor = attribute(el, 'actor', NS.soap);
  if (actor !== undefined) {
    throw fault(
      'Inconsistent',
      `eb:${el.name} must not carry a SOAP actor (found "${actor}")`,
      `eb:${el.name}/@SOAP:actor`,
      header,
    );
  }
}

/** A part that cannot be decoded is a MimeProblem the sender can be told about. */
function decodeWithHeader(part: EncodedPart, header: MessageHeader): MimePart {
  try {
    return decodePart(part);
  } catch (error) {
    if (error instanceof EbxmlFault) {
      throw new EbxmlFault({ ...error.error, location: `cid:${part.contentId}` }, header);
    }
    throw error;
  }
}

function checkSoapAction(soapAction: string | undefined, header: MessageHeader, warnings: string[]): void {
  const problem = soapActionMismatch(soapAction, header);
  if (problem) warnings.push(problem);
}

/**
 * Why a SOAPAction disagrees with eb:Service/eb:Action, or undefined. Empty, missing and the
 * standard binding's "ebXML" agree with anything; quotes are ignored.
 */
export function soapActionMismatch(
  soapAction: string | undefined,
  header: Pick<MessageHeader, 'service' | 'action'>,
): string | undefined {
  const value = soapAction?.trim().replace(/^"(.*)"$/, '$1');
  if (!value || value === 'ebXML') return undefined;
  const expected = `${header.service}/${header.action}`;
  return value === expected ? undefined : `SOAPAction ${value} does not match ${expected}`;
}
