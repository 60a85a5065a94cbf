// Canonicalisation for the two things the profile signs: the envelope (`URI=""`, after the
// enveloped-signature and ebXML XPath transforms) and `ds:SignedInfo`. Both run inside libxml2
// without a per-node JavaScript callback, so their cost is linear in the document and small.
import crypto from 'node:crypto';
import { XmlC14NMode, type XmlDocument, type XmlElement } from 'libxml2-wasm';
import { attributeOwners, count, escapeXml, parseXml } from '../../xml/index.js';
import { type C14nKind, type DigestName, UNSIGNED_ACTORS } from './profile.js';

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

/**
 * Every SOAP actor attribute whose value puts its element outside the ebXML filter. Selecting the
 * attributes (`//@…`) keeps libxml2 from testing a predicate on every element: about ten times
 * faster on a body of a million elements.
 */
const UNSIGNED_ACTOR_ATTRIBUTES = `//@soap:actor[${UNSIGNED_ACTORS.map((actor) => `.="${actor}"`).join(' or ')}]`;

/** How many elements the `URI=""` reference leaves out, counted without touching them. */
export function unsignedBlockCount(doc: XmlDocument): number {
  return count(doc.root, UNSIGNED_ACTOR_ATTRIBUTES);
}

/** The elements the `URI=""` reference leaves out, with everything inside them (any depth). */
export function unsignedBlocks(doc: XmlDocument): XmlElement[] {
  return attributeOwners(doc.root, UNSIGNED_ACTOR_ATTRIBUTES);
}

/** Whether `node` has an ancestor among `candidates` (identity). Cost: depth × candidates. */
function inside(node: XmlElement, candidates: XmlElement[]): boolean {
  for (let up = node.parent; up; up = up.parent) {
    if (candidates.some((c) => c.isSameNode(up))) return true;
  }
  return false;
}

/**
 * The digest of the node set `URI=""` + enveloped-signature + ebXML XPath filter, canonicalised.
 * That node set is the document without the signature's subtree and without every subtree rooted
 * at an element whose `SOAP:actor` is nextMSH or actor/next, so instead of evaluating the
 * signature's XPath we REMOVE those subtrees and canonicalise what is left. Removing whole
 * subtrees leaves every other node's text, attributes and in-scope namespaces as they were, so the
 * output is the same as the filtered node set's; libxml2 then runs without calling back into
 * JavaScript per node, and its output goes straight into the hash, never into one large string.
 *
 * `unsigned` is `unsignedBlocks(doc)` when the caller already has it (and has bounded it).
 * Destructive: the document loses the signature and the unsigned blocks. Call it last.
 */
export function envelopeDigest(
  doc: XmlDocument,
  signature: XmlElement,
  options: C14nOptions,
  hash: DigestName,
  unsigned: XmlElement[] = unsignedBlocks(doc),
): Buffer {
  // Outermost blocks outside the signature only, so no node is freed twice.
  const removable = unsigned.filter(
    (block) => !block.isSameNode(signature) && !inside(block, [signature, ...unsigned]),
  );
  signature.remove();
  for (const block of removable) block.remove();
  const digest = crypto.createHash(hash);
  doc.canonicalize(
    {
      write: (chunk: Uint8Array) => {
        digest.update(chunk);
        return chunk.byteLength;
      },
      close: () => true,
    },
    modeOptions(options),
  );
  return digest.digest();
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
