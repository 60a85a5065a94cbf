// What a dead letter replayed as a new message carries over from the stored one: the HL7 with its
// wrapper renumbered, and the attachments read back from the exact bytes that were sent.
import { type Attachment, type ExternalAttachment, parseMessage } from '../ebxml/index.js';
import type { StoredHttp } from '../store/index.js';
import { attribute, element, elementSpan, escapeXml, NS, withXml } from '../xml/index.js';

/**
 * The HL7 message with its transmission wrapper `id/@root` changed from `oldId` to `newId`. The
 * gateway sets wrapper id = eb:MessageId, and e-RS names the wrapper id in its application
 * acknowledgement (messageRef), so a new message keeping the old wrapper id would have its answer
 * matched to the old one. Anything else (a wrapper id the sender chose) is left as it is.
 * Only the attribute's text changes; every other byte stays.
 */
export function renumberWrapper(hl7: string, oldId: string, newId: string): string {
  const span = withXml(hl7, (doc) => {
    const id = doc.root.namespaceUri === NS.hl7 ? element(doc.root, 'hl7:id') : undefined;
    if (!id || attribute(id, 'root')?.toUpperCase() !== oldId.toUpperCase()) return undefined;
    const index = id.eval('count(preceding::*) + count(ancestor::*)');
    return typeof index === 'number' ? elementSpan(hl7, index) : undefined;
  });
  if (!span) return hl7;
  const tag = hl7.slice(span.start, span.end);
  const renamed = tag.replace(
    /(\sroot\s*=\s*)(["'])([^"']*)\2/,
    (whole, equals: string, quote: string, value: string) =>
      value.toUpperCase() === oldId.toUpperCase() ? `${equals}${quote}${escapeXml(newId)}${quote}` : whole,
  );
  return hl7.slice(0, span.start) + renamed + hl7.slice(span.end);
}

export interface StoredAttachments {
  attachments: Attachment[];
  externalAttachments: ExternalAttachment[];
}

/**
 * The attachments of a stored ebXML message (every manifest reference but the HL7 payload), so a
 * replay as a new message never drops one. Each attachment gets a new Content-ID from `contentId`
 * (Content-IDs are meant to be unique to one message).
 */
export function storedAttachments(http: StoredHttp, contentId: () => string): StoredAttachments {
  const parsed = parseMessage(http.contentType, http.body, http.soapAction);
  const parts = new Map(parsed.parts.map((part) => [part.contentId.toLowerCase(), part]));
  const found: StoredAttachments = { attachments: [], externalAttachments: [] };
  for (const reference of parsed.manifest) {
    if (reference.hl7Payload) continue;
    const named = { description: reference.description ?? '' };
    const documentId = reference.documentId !== undefined ? { documentId: reference.documentId } : {};
    const cid = cidOf(reference.href);
    if (cid === undefined) {
      const mid = /^\s*mid:(.*?)\s*$/i.exec(reference.href)?.[1];
      if (mid) found.externalAttachments.push({ messageId: mid, ...named, ...documentId });
      continue;
    }
    const part = parts.get(cid.toLowerCase());
    if (!part) continue; // parseMessage has already refused a cid: reference without its part
    found.attachments.push({
      contentId: contentId(),
      contentType: part.contentType,
      content: part.content,
      transferEncoding: part.transferEncoding.toLowerCase() === 'base64' ? 'base64' : '8bit',
      ...named,
      ...documentId,
    });
  }
  return found;
}

/** The Content-ID a `cid:` href names (percent-decoded), or undefined for another scheme. */
function cidOf(href: string): string | undefined {
  const encoded = /^\s*cid:(.*?)\s*$/i.exec(href)?.[1];
  if (encoded === undefined) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}
