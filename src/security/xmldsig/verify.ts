// Verification with the profile hard-wired: one signature in the SOAP Header, allow-listed
// algorithms, exactly the expected references and transforms, a trusted signer. Anything else
// is refused with a one-line reason; nothing in the signature is evaluated as XPath. What the
// caller reads must be what the signature covers: checked on the caller's own nodes.
import crypto from 'node:crypto';
import { attribute, count, withXml, type XmlDocument, type XmlElement } from '../../xml/index.js';
import {
  type C14nOptions,
  canonicalSignedInfo,
  envelopeDigest,
  unsignedBlockCount,
  unsignedBlocks,
} from './c14n.js';
import { allSignatures, base64Text, childElements, isDs, qualifiedName, soapHeader } from './envelope.js';
import {
  ALG,
  actorPrefix,
  c14nKind,
  type DigestName,
  digestHash,
  expectedXPath,
  normaliseXPath,
  SIGNATURE_LIMITS,
  signatureHash,
} from './profile.js';
import { signerProblem } from './trust.js';

export interface VerifyOptions {
  /** Trust anchors: the signer's certificate must be one of these or be issued by one of them (X509Certificate.checkIssued + verify(publicKey)). */
  trusted: crypto.X509Certificate[];
  /** The manifest's cid: hrefs (e.g. 'cid:ABC@spine.nhs.uk'); the reference set must equal {''} ∪ these. */
  manifestHrefs: string[];
  /** Decoded part bytes by Content-ID without angle brackets. */
  parts: Map<string, Buffer>;
  allowSha1?: boolean;
  /** Message timestamp; the certificate must be valid then and at `now`. */
  at?: Date;
  /** Defaults to the current time. */
  now?: Date;
  /**
   * The elements of this same document the caller takes values from (eb:MessageHeader,
   * eb:Acknowledgment, ...). Each must lie inside what `URI=""` covers and contain nothing it
   * leaves out, compared by node identity: the defence against signature wrapping.
   */
  covering?: XmlElement[];
}

export type VerifyResult =
  | { present: false }
  | { present: true; valid: true; signer: crypto.X509Certificate }
  | { present: true; valid: false; reason: string };

const EXC_C14N_NS = 'http://www.w3.org/2001/10/xml-exc-c14n#';
/** The ebXML expression is ~200 characters; anything far longer is refused before normalising. */
const MAX_XPATH_CHARS = 2000;

/** A verification failure; its message is the reason reported to the caller. */
class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/**
 * Verifies the envelope's ds:Signature against the ebMS 2.0 profile. Throws XmlInputError for
 * text that is not well-formed XML; every signature problem is a `valid: false` result.
 *
 * Given a parsed document (the one the caller read `covering` from), verification CONSUMES it:
 * the signature and the unsigned blocks are removed to canonicalise; dispose of it afterwards.
 */
export function verifyEnvelope(
  envelope: string | { doc: XmlDocument; text: string },
  options: VerifyOptions,
): VerifyResult {
  if (typeof envelope === 'string') {
    return withXml(envelope, (doc) => verifyDocument(doc, envelope, options));
  }
  return verifyDocument(envelope.doc, envelope.text, options);
}

function verifyDocument(doc: XmlDocument, text: string, options: VerifyOptions): VerifyResult {
  const signatures = allSignatures(doc);
  if (signatures.length === 0) return { present: false };
  try {
    return { present: true, valid: true, signer: checkSignature(doc, text, signatures, options) };
  } catch (error) {
    if (error instanceof Refusal) return { present: true, valid: false, reason: error.message };
    throw error;
  }
}

interface ParsedReference {
  uri: string;
  transforms?: XmlElement;
  hash: DigestName;
  digestValue: Buffer;
}

