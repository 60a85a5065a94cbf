// Canonicalisation for the two things the profile signs: the envelope (`URI=""`, after the
// enveloped-signature and ebXML XPath transforms) and `ds:SignedInfo`. Both run inside libxml2
// without a per-node JavaScript callback, so their cost is linear in the document and small.
import { XmlC14NMode, type XmlDocument, type XmlElement } from 'libxml2-wasm';
import { elements, escapeXml, parseXml } from '../../xml/index.js';
import { type C14nKind, UNSIGNED_ACTORS } from './profile.js';

export interface C14nOptions {
  kind: C14nKind;
  /** Exclusive C14N's InclusiveNamespaces PrefixList, when a transform carries one. */
  inclusivePrefixes?: string[];
}

function modeOptions(options: C14nOptions) {
  if (options.kind === 'inclusive') return { mode: XmlC14NMode.XML_C14N_1_0 };
  return {
    mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0,
    ...(options.inclusivePrefixes?.length ? { inclusiveNamespacePrefixes: options.inclusivePrefixes } : {}),
  };
}

const actorTest = UNSIGNED_ACTORS.map((actor) => `@soap:actor="${actor}"`).join(' or ');
/** Every element the ebXML XPath filter drops with its subtree: its SOAP actor is the next MSH. */
const UNSIGNED_BLOCKS = `//*[${actorTest}]`;
/** The same, outermost only (the ones inside are dropped with them). */
const OUTERMOST_UNSIGNED_BLOCKS = `//*[${actorTest}][not(ancestor::*[${actorTest}])]`;

/** The elements the `URI=""` reference leaves out, with everything inside them (any depth). */
export function unsignedBlocks(doc: XmlDocument): XmlElement[] {
  return elements(doc.root, UNSIGNED_BLOCKS);
}

/**
 * The node set `URI=""` + enveloped-signature + ebXML XPath filter, canonicalised. That node set
 * is the document without the signature's subtree and without every subtree rooted at an element
 * whose `SOAP:actor` is nextMSH or actor/next, so instead of evaluating the signature's XPath we
 * REMOVE those subtrees and canonicalise what is left. Removing whole subtrees leaves every other
 * node's text, attributes and in-scope namespaces as they were, so the output is the same as the
 * filtered node set's; and libxml2 then runs without calling back into JavaScript per node.
 *
 * Destructive: the document loses the signature and the unsigned blocks. Call it last.
 */
export function canonicalEnvelope(doc: XmlDocument, signature: XmlElement, options: C14nOptions): string {
  signature.remove();
  // Selected after the signature is gone; outermost only, so no node is freed twice.
  for (const block of elements(doc.root, OUTERMOST_UNSIGNED_BLOCKS)) block.remove();
  return doc.canonicalizeToString(modeOptions(options));
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/**
 * `ds:SignedInfo` canonicalised as if in place. Canonicalising a subtree of the received document
 * makes libxml2 ask about every node of the whole document (seconds for a large body), so the
 * subtree is copied into a small document of its own under an element that declares exactly the
 * namespaces in scope at SignedInfo, and carries the `xml:` attributes inclusive C14N inherits
 * from its ancestors. Canonical output depends on nothing else, so it is the same text.
 */
export function canonicalSignedInfo(signedInfo: XmlElement, options: C14nOptions): string {
  const declarations = Object.entries(signedInfo.namespaces)
    .map(([prefix, uri]) => (prefix ? ` xmlns:${prefix}="${escapeXml(uri)}"` : ` xmlns="${escapeXml(uri)}"`))
    .join('');
  const inherited = new Map<string, string>();
  for (let ancestor = signedInfo.parent; ancestor; ancestor = ancestor.parent) {
    for (const attr of ancestor.attrs) {
      if (attr.namespaceUri === XML_NS && !inherited.has(attr.name)) inherited.set(attr.name, attr.value);
    }
  }
  const xmlAttrs = [...inherited].map(([name, value]) => ` xml:${name}="${escapeXml(value)}"`).join('');
  const copy = `<c14n-apex${declarations}${xmlAttrs}>${signedInfo.toString({ format: false })}</c14n-apex>`;
  const small = parseXml(copy);
  try {
    const apex = small.root.firstChild as XmlElement;
    return small.canonicalizeToString({ ...modeOptions(options), nodeSet: new Set([apex]) });
  } finally {
    small.dispose();
  }
}
