// Locating the SOAP Header and the signature in a parsed envelope, and small DOM helpers the
// signer and verifier share.
import { type XmlDocument, type XmlElement, XmlElement as XmlElementClass } from 'libxml2-wasm';
import { element, elements, NS } from '../../xml/index.js';

export function soapHeader(doc: XmlDocument): XmlElement | undefined {
  return element(doc.root, '/soap:Envelope/soap:Header');
}

export function allSignatures(doc: XmlDocument): XmlElement[] {
  return elements(doc.root, '//ds:Signature');
}

/** Qualified name as written, e.g. `SOAP-ENV:Header`. */
export function qualifiedName(el: XmlElement): string {
  return el.prefix ? `${el.prefix}:${el.name}` : el.name;
}

export function childElements(el: XmlElement): XmlElement[] {
  const children: XmlElement[] = [];
  for (let node = el.firstChild; node; node = node.next) {
    if (node instanceof XmlElementClass) children.push(node);
  }
  return children;
}

export function isDs(el: XmlElement, localName: string): boolean {
  return el.namespaceUri === NS.ds && el.name === localName;
}

/** Base64 text of an element with the line breaks some signers insert removed. */
export function base64Text(el: XmlElement): string {
  return el.content.replace(/\s+/g, '');
}