function checkSignature(doc: XmlDocument, text: string, signatures: XmlElement[], options: VerifyOptions) {
  const allowSha1 = options.allowSha1 ?? false;
  if (signatures.length !== 1) refuse(`expected exactly one ds:Signature, found ${signatures.length}`);
  const signature = signatures[0]!;
  const header = soapHeader(doc);
  if (!header || !signature.parent?.isSameNode(header)) {
    refuse('ds:Signature is not a direct child of the SOAP Header');
  }
  const unsignedCount = unsignedBlockCount(doc);
  if (unsignedCount > SIGNATURE_LIMITS.unsignedBlocks) {
    refuse(
      `${unsignedCount} elements carry a next-MSH SOAP actor the signature leaves out; at most ${SIGNATURE_LIMITS.unsignedBlocks} are allowed`,
    );
  }
  const unsigned = unsignedBlocks(doc);
  checkCovered(options.covering ?? [], [signature, ...unsigned]);
  const { signedInfo, signatureValue, keyInfo } = signatureChildren(signature);
  const { signedInfoC14n, signatureHashName, references } = signedInfoChildren(signedInfo, allowSha1);
  if (references.length > SIGNATURE_LIMITS.references) {
    refuse(
      `ds:SignedInfo has ${references.length} references; at most ${SIGNATURE_LIMITS.references} are allowed`,
    );
  }

  const parsed = references.map((ref) => parseReference(ref, allowSha1));
  checkReferenceSet(parsed, options.manifestHrefs);
  const envelopeC14n = envelopeTransforms(parsed.find((ref) => ref.uri === '')!);
  checkC14nCost(doc, text, envelopeC14n);
  for (const ref of parsed) {
    if (ref.uri !== '' && ref.transforms) refuse(`the reference for ${ref.uri} must not have transforms`);
  }

  const signer = keyInfoCertificate(keyInfo);
  const problem = signerProblem(signer, {
    trusted: options.trusted,
    at: options.at,
    now: options.now ?? new Date(),
  });
  if (problem) refuse(problem);

  const signatureBytes =
    strictBase64(base64Text(signatureValue)) ?? refuse('ds:SignatureValue is not base64');
  const canonical = Buffer.from(canonicalSignedInfo(signedInfo, signedInfoC14n), 'utf8');
  if (!crypto.verify(signatureHashName, canonical, signer.publicKey, signatureBytes)) {
    refuse('signature value does not verify with the signer certificate');
  }

  // The envelope last: canonicalising it removes the signature from the document.
  for (const ref of [...parsed.filter((r) => r.uri !== ''), ...parsed.filter((r) => r.uri === '')]) {
    const actual =
      ref.uri === ''
        ? envelopeDigest(doc, signature, envelopeC14n, ref.hash, unsigned)
        : crypto.createHash(ref.hash).update(partBytes(ref.uri, options.parts)).digest();
    if (!actual.equals(ref.digestValue)) refuse(`digest mismatch for ${label(ref.uri)}`);
  }
  return signer;
}

/** Bounds what C14N will cost before any is done (see SIGNATURE_LIMITS.inclusiveC14nWork). */
function checkC14nCost(doc: XmlDocument, text: string, envelopeC14n: C14nOptions): void {
  // Counted in the text, so it is at least the number of declarations (never fewer).
  const declarations = text.match(/\bxmlns(?::[^\s=]+)?\s*=/g)?.length ?? 0;
  if (declarations > SIGNATURE_LIMITS.namespaceDeclarations) {
    refuse(
      `the envelope declares ${declarations} namespaces; at most ${SIGNATURE_LIMITS.namespaceDeclarations} are allowed in a signed message`,
    );
  }
  // SignedInfo is canonicalised from a small copy; only the envelope's C14N sees every element.
  if (envelopeC14n.kind !== 'inclusive') return;
  const elementCount = count(doc.root, '//*');
  if (elementCount * declarations ** 2 > SIGNATURE_LIMITS.inclusiveC14nWork) {
    refuse(
      `inclusive C14N of ${elementCount} elements under ${declarations} namespace declarations is over the work allowed; sign with exclusive C14N`,
    );
  }
}

/**
 * Every element the caller reads is inside the `URI=""` node set: neither it nor an ancestor is
 * left out (the signature, a next-MSH block), and nothing inside it is left out either. Nodes are
 * compared by identity, so a forged copy elsewhere in the document never stands in for the one
 * the signature covers. Cost: (read elements × left-out elements × depth), all of them bounded.
 */
function checkCovered(read: XmlElement[], leftOut: XmlElement[]): void {
  const isLeftOut = (node: XmlElement) => leftOut.some((out) => out.isSameNode(node));
  for (const el of read) {
    for (let node: XmlElement | null = el; node; node = node.parent) {
      if (isLeftOut(node)) {
        refuse(
          node.isSameNode(el)
            ? `${qualifiedName(el)} is not covered by the signature (it carries a next-MSH SOAP actor)`
            : `${qualifiedName(el)} is not covered by the signature (it is inside ${qualifiedName(node)})`,
        );
      }
    }
    for (const out of leftOut) {
      for (let node = out.parent; node; node = node.parent) {
        if (node.isSameNode(el)) {
          refuse(`${qualifiedName(el)} contains ${qualifiedName(out)}, which the signature does not cover`);
        }
      }
    }
  }
}

