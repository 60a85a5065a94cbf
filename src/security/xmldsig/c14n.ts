// Canonicalisation for the two things the profile signs: the envelope (`URI=""`, after the
// enveloped-signature and ebXML XPath transforms) and `ds:SignedInfo` in place.
import { XmlC14NMode, type XmlDocument, XmlElement, type XmlNode } from 'libxml2-wasm';
import { elements } from '../../xml/index.js';
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

/**
 * The node set `URI=""` + enveloped-signature + ebXML XPath filter, canonicalised. Instead of
 * evaluating the signature's XPath we hide the signature's subtree and every subtree rooted at
 * an element whose `SOAP:actor` is nextMSH or actor/next, which is what that expression selects.
 *
 * libxml2 asks the callback about elements, text, attribute and namespace nodes; for attribute
 * and namespace nodes `node` is the xmlAttr/xmlNs and `parent` is the element that owns them
 * (for namespace nodes: the element whose namespace axis is being rendered). libxml2-wasm
 * cascades invisibility: once an element is hidden, every node asked about with it (or a hidden
 * descendant) as parent is hidden without calling us. We also hide attribute, namespace and
 * text nodes whose owning element is a hidden root ourselves, so that first level does not
 * depend on the cascade.
 */
export function canonicalEnvelope(doc: XmlDocument, signature: XmlElement, options: C14nOptions): string {
  // One XPath query up front keeps the per-node callback to pointer comparisons.
  const hiddenRoots = [signature, ...elements(doc.root, HIDDEN_BLOCKS)];
  const hidden = (node: XmlNode) => hiddenRoots.some((root) => root.isSameNode(node));
  return doc.canonicalizeToString({
    ...modeOptions(options),
    isVisible: (node: XmlNode, parent: XmlNode | null) => {
      if (node instanceof XmlElement) return !hidden(node);
      // Never read fields of `node` here: an xmlNs is not an xmlNode.
      return parent === null || !hidden(parent);
    },
  });
}

const HIDDEN_BLOCKS = `//*[${UNSIGNED_ACTORS.map((actor) => `@soap:actor="${actor}"`).join(' or ')}]`;

/** `ds:SignedInfo` canonicalised where it stands, so inclusive C14N picks up inherited namespaces. */
export function canonicalSignedInfo(doc: XmlDocument, signedInfo: XmlElement, options: C14nOptions): string {
  return doc.canonicalizeToString({ ...modeOptions(options), nodeSet: new Set([signedInfo]) });
}
