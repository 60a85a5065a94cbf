// The ebMS 2.0 (§4.1) XMLDSig profile as fixed data: algorithm URIs, the allow-lists and the
// XPath filter text. Verification compares against these; nothing here evaluates XPath.
import { ACTOR_NEXT_MSH, ACTOR_SOAP_NEXT } from '../../ebxml/index.js';

export type SignatureAlgorithm = 'rsa-sha256' | 'rsa-sha1';
export type C14nKind = 'inclusive' | 'exclusive';
export type DigestName = 'sha256' | 'sha1';

export const ALG = {
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  xpath: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
} as const;

/** The prefix our signatures bind on `ds:XPath` itself (Hermes style). */
export const XPATH_SOAP_PREFIX = 'SOAP-ENV';

/** The ebXML filter: drop every node that is, or is inside, an element addressed to the next MSH. */
export const EBXML_XPATH_FILTER =
  `not(ancestor-or-self::node()[@${XPATH_SOAP_PREFIX}:actor="${ACTOR_NEXT_MSH}"] | ` +
  `ancestor-or-self::node()[@${XPATH_SOAP_PREFIX}:actor="${ACTOR_SOAP_NEXT}"])`;

/** SOAP actor values whose header blocks are outside the `URI=""` digest. */
export const UNSIGNED_ACTORS: readonly string[] = [ACTOR_NEXT_MSH, ACTOR_SOAP_NEXT];

/**
 * What one signature may make us process. A Spine message leaves two or three blocks unsigned
 * (AckRequested, SyncReply, a hop Acknowledgment) and references the envelope plus at most 100
 * MIME parts; anything past these is refused before any canonicalisation or digest.
 */
export const SIGNATURE_LIMITS = {
  unsignedBlocks: 16,
  references: 101,
  /** enveloped-signature, the ebXML XPath filter, C14N: the profile allows exactly these. */
  envelopeTransforms: 3,
  inclusivePrefixes: 32,
  /** Namespace declarations in the whole envelope (a Spine envelope has about six). */
  namespaceDeclarations: 32,
  /**
   * libxml2's inclusive C14N visits, for every element, every namespace declared on its ancestors,
   * and looks each one up again: elements × declarations² (2,000 declarations over 2,000 elements,
   * a 54 KB document, took 29 s of CPU). A 5 MB body of empty elements under six declarations is
   * 46 M; past this the message must use exclusive C14N, which does not have the cost.
   */
  inclusiveC14nWork: 64_000_000,
} as const;

export const C14N_URI: Record<C14nKind, string> = { inclusive: ALG.c14n, exclusive: ALG.excC14n };

export function c14nKind(uri: string): C14nKind | undefined {
  if (uri === ALG.c14n) return 'inclusive';
  if (uri === ALG.excC14n) return 'exclusive';
  return undefined;
}

interface SignatureMethod {
  uri: string;
  /** node:crypto hash name for sign/verify and for our digests. */
  hash: DigestName;
  digestUri: string;
}

export const SIGNATURE_METHODS: Record<SignatureAlgorithm, SignatureMethod> = {
  'rsa-sha256': { uri: ALG.rsaSha256, hash: 'sha256', digestUri: ALG.sha256 },
  'rsa-sha1': { uri: ALG.rsaSha1, hash: 'sha1', digestUri: ALG.sha1 },
};

/** Signature method by URI, honouring the SHA-1 switch; undefined means refused. */
export function signatureHash(uri: string, allowSha1: boolean): DigestName | undefined {
  if (uri === ALG.rsaSha256) return 'sha256';
  if (uri === ALG.rsaSha1 && allowSha1) return 'sha1';
  return undefined;
}

export function digestHash(uri: string, allowSha1: boolean): DigestName | undefined {
  if (uri === ALG.sha256) return 'sha256';
  if (uri === ALG.sha1 && allowSha1) return 'sha1';
  return undefined;
}

/**
 * Whitespace-normalises an XPath expression for comparison: whitespace next to punctuation is
 * dropped, other runs become one space; string literals are kept verbatim but always
 * double-quoted, so `'x'` and `"x"` compare equal.
 */
export function normaliseXPath(expr: string): string {
  const literal = /"[^"]*"|'[^']*'/y;
  let out = '';
  let previousTight = true;
  let pendingSpace = false;
  let i = 0;
  while (i < expr.length) {
    literal.lastIndex = i;
    const lit = literal.exec(expr)?.[0];
    const ch = expr[i]!;
    if (lit === undefined && /\s/.test(ch)) {
      pendingSpace = true;
      i += 1;
      continue;
    }
    const tight = lit !== undefined || PUNCTUATION.has(ch);
    if (pendingSpace && !tight && !previousTight) out += ' ';
    out += lit === undefined ? ch : `"${lit.slice(1, -1)}"`;
    previousTight = tight;
    pendingSpace = false;
    i += lit === undefined ? 1 : lit.length;
  }
  return out;
}

const PUNCTUATION = new Set(['(', ')', '[', ']', '|', '=', '@', ',', ':', '"', "'"]);

/** The prefix the expression uses for the actor attribute, if it has the ebXML shape at all. */
export function actorPrefix(normalisedExpr: string): string | undefined {
  return /@([^\s:@[\]=()|"']+):actor/.exec(normalisedExpr)?.[1];
}

/** The ebXML expression rewritten to use `prefix`, normalised for comparison. */
export function expectedXPath(prefix: string): string {
  return normaliseXPath(EBXML_XPATH_FILTER.replaceAll(`@${XPATH_SOAP_PREFIX}:`, `@${prefix}:`));
}
