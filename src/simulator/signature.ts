// Spine's check of the gateway's signature: real XMLDSig verification (verifyEnvelope) run on the
// document the ebXML parser already made, so the envelope is parsed once.
//
// The one decision remembered is per certificate: that xmldsig found a signer certificate issued
// by one of the trust anchors. That never changes for the same certificate and anchors, and
// checking it costs an RSA verification of the certificate's own signature on every message. A
// signer accepted before is therefore given to xmldsig as its only anchor (an exact match, no
// issuer check); everything else (key size, validity at the message time and now, the signature
// itself, the references, the profile) is still checked on every message.
import type { X509Certificate } from 'node:crypto';
import { type ParsedEbxmlMessage, parseTimestamp, type ReadEnvelope } from '../ebxml/index.js';
import type { TlsContext } from '../security/tls/index.js';
import { verifyEnvelope } from '../security/xmldsig/index.js';
import { elements } from '../xml/index.js';
import type { ReceivedMessage } from './state.js';

export type SignatureCheck = ReceivedMessage['signature'];

/**
 * Every ds:X509Certificate where xmldsig looks for the signer. When this finds exactly one, it is
 * the one xmldsig uses if the signature gets as far as the trust check (one ds:Signature, in the
 * SOAP Header, its ds:KeyInfo's first ds:X509Data's first ds:X509Certificate); with none or
 * several, nothing is remembered or pinned.
 */
const SIGNER_CERTIFICATE =
  '/soap:Envelope/soap:Header/ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate';

/** A peer signs with one or two certificates; a flood of others must not grow the memory. */
const MAX_SIGNERS = 64;

export class SignatureChecker {
  /** Per anchor list (a reload of the TLS files makes a new one): accepted signers by base64 text. */
  readonly #accepted = new WeakMap<readonly X509Certificate[], Map<string, X509Certificate>>();

  constructor(private readonly tls: TlsContext) {}

  /** Verifies a parsed message's signature. Consumes the parser's document: call it last. */
  check(parsed: ParsedEbxmlMessage, envelope: ReadEnvelope): SignatureCheck {
    if (!parsed.signaturePresent) return { present: false };
    const anchors = this.tls.current.caCertificates;
    const accepted = this.acceptedFor(anchors);
    const signerText = onlySignerCertificate(envelope);
    const known = signerText === undefined ? undefined : accepted.get(signerText);
    const result = verifyEnvelope(
      { doc: envelope.doc, text: parsed.envelopeXml },
      {
        trusted: known ? [known] : anchors,
        manifestHrefs: manifestHrefs(parsed),
        parts: new Map(parsed.parts.map((p) => [p.contentId, p.content])),
        at: parseTimestamp(parsed.header.timestamp),
      },
    );
    if (!result.present) return { present: false };
    if (!result.valid) return { present: true, valid: false, reason: result.reason };
    // Remembered only when the certificate xmldsig used is the one found above.
    if (signerText !== undefined && !known && result.signer.raw.toString('base64') === signerText) {
      if (accepted.size >= MAX_SIGNERS) accepted.clear();
      accepted.set(signerText, result.signer);
    }
    return { present: true, valid: true };
  }

  private acceptedFor(anchors: readonly X509Certificate[]): Map<string, X509Certificate> {
    let accepted = this.#accepted.get(anchors);
    if (!accepted) {
      accepted = new Map();
      this.#accepted.set(anchors, accepted);
    }
    return accepted;
  }
}

/** The signer certificate's base64 text (whitespace removed, as xmldsig reads it) when there is exactly one. */
function onlySignerCertificate(envelope: ReadEnvelope): string | undefined {
  const found = elements(envelope.doc.root, SIGNER_CERTIFICATE);
  return found.length === 1 ? found[0]!.content.replace(/\s+/g, '') : undefined;
}

function manifestHrefs(parsed: ParsedEbxmlMessage): string[] {
  const hrefs: string[] = [];
  for (const reference of parsed.manifest) if (reference.href.startsWith('cid:')) hrefs.push(reference.href);
  return hrefs;
}
