// Reading eb:Manifest and checking it against the MIME parts: every cid: reference must resolve
// (MimeProblem otherwise), mid: references are only recorded, unnamed parts become warnings.
import { attribute, element, elements, NS, type XmlElement } from '../xml/index.js';
import { fault } from './fault.js';
import type { ManifestReference, MessageHeader, MimePart } from './model.js';
import { contentIdOfHref } from './values.js';

export function readManifest(envelope: XmlElement, header: MessageHeader): ManifestReference[] {
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
  return payload ?? parts[0];
}
