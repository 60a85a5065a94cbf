// Signing per the ebMS 2.0 profile. The envelope text is only ever extended by string insertion
// of the ds:Signature. What is signed is computed without libxml2 for the plain XML we build
// ourselves (plain-envelope.ts, about a tenth of the cost), by libxml2 for any other envelope;
// libxml2 never writes the text back.
import crypto from 'node:crypto';
import { withXml, type XmlDocument, type XmlElement } from '../../xml/index.js';
import { type C14nOptions, canonicalSignedInfo, envelopeDigest as envelopeDigestOf } from './c14n.js';
import { allSignatures, childElements, isDs, qualifiedName, soapHeader } from './envelope.js';
import { insertIntoHeader } from './insert.js';
import { plainC14n } from './plain-c14n.js';
import { type PlainEnvelope, readPlainEnvelope } from './plain-envelope.js';
import {
  C14N_URI,
  type C14nKind,
  type DigestName,
  SIGNATURE_METHODS,
  type SignatureAlgorithm,
} from './profile.js';
import { SIGNATURE_DECLARES, type SignatureTemplate, signatureXml, signedInfoXml } from './template.js';

export interface SigningIdentity {
  privateKey: crypto.KeyObject;
  certificate: crypto.X509Certificate;
}

export interface SignOptions {
  /** Default `rsa-sha256`; the digest algorithm follows (SHA-1 with `rsa-sha1`). */
  algorithm?: SignatureAlgorithm;
  /** Default `inclusive`; used for SignedInfo and as the last `URI=""` transform. */
  c14n?: C14nKind;
}

const MIN_RSA_BITS = 2048;

/**
 * Inserts ds:Signature as the LAST child of the SOAP Header (whatever its prefix) by string
 * insertion, computes the URI="" reference (enveloped + ebXML XPath filter + C14N) and one
 * reference per cid: part (href `cid:${contentId}` over the decoded part bytes), canonicalises
 * SignedInfo in place, signs. Returns the complete signed envelope text. Never re-serialises
 * the document.
 */
export function signEnvelope(
  envelopeXml: string,
  parts: { contentId: string; content: Buffer }[],
  identity: SigningIdentity,
  options: SignOptions = {},
): string {
  return signEnvelopeVia('any', envelopeXml, parts, identity, options);
}

/**
 * `any` reads an envelope in the plain subset (all we build) without libxml2, canonicalising it
 * in the same pass, and any other envelope with libxml2; `libxml2` always parses. Both give the
 * same bytes, and fail the same way: the equivalence tests compare them through this function.
 */
export function signEnvelopeVia(
  way: 'any' | 'libxml2',
  envelopeXml: string,
  parts: { contentId: string; content: Buffer }[],
  identity: SigningIdentity,
  options: SignOptions = {},
): string {
  const method = SIGNATURE_METHODS[options.algorithm ?? 'rsa-sha256'];
  const c14n = { kind: options.c14n ?? 'inclusive' } as const;
  checkIdentity(identity);
  checkParts(parts);
  const digest = (data: string | Buffer) => crypto.createHash(method.hash).update(data).digest('base64');
  const template: SignatureTemplate = {
    c14nUri: C14N_URI[c14n.kind],
    signatureUri: method.uri,
    digestUri: method.digestUri,
    envelope: { uri: '', digestValue: '' },
    parts: parts.map((part) => ({ uri: `cid:${part.contentId}`, digestValue: digest(part.content) })),
    signatureValue: '',
    certificateBase64: certificateBase64(identity.certificate),
  };
  const plain = way === 'any' && c14n.kind === 'inclusive' ? readPlainEnvelope(envelopeXml) : undefined;
  const signing =
    (plain && plainWay(envelopeXml, plain, template, digest)) ??
    libxml2Way(envelopeXml, template, c14n, method.hash);
  template.envelope.digestValue = signing.envelopeDigest;
  template.signatureValue = crypto
    .sign(method.hash, Buffer.from(signing.signedInfo, 'utf8'), identity.privateKey)
    .toString('base64');
  return signing.insert(signatureXml(template));
}

interface Signing {
  envelopeDigest: string;
  /** Canonical ds:SignedInfo with that digest in it: the bytes the RSA signature covers. */
  signedInfo: string;
  insert: (signature: string) => string;
}

