// The ds:Signature text we emit. Compact (no whitespace between elements), so the bytes we
// canonicalise are exactly the bytes we send.
import { escapeXml, NS } from '../../xml/index.js';
import { ALG, EBXML_XPATH_FILTER, XPATH_SOAP_PREFIX } from './profile.js';

export interface TemplateReference {
  uri: string;
  digestValue: string;
}

export interface SignatureTemplate {
  c14nUri: string;
  signatureUri: string;
  digestUri: string;
  /** The `URI=""` reference; its transforms are fixed by the profile. */
  envelope: TemplateReference;
  parts: TemplateReference[];
  signatureValue: string;
  certificateBase64: string;
}

/** The namespace the ds:Signature element declares (so its SignedInfo has it in scope). */
export const SIGNATURE_DECLARES: readonly [string, string] = ['ds', NS.ds];

export function signatureXml(t: SignatureTemplate): string {
  return (
    `<ds:Signature xmlns:${SIGNATURE_DECLARES[0]}="${SIGNATURE_DECLARES[1]}">${signedInfoXml(t)}` +
    `<ds:SignatureValue>${t.signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${t.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `</ds:Signature>`
  );
}

/** The ds:SignedInfo element of `signatureXml`, as it appears there. */
export function signedInfoXml(t: SignatureTemplate): string {
  const digest = (ref: TemplateReference) =>
    `<ds:DigestMethod Algorithm="${t.digestUri}"/><ds:DigestValue>${ref.digestValue}</ds:DigestValue>`;
  const envelopeRef =
    `<ds:Reference URI=""><ds:Transforms>` +
    `<ds:Transform Algorithm="${ALG.enveloped}"/>` +
    `<ds:Transform Algorithm="${ALG.xpath}"><ds:XPath xmlns:${XPATH_SOAP_PREFIX}="${NS.soap}">` +
    `${EBXML_XPATH_FILTER}</ds:XPath></ds:Transform>` +
    `<ds:Transform Algorithm="${t.c14nUri}"/>` +
    `</ds:Transforms>${digest(t.envelope)}</ds:Reference>`;
  const partRefs = t.parts.map(
    (ref) => `<ds:Reference URI="${escapeXml(ref.uri)}">${digest(ref)}</ds:Reference>`,
  );
  return (
    `<ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="${t.c14nUri}"/>` +
    `<ds:SignatureMethod Algorithm="${t.signatureUri}"/>` +
    `${envelopeRef}${partRefs.join('')}</ds:SignedInfo>`
  );
}
