// The signer's fast path: what signing needs from an envelope in the plain subset (plain-c14n.ts),
// read in one pass without libxml2. The envelopes we build are all in it (buildMessage, the
// signals); any other envelope gets undefined and goes the libxml2 way, which also reports what
// is wrong with it (no Header, a signature already there, not well-formed).
import { NS } from '../../xml/index.js';
import { plainC14n } from './plain-c14n.js';
import { type PlainElement, type Scope, XML_NAMESPACE } from './plain-tags.js';
import { UNSIGNED_ACTORS } from './profile.js';

export interface PlainEnvelope {
  /**
   * Inclusive C14N of the `URI=""` node set: the whole envelope less every element whose
   * SOAP:actor is nextMSH or actor/next, with its content. The signature, inserted before the
   * Header's end tag and removed by the enveloped-signature transform, leaves exactly this.
   */
  canonical: string;
  /** Where the signature goes: the index of the `</` that ends the SOAP Header. */
  headerEnd: number;
  /** The namespaces in scope inside the Header, for canonicalising ds:SignedInfo in place. */
  headerScope: Scope;
}

/**
 * Accepts a SOAP 1.1 Envelope whose first child element is a Header (not an empty-element tag),
 * with no xml:* attribute on either (C14N would carry it onto SignedInfo), no ds:Signature
 * anywhere, and neither of them left out by the actor filter.
 */
export function readPlainEnvelope(envelopeXml: string): PlainEnvelope | undefined {
  let headerEnd = -1;
  let headerScope: Scope | undefined;
  const onStart = (el: PlainElement, depth: number, scope: Scope) => {
    if (el.namespaceUri === NS.ds && el.localName === 'Signature') return 'refuse';
    const isSoap = (localName: string) => el.namespaceUri === NS.soap && el.localName === localName;
    const unsigned = el.attrs.some(
      (attr) =>
        attr.namespaceUri === NS.soap && attr.localName === 'actor' && UNSIGNED_ACTORS.includes(attr.value),
    );
    if (depth > 1 || (depth === 1 && headerScope)) {
      if (depth === 1 && isSoap('Header')) return 'refuse'; // a second Header
      return unsigned ? 'omit' : 'keep';
    }
    const expected = depth === 0 ? 'Envelope' : 'Header';
    if (!isSoap(expected) || el.selfClosing || unsigned) return 'refuse';
    if (el.attrs.some((attr) => attr.namespaceUri === XML_NAMESPACE)) return 'refuse';
    if (depth === 1) headerScope = scope;
    return 'keep';
  };
  const onEnd = (depth: number, at: number) => {
    if (depth === 1 && headerEnd < 0) headerEnd = at;
  };
  const canonical = plainC14n(envelopeXml, { document: true, onStart, onEnd });
  if (canonical === undefined || !headerScope || headerEnd < 0) return undefined;
  return { canonical, headerEnd, headerScope };
}