function signatureChildren(signature: XmlElement) {
  const [signedInfo, signatureValue, keyInfo, ...extra] = childElements(signature);
  if (!signedInfo || !isDs(signedInfo, 'SignedInfo'))
    refuse('ds:Signature does not start with ds:SignedInfo');
  if (!signatureValue || !isDs(signatureValue, 'SignatureValue')) refuse('ds:SignatureValue missing');
  if (!keyInfo || !isDs(keyInfo, 'KeyInfo')) refuse('ds:KeyInfo with an X509 certificate is required');
  if (extra.length > 0) refuse(`unexpected ${describe(extra[0]!)} in ds:Signature`);
  return { signedInfo, signatureValue, keyInfo };
}

function signedInfoChildren(signedInfo: XmlElement, allowSha1: boolean) {
  const [c14nMethod, signatureMethod, ...references] = childElements(signedInfo);
  if (!c14nMethod || !isDs(c14nMethod, 'CanonicalizationMethod')) refuse('ds:CanonicalizationMethod missing');
  const signedInfoC14n = c14nOptions(c14nMethod, 'canonicalization');
  if (!signatureMethod || !isDs(signatureMethod, 'SignatureMethod')) refuse('ds:SignatureMethod missing');
  const signatureAlg = algorithmOf(signatureMethod);
  const signatureHashName =
    signatureHash(signatureAlg, allowSha1) ?? refuse(notAllowed('signature', signatureAlg));
  if (childElements(signatureMethod).length > 0) refuse('ds:SignatureMethod must not have child elements');
  return { signedInfoC14n, signatureHashName, references };
}

function parseReference(el: XmlElement, allowSha1: boolean): ParsedReference {
  if (!isDs(el, 'Reference')) refuse(`unexpected ${describe(el)} in ds:SignedInfo`);
  const uri = attribute(el, 'URI') ?? refuse('ds:Reference without a URI attribute');
  const children = childElements(el);
  const transforms = children[0] && isDs(children[0], 'Transforms') ? children.shift() : undefined;
  const [digestMethod, digestValue, ...extra] = children;
  if (!digestMethod || !isDs(digestMethod, 'DigestMethod'))
    refuse(`ds:DigestMethod missing for ${label(uri)}`);
  if (!digestValue || !isDs(digestValue, 'DigestValue')) refuse(`ds:DigestValue missing for ${label(uri)}`);
  if (extra.length > 0) refuse(`unexpected ${describe(extra[0]!)} in the reference for ${label(uri)}`);
  const digestAlg = algorithmOf(digestMethod);
  const hash = digestHash(digestAlg, allowSha1) ?? refuse(notAllowed('digest', digestAlg));
  const value =
    strictBase64(base64Text(digestValue)) ?? refuse(`digest value for ${label(uri)} is not base64`);
  return { uri, transforms, hash, digestValue: value };
}

/** Blocks signature wrapping: exactly `""` plus every manifest cid:, each once. */
function checkReferenceSet(refs: ParsedReference[], manifestHrefs: string[]): void {
  const expected = new Set(['', ...manifestHrefs]);
  const seen = new Set<string>();
  for (const { uri } of refs) {
    if (seen.has(uri)) refuse(`duplicate reference ${label(uri)}`);
    seen.add(uri);
    if (!expected.has(uri)) refuse(`unexpected reference ${label(uri)} (not in the manifest)`);
    if (uri !== '' && !uri.toLowerCase().startsWith('cid:'))
      refuse(`reference ${label(uri)} is not a cid: reference`);
  }
  for (const uri of expected) {
    if (!seen.has(uri))
      refuse(uri === '' ? 'no reference to the envelope (URI="")' : `no reference for ${uri}`);
  }
}

/** The three transforms the profile allows on URI="", in order; returns the C14N to apply. */
function envelopeTransforms(ref: ParsedReference): C14nOptions {
  if (!ref.transforms) refuse('the envelope reference has no ds:Transforms');
  const transforms = childElements(ref.transforms);
  const allowed = SIGNATURE_LIMITS.envelopeTransforms;
  if (transforms.length !== allowed || !transforms.every((t) => isDs(t, 'Transform'))) {
    refuse(`the envelope reference must have exactly ${allowed} transforms, found ${transforms.length}`);
  }
  const [enveloped, xpath, c14n] = transforms as [XmlElement, XmlElement, XmlElement];
  if (algorithmOf(enveloped) !== ALG.enveloped || childElements(enveloped).length > 0) {
    refuse('the first envelope transform must be enveloped-signature');
  }
  if (algorithmOf(xpath) !== ALG.xpath)
    refuse('the second envelope transform must be the ebXML XPath filter');
  checkXPath(xpath);
  return c14nOptions(c14n, 'last envelope transform');
}

