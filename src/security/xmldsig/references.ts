import { elements, outerXml, withXml } from '../../xml/index.js';

/**
 * The `ds:Reference` elements of an envelope's signature, each as a standalone fragment (its
 * namespaces declared), for copying into a signed acknowledgment (ebMS 2.0 §6.3.1, NRR).
 */
export function signedReferences(envelopeXml: string): string[] {
  return withXml(envelopeXml, (doc) =>
    elements(doc.root, '/soap:Envelope/soap:Header/ds:Signature/ds:SignedInfo/ds:Reference').map(
      (reference) => outerXml(envelopeXml, reference),
    ),
  );
}
