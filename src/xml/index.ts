// Our one door to libxml2-wasm: hostile-input checks first, then a namespace-aware DOM that is
// always disposed. Other folders use these helpers, never libxml2-wasm directly (except the
// signer, which needs C14N over the same document).

import { XmlDocument, type XmlElement, type XmlNode, XmlXPath } from 'libxml2-wasm';
import { createError } from '../errors/index.js';

export type { XmlDocument, XmlElement, XmlNode } from 'libxml2-wasm';

export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  eb: 'http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd',
  xlink: 'http://www.w3.org/1999/xlink',
  hl7ebxml: 'urn:hl7-org:transport/ebXML/DSTUv1.0',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  hl7: 'urn:hl7-org:v3',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  nasp: 'http://national.carerecords.nhs.uk/schema/',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Thrown for input we refuse to parse; `message` names the problem in one line. */
export class XmlInputError extends createError('XML_REFUSED', 400, 'Invalid request') {}

export interface ParseLimits {
  /** Largest document accepted, in bytes. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 6 * 1024 * 1024;
const DOCTYPE = /<!DOCTYPE|<!ENTITY/i;
/** The encoding an XML declaration names, if any (after an optional UTF-8 byte order mark). */
const DECLARED_ENCODING = /^\uFEFF?<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"']*)\1/;

/**
 * Parses untrusted XML. Only UTF-8 is accepted, and libxml2 is told so, so the text checked here
 * is exactly the text libxml2 reads: a DTD is refused in any spelling an encoding could give it
 * (a UTF-16 document's `<!DOCTYPE` has no UTF-8 bytes for a byte pattern to find). DTDs are
 * refused outright (libxml2 would expand internal entities), so no entity expansion or external
 * fetch can happen. libxml2's own nesting limit applies.
 */
export function parseXml(input: string | Uint8Array, limits: ParseLimits = {}): XmlDocument {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes)
    throw new XmlInputError(`XML document is ${size} bytes, over the ${maxBytes}-byte limit`);
  if (typeof input !== 'string') {
    const other = otherEncoding(input);
    if (other) throw new XmlInputError(`XML document is ${other}; only UTF-8 is accepted`);
    if (!isValidUtf8(input)) throw new XmlInputError('XML document is not valid UTF-8');
  }
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (text.includes('\u0000')) throw new XmlInputError('XML document contains a NUL character');
  const declared = DECLARED_ENCODING.exec(text)?.[2];
  if (declared !== undefined && !/^utf-?8$/i.test(declared))
    throw new XmlInputError(`XML document declares encoding "${declared}"; only UTF-8 is accepted`);
  if (DOCTYPE.test(text))
    throw new XmlInputError('XML document declares a DTD or entity, which is not allowed');
  try {
    // The encoding is forced, so neither a byte order mark nor a declaration can switch it.
    return typeof input === 'string'
      ? XmlDocument.fromString(input, { encoding: 'utf-8' })
      : XmlDocument.fromBuffer(input, { encoding: 'utf-8' });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0]?.trim() : String(error);
    throw new XmlInputError(`XML is not well-formed: ${detail}`);
  }
}

/**
 * The encoding libxml2 would detect from the first bytes when it is not UTF-8 (XML 1.0 appendix F:
 * byte order marks, and `<?` in UTF-16, UTF-32 or EBCDIC without one); undefined for UTF-8.
 */
function otherEncoding(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if ((a === 0x00 && b === 0x00) || (c === 0x00 && d === 0x00 && a !== 0x00 && b === 0x00))
    return 'UTF-32 (or UCS-4)';
  if ((a === 0xfe && b === 0xff) || (a === 0xff && b === 0xfe)) return 'UTF-16 (byte order mark)';
  if ((a === 0x00 && b !== 0x00) || (a !== 0x00 && b === 0x00)) return 'UTF-16 without a byte order mark';
  if (a === 0x4c && b === 0x6f && c === 0xa7 && d === 0x94) return 'EBCDIC';
  return undefined;
}

/** Parses, runs `use`, and always frees the WASM memory behind the document. */
export function withXml<T>(
  input: string | Uint8Array,
  use: (doc: XmlDocument) => T,
  limits?: ParseLimits,
): T {
  const doc = parseXml(input, limits);
  try {
    return use(doc);
  } finally {
    doc.dispose();
  }
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** First element matching an XPath (namespaces from NS by prefix), or undefined. */
export function element(context: XmlNode, xpath: string): XmlElement | undefined {
  const found = context.get(compiled(xpath));
  return found && isElement(found) ? found : undefined;
}

export function elements(context: XmlNode, xpath: string): XmlElement[] {
  return context.find(compiled(xpath)).filter(isElement);
}

/** How many nodes an XPath selects, counted inside libxml2 (no JavaScript object per node). */
export function count(context: XmlNode, xpath: string): number {
  const result = context.eval(compiled(`count(${xpath})`));
  return typeof result === 'number' ? result : 0;
}

/** The elements that own the attributes an XPath selects (e.g. `//@soap:actor`), in document order. */
export function attributeOwners(context: XmlNode, xpath: string): XmlElement[] {
  return context
    .find(compiled(xpath))
    .map((node) => node.parent)
    .filter((owner): owner is XmlElement => owner !== null && isElement(owner));
}

/** Trimmed text content of the first match, or undefined when absent. */
export function text(context: XmlNode, xpath: string): string | undefined {
  const found = context.get(compiled(xpath));
  return found ? found.content.trim() : undefined;
}

/**
 * Our XPaths are fixed strings in the code: each is compiled once, with only the namespaces it
 * names (libxml2 registers every one given on every evaluation), and kept for the process's life.
 */
const compiledXPaths = new Map<string, XmlXPath>();

function compiled(xpath: string): XmlXPath {
  let found = compiledXPaths.get(xpath);
  if (!found) {
    const prefixes = new Set(Array.from(xpath.matchAll(/([A-Za-z][\w.-]*):(?!:)/g), (m) => m[1]!));
    const namespaces = Object.fromEntries(
      Object.entries(NS).filter(([prefix]) => prefixes.has(prefix)),
    ) as Record<string, string>;
    found = XmlXPath.compile(xpath, namespaces);
    compiledXPaths.set(xpath, found);
  }
  return found;
}

/** Attribute value by local name and optional namespace URI, or undefined. */
export function attribute(el: XmlElement, localName: string, namespaceUri?: string): string | undefined {
  for (const attr of el.attrs) {
    if (attr.name !== localName) continue;
    const uri = attr.namespaceUri || undefined;
    if (uri === namespaceUri) return attr.value;
  }
  return undefined;
}

function isElement(node: XmlNode): node is XmlElement {
  return 'attrs' in node && 'namespaceUri' in node;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

const NOT_XML_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Whether XML 1.0 can carry `value` as text or an attribute value (no C0 controls but tab, LF, CR; no U+FFFE/U+FFFF). */
export function isXmlText(value: string): boolean {
  return !NOT_XML_TEXT.test(value);
}

/** Escapes a value for element text or a double- or single-quoted attribute. */
export function escapeXml(value: string): string {
  // Characters XML 1.0 cannot carry at all are refused rather than silently dropped.
  if (!isXmlText(value)) {
    throw new XmlInputError('value contains a character that XML 1.0 cannot carry');
  }
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}
export { elementSpan, outerXml } from './outer-xml.js';