function checkXPath(transform: XmlElement): void {
  const [xpath, ...extra] = childElements(transform);
  if (!xpath || !isDs(xpath, 'XPath') || extra.length > 0 || childElements(xpath).length > 0) {
    refuse('the XPath transform must contain exactly one ds:XPath text element');
  }
  const text = xpath.content;
  if (text.length > MAX_XPATH_CHARS) refuse('the XPath filter is not the ebXML expression');
  const received = normaliseXPath(text);
  const prefix = actorPrefix(received);
  if (!prefix || received !== expectedXPath(prefix)) refuse('the XPath filter is not the ebXML expression');
  const bound = xpath.namespaceForPrefix(prefix);
  if (bound !== 'http://schemas.xmlsoap.org/soap/envelope/') {
    refuse(`the XPath filter's prefix ${prefix} is not bound to the SOAP envelope namespace`);
  }
}

/** Inclusive or exclusive C14N (without comments), with an optional exclusive PrefixList. */
function c14nOptions(el: XmlElement, what: string): C14nOptions {
  const algorithm = algorithmOf(el);
  const kind = c14nKind(algorithm) ?? refuse(notAllowed(what, algorithm));
  const [child, ...extra] = childElements(el);
  if (!child) return { kind };
  const prefixList = attribute(child, 'PrefixList');
  if (kind !== 'exclusive' || child.namespaceUri !== EXC_C14N_NS || child.name !== 'InclusiveNamespaces') {
    refuse(`unexpected ${describe(child)} in ds:${el.name}`);
  }
  if (extra.length > 0 || prefixList === undefined) refuse(`malformed InclusiveNamespaces in ds:${el.name}`);
  const inclusivePrefixes = prefixList.split(/\s+/).filter(Boolean);
  if (inclusivePrefixes.length > SIGNATURE_LIMITS.inclusivePrefixes) {
    refuse(
      `InclusiveNamespaces in ds:${el.name} lists ${inclusivePrefixes.length} prefixes; at most ${SIGNATURE_LIMITS.inclusivePrefixes} are allowed`,
    );
  }
  return { kind, inclusivePrefixes };
}

function partBytes(uri: string, parts: Map<string, Buffer>): Buffer {
  const contentId = uri.slice('cid:'.length);
  const part = parts.get(contentId) ?? parts.get(percentDecoded(contentId));
  return part ?? refuse(`no MIME part for ${uri}`);
}

function keyInfoCertificate(keyInfo: XmlElement): crypto.X509Certificate {
  const x509Data = childElements(keyInfo).find((el) => isDs(el, 'X509Data'));
  const first = x509Data && childElements(x509Data).find((el) => isDs(el, 'X509Certificate'));
  if (!first) refuse('ds:KeyInfo carries no ds:X509Certificate');
  const text = base64Text(first);
  const known = parsedCertificates.get(text);
  if (known) return known;
  const der = strictBase64(text) ?? refuse('ds:X509Certificate is not base64');
  let certificate: crypto.X509Certificate;
  try {
    certificate = new crypto.X509Certificate(der);
  } catch {
    refuse('ds:X509Certificate cannot be parsed');
  }
  if (parsedCertificates.size >= CERTIFICATE_CACHE) parsedCertificates.clear();
  parsedCertificates.set(text, certificate);
  return certificate;
}

/**
 * A peer signs every message with the same few certificates: parse each once. Only the parsing is
 * kept; trust, validity dates and the signature are checked on every message.
 */
const parsedCertificates = new Map<string, crypto.X509Certificate>();
const CERTIFICATE_CACHE = 64;

function algorithmOf(el: XmlElement): string {
  return attribute(el, 'Algorithm') ?? refuse(`${describe(el)} has no Algorithm attribute`);
}

function strictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function notAllowed(what: string, algorithm: string): string {
  return `${what} algorithm ${algorithm} is not allowed`;
}

function label(uri: string): string {
  return uri === '' ? 'URI=""' : uri;
}

function describe(el: XmlElement): string {
  return el.namespaceUri ? `{${el.namespaceUri}}${el.name}` : el.name;
}