/** Both canonical texts by string operations: the envelope's came with reading it. */
function plainWay(
  envelopeXml: string,
  plain: PlainEnvelope,
  template: SignatureTemplate,
  digest: (data: string) => string,
): Signing | undefined {
  const envelopeDigest = digest(plain.canonical);
  const scope = new Map(plain.headerScope).set(...SIGNATURE_DECLARES);
  const info = signedInfoXml({ ...template, envelope: { uri: '', digestValue: envelopeDigest } });
  const signedInfo = plainC14n(info, { document: false, scope, apex: true });
  if (signedInfo === undefined) return undefined;
  const at = plain.headerEnd;
  return {
    envelopeDigest,
    signedInfo,
    insert: (signature) => envelopeXml.slice(0, at) + signature + envelopeXml.slice(at),
  };
}

/** Two libxml2 parses: one to find the Header, one with the signature skeleton in place. */
function libxml2Way(
  envelopeXml: string,
  template: SignatureTemplate,
  c14n: C14nOptions,
  hash: DigestName,
): Signing {
  const headerQName = withXml(envelopeXml, (doc) => {
    const header = soapHeader(doc);
    if (!header) throw new Error('cannot sign: envelope has no SOAP 1.1 Envelope/Header');
    if (allSignatures(doc).length > 0)
      throw new Error('cannot sign: envelope already contains a ds:Signature');
    return qualifiedName(header);
  });
  const insert = (signature: string) => insertIntoHeader(envelopeXml, headerQName, signature);
  // The signature subtree is outside the URI="" node set, so empty values do not change it; the
  // envelope is still digested with the skeleton in place so the whitespace around it is final.
  // SignedInfo is canonicalised from the same parse: the only value missing from it is that
  // digest, the first and only empty ds:DigestValue, whose base64 text C14N leaves as it is.
  return withXml(insert(signatureXml(template)), (doc) => {
    const signature = insertedSignature(doc);
    const info = childElements(signature).find((el) => isDs(el, 'SignedInfo'));
    if (!info) throw new Error('cannot sign: ds:SignedInfo missing from our own template');
    const canonicalInfo = canonicalSignedInfo(info, c14n);
    // Last: canonicalising the envelope removes the signature from this parse.
    const envelopeDigest = envelopeDigestOf(doc, signature, c14n, hash).toString('base64');
    return { envelopeDigest, signedInfo: fillEnvelopeDigest(canonicalInfo, envelopeDigest), insert };
  });
}

/** The certificate's DER in base64, once per certificate. */
const certificateTexts = new WeakMap<crypto.X509Certificate, string>();

function certificateBase64(certificate: crypto.X509Certificate): string {
  let text = certificateTexts.get(certificate);
  if (text === undefined) {
    text = certificate.raw.toString('base64');
    certificateTexts.set(certificate, text);
  }
  return text;
}

const EMPTY_DIGEST = '<ds:DigestValue></ds:DigestValue>';

/** Puts the envelope digest into canonical SignedInfo text made while it was still empty. */
function fillEnvelopeDigest(canonical: string, digestValue: string): string {
  const at = canonical.indexOf(EMPTY_DIGEST);
  if (at < 0 || at !== canonical.indexOf('<ds:DigestValue>'))
    throw new Error('cannot sign: the URI="" reference is not the first ds:Reference of our SignedInfo');
  return `${canonical.slice(0, at)}<ds:DigestValue>${digestValue}</ds:DigestValue>${canonical.slice(at + EMPTY_DIGEST.length)}`;
}

/** Our ds:Signature: the Header's last element child, and the only signature in the document. */
function insertedSignature(doc: XmlDocument): XmlElement {
  const header = soapHeader(doc);
  const last = header ? childElements(header).at(-1) : undefined;
  if (!last || !isDs(last, 'Signature') || allSignatures(doc).length !== 1) {
    throw new Error('cannot sign: inserted ds:Signature is not the last child of the SOAP Header');
  }
  return last;
}

/** Keys already checked against their certificate: the check costs more than the signature itself. */
const checkedKeys = new WeakMap<crypto.KeyObject, crypto.X509Certificate>();

function checkIdentity({ privateKey, certificate }: SigningIdentity): void {
  if (checkedKeys.get(privateKey) === certificate) return;
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error('cannot sign: signing key must be an RSA private key');
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new Error(`cannot sign: RSA key is ${bits} bits, under ${MIN_RSA_BITS}`);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error('cannot sign: private key does not match the signing certificate');
  }
  checkedKeys.set(privateKey, certificate);
}

function checkParts(parts: { contentId: string }[]): void {
  const seen = new Set<string>();
  for (const { contentId } of parts) {
    if (!contentId || /[<>\s]/.test(contentId)) {
      throw new Error(
        `cannot sign: Content-ID "${contentId}" must be non-empty, without angle brackets or spaces`,
      );
    }
    if (seen.has(contentId)) throw new Error(`cannot sign: duplicate Content-ID ${contentId}`);
    seen.add(contentId);
  }
}
