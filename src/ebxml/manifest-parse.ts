// Reading eb:Manifest and checking it against the MIME parts: every cid: reference must resolve
// (MimeProblem otherwise), mid: references are only recorded, unnamed parts become warnings.
// The HL7 payload is the part the manifest marks with hl7ebxml:Payload; failing that, the part
// that is HL7 XML — never merely the first part (GP2GP senders list attachments first).
import { attribute, element, elements, NS, withXml, type XmlElement } from '../xml/index.js';
import { fault } from './fault.js';
import type { ManifestReference, MessageHeader, MimePart } from './model.js';
import { contentIdOfHref } from './values.js';

export function readManifest(envelope: XmlElement, header: MessageHeader): ManifestReference[] {
  return elements(envelope, 'soap:Body/eb:Manifest/eb:Reference').map((reference) => {
    const href = attribute(reference, 'href', NS.xlink)?.trim();
    if (!href) throw fault('OtherXml', 'eb:Reference has no xlink:href', 'eb:Reference/@xlink:href', header);
    const parsed: ManifestReference = { href, hl7Payload: marksHl7Payload(reference) };
    const description = element(reference, 'eb:Description')?.content;
    const documentId = attribute(reference, 'id', NS.eb);
    if (description !== undefined) parsed.description = description;
    if (documentId !== undefined) parsed.documentId = documentId;
    return parsed;
  });
}

/**
 * The two spellings of the HL7 ebXML transport namespace seen in the wild: `ebXML` (the HL7
 * DSTU, Spine's own messages) and `ebxml` (GP2GP senders, e.g. EMIS in the NHS MHS adaptor's tests).
 */
export const HL7_EBXML_NAMESPACES: readonly string[] = [NS.hl7ebxml, 'urn:hl7-org:transport/ebxml/DSTUv1.0'];

function marksHl7Payload(reference: XmlElement): boolean {
  return elements(reference, '*').some(
    (child) => child.name === 'Payload' && HL7_EBXML_NAMESPACES.includes(child.namespaceUri),
  );
}

/** Every cid: reference must name a part; returns the HL7 payload part. */
export function resolveManifest(
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
  return payload ?? parts.find(isHl7Xml);
}

/** Starts with markup, after an optional BOM and blanks: worth parsing to see whether it is HL7. */
const LOOKS_LIKE_XML = /^(?:\uFEFF)?\s*</;

/**
 * True when the part parses as XML whose root is in the HL7 V3 namespace. Only parts that start
 * like XML are parsed, each at most once, under the XML module's size limit: linear in the body.
 */
function isHl7Xml(part: MimePart): boolean {
  if (!LOOKS_LIKE_XML.test(part.content.toString('utf8', 0, Math.min(part.content.length, 64)))) return false;
  try {
    return withXml(part.content, (doc) => doc.root.namespaceUri === NS.hl7);
  } catch {
    return false; // not well-formed: not the HL7 payload we are looking for
  }
}
