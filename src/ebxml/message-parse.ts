// Inbound ebXML message: MIME, then the SOAP envelope read by namespace URI (any prefix), then
// the checks that make a message unusable. Tolerant of every variant Spine sends (§12),
// strict about what is actually wrong; route-dependent checks (To party, CPA) live elsewhere.
import { element, NS, parseXml, type XmlDocument, type XmlElement, XmlInputError } from '../xml/index.js';
import { EbxmlFault, fault } from './fault.js';
import { checkExtensionVersions, readHeader, readReliability } from './header-parse.js';
import { readManifest, resolveManifest } from './manifest-parse.js';
import { DEFAULT_MAX_BYTES, decodePart, type EncodedPart, type MimeLimits, splitMime } from './mime-parse.js';
import type { MessageHeader, MimePart, ParsedMessage } from './model.js';
import { kindOf, readAcknowledgment, readErrorList } from './signal-parse.js';

/** A parsed message plus what was odd but acceptable (unreferenced parts, SOAPAction mismatch). */
export type ParsedEbxmlMessage = ParsedMessage & { warnings: string[] };

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
