import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EBXML_XPATH_FILTER,
  type SigningIdentity,
  signEnvelope,
  type VerifyOptions,
  type VerifyResult,
  verifyEnvelope,
} from '../../../../src/security/xmldsig/index.js';
import { element, escapeXml, parseXml } from '../../../../src/xml/index.js';
import { expectValidEnvelope } from '../../schemas/assertions.js';
import {
  ATTACHMENT_CID,
  ebxmlEnvelope,
  HL7_CID,
  HL7_PAYLOAD,
  MANIFEST_HREFS,
  PARTS,
  partsMap,
  replaceOnce,
  signatureText,
  trickyEnvelope,
} from './envelope-fixture.js';
import { expectGolden } from './golden.js';
import { createTestPki, type TestPki } from './pki-fixture.js';

let pki: TestPki;
let identity: SigningIdentity;

beforeAll(() => {
  pki = createTestPki();
  identity = { privateKey: pki.leaf.privateKey, certificate: pki.leaf.certificate };
});
afterAll(() => pki?.cleanup());

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return { trusted: [pki.ca.certificate], manifestHrefs: MANIFEST_HREFS, parts: partsMap(), ...overrides };
}

function reasonOf(result: VerifyResult): string {
  if (!result.present) return 'no signature';
  return result.valid ? 'valid' : result.reason;
}

function signDefault(envelope = ebxmlEnvelope()): string {
  return signEnvelope(envelope, PARTS, identity);
}

describe('signEnvelope + verifyEnvelope', () => {
  for (const soap of ['SOAP', 'soap', 'SOAP-ENV']) {
    for (const c14n of ['inclusive', 'exclusive'] as const) {
      it(`round-trips with prefix ${soap} and ${c14n} C14N`, () => {
        const envelope = ebxmlEnvelope(soap);
        const signed = signEnvelope(envelope, PARTS, identity, { c14n });
        const signature = signatureText(signed);
        // Pure insertion as the Header's last child: removing it gives back the input byte for byte.
        expect(signed.replace(signature, '')).toBe(envelope);
        expect(signed).toContain(`</ds:Signature></${soap}:Header>`);
        expectValidEnvelope(signed, 'signed envelope');
        const result = verifyEnvelope(signed, options());
        expect(reasonOf(result)).toBe('valid');
        expect(result.present && result.valid && result.signer.subject).toBe('CN=leaf.test');
      });
    }
  }

  it('declares the ebXML XPath filter with its prefix bound on ds:XPath', () => {
    const signature = signatureText(signDefault());
    expect(signature).toContain(
      `<ds:XPath xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">${EBXML_XPATH_FILTER}</ds:XPath>`,
    );
    expect(EBXML_XPATH_FILTER).toBe(
      'not(ancestor-or-self::node()[@SOAP-ENV:actor="urn:oasis:names:tc:ebxml-msg:actor:nextMSH"] | ' +
        'ancestor-or-self::node()[@SOAP-ENV:actor="http://schemas.xmlsoap.org/soap/actor/next"])',
    );
  });

  it('matches the golden signed envelope (signature value and certificate masked)', () => {
    const signed = signDefault();
    expectValidEnvelope(signed, 'signed envelope');
    const masked = signed
      .replace(
        /<ds:SignatureValue>[A-Za-z0-9+/=]{300,}<\/ds:SignatureValue>/,
        '<ds:SignatureValue>…</ds:SignatureValue>',
      )
      .replace(
        /<ds:X509Certificate>[A-Za-z0-9+/=]{300,}<\/ds:X509Certificate>/,
        '<ds:X509Certificate>…</ds:X509Certificate>',
      );
    expect(masked).not.toBe(signed);
    expectGolden('signed-envelope.xml', masked);
  });

  it('signs with RSA-SHA1 and SHA-1 digests when asked, verifiable only with allowSha1', () => {
    const signed = signEnvelope(ebxmlEnvelope(), PARTS, identity, { algorithm: 'rsa-sha1' });
    expect(signed).toContain('Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"');
    expect(signed).toContain('<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>');
    expectValidEnvelope(signed, 'RSA-SHA1 signed envelope');
    expect(reasonOf(verifyEnvelope(signed, options({ allowSha1: true })))).toBe('valid');
    expect(reasonOf(verifyEnvelope(signed, options()))).toBe(
      'signature algorithm http://www.w3.org/2000/09/xmldsig#rsa-sha1 is not allowed',
    );
  });

  it('accepts a pinned signer certificate as the trust anchor', () => {
    expect(reasonOf(verifyEnvelope(signDefault(), options({ trusted: [pki.leaf.certificate] })))).toBe(
      'valid',
    );
  });

  it('signs an envelope whose Header is an empty element', () => {
    const envelope = ebxmlEnvelope().replace(/<SOAP:Header>[\s\S]*<\/SOAP:Header>/, '<SOAP:Header />');
    const signed = signEnvelope(envelope, [], identity);
    expect(signed).toMatch(/<SOAP:Header><ds:Signature [\s\S]*<\/ds:Signature><\/SOAP:Header>/);
    expectValidEnvelope(signed, 'signed envelope with an otherwise empty Header');
    expect(reasonOf(verifyEnvelope(signed, options({ manifestHrefs: [] })))).toBe('valid');
  });

  it('is not fooled by Header end tags inside comments and CDATA', () => {
    const envelope = ebxmlEnvelope().replace(
      '<eb:DuplicateElimination/>',
      '<!-- </SOAP:Header> --><eb:DuplicateElimination/><eb:Note><![CDATA[</SOAP:Header>]]></eb:Note>',
    );
    const signed = signEnvelope(envelope, PARTS, identity);
    expect(signed).toContain('</ds:Signature></SOAP:Header>');
    expect(reasonOf(verifyEnvelope(signed, options()))).toBe('valid');
  });

  it('round-trips arbitrary header text (escaping and Unicode through C14N)', () => {
    const xmlChar = fc
      .string({ unit: 'grapheme', maxLength: 40 })
      .filter((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\r\uFFFE\uFFFF]/.test(s));
    fc.assert(
      fc.property(xmlChar, (cpaId) => {
        const signed = signEnvelope(ebxmlEnvelope('SOAP', escapeXml(cpaId)), PARTS, identity);
        return reasonOf(verifyEnvelope(signed, options())) === 'valid';
      }),
      { numRuns: 25 },
    );
  });

  it('refuses to sign twice, without a Header, or with a key that does not match the certificate', () => {
    expect(() => signEnvelope(signDefault(), PARTS, identity)).toThrow('already contains a ds:Signature');
    const noHeader = ebxmlEnvelope().replace(/<SOAP:Header>[\s\S]*<\/SOAP:Header>/, '');
    expect(() => signEnvelope(noHeader, PARTS, identity)).toThrow('no SOAP 1.1 Envelope/Header');
    const mismatched = { privateKey: pki.stranger.privateKey, certificate: pki.leaf.certificate };
    expect(() => signEnvelope(ebxmlEnvelope(), PARTS, mismatched)).toThrow('does not match');
    const weak = { privateKey: pki.weak.privateKey, certificate: pki.weak.certificate };
    expect(() => signEnvelope(ebxmlEnvelope(), PARTS, weak)).toThrow('1024 bits');
    expect(() => signEnvelope(ebxmlEnvelope(), [PARTS[0]!, PARTS[0]!], identity)).toThrow(
      'duplicate Content-ID',
    );
  });
});

describe('what the URI="" reference covers', () => {
  it('fails when a signed header value changes', () => {
    const tampered = replaceOnce(signDefault(), '<eb:CPAId>S20001A000182<', '<eb:CPAId>S20001A000183<');
    expect(reasonOf(verifyEnvelope(tampered, options()))).toBe('digest mismatch for URI=""');
  });

  it('fails when a body value changes', () => {
    const tampered = replaceOnce(signDefault(), 'Referral letter &amp; notes', 'Referral letter');
    expect(reasonOf(verifyEnvelope(tampered, options()))).toBe('digest mismatch for URI=""');
  });

  it('still verifies when the nextMSH AckRequested and actor/next SyncReply change', () => {
    let tampered = replaceOnce(
      signDefault(),
      'nextMSH" eb:signed="false"/>',
      'nextMSH" eb:signed="true"><eb:X>hop</eb:X></eb:AckRequested>',
    );
    tampered = replaceOnce(tampered, 'soap/actor/next"/>', 'soap/actor/next" eb:extra="1"/>');
    expect(reasonOf(verifyEnvelope(tampered, options()))).toBe('valid');
  });

  it('hides whole nextMSH / actor-next subtrees, with their attributes and namespace nodes, and nothing else', () => {
    const signed = signEnvelope(trickyEnvelope(), [], identity);
    const verify = (xml: string) => reasonOf(verifyEnvelope(xml, options({ manifestHrefs: [] })));
    expect(verify(signed)).toBe('valid');
    // Inside hidden subtrees: attributes, namespace declarations, text, comments may all change.
    const hiddenEdits: [string, string][] = [
      [
        'xmlns="urn:example:default" xmlns:x="urn:example:x" x:flag="1" xml:lang="en"',
        'xmlns="urn:other" xmlns:x="urn:example:x" x:flag="2" xml:lang="fr"',
      ],
      ['<Inner x:attr="a">text<x:Deeper/></Inner>', '<Inner x:attr="b">changed</Inner>'],
      ['<!-- hidden comment -->', '<!-- other -->'],
      ['xmlns:y="urn:example:y"><y:Gone>gone</y:Gone>', 'xmlns:y="urn:example:z"><y:Gone>replaced</y:Gone>'],
    ];
    for (const [from, to] of hiddenEdits) expect(verify(replaceOnce(signed, from, to))).toBe('valid');
    // Look-alikes and the blocks around the hidden ones stay signed.
    const signedEdits: [string, string][] = [
      ['mistyped stays signed', 'mistyped changed'],
      ['unqualified stays signed', 'unqualified changed'],
      ['actor:toPartyMSH" eb:signed="false"', 'actor:toPartyMSH" eb:signed="true"'],
      ['<x:Kept>kept</x:Kept>', '<x:Kept>changed</x:Kept>'],
      ['<x:After/>', '<x:After a="1"/>'],
    ];
    for (const [from, to] of signedEdits) {
      expect(verify(replaceOnce(signed, from, to)), from).toBe('digest mismatch for URI=""');
    }
  });
});

describe('verification refusals', () => {
  const refusal = (xml: string, overrides: Partial<VerifyOptions> = {}) =>
    reasonOf(verifyEnvelope(xml, options(overrides)));

  it('reports an unsigned envelope as not present', () => {
    expect(verifyEnvelope(ebxmlEnvelope(), options())).toEqual({ present: false });
  });

  it('fails when an attachment byte changes', () => {
    const parts = partsMap();
    const changed = Buffer.from(parts.get(ATTACHMENT_CID)!);
    changed[3] = (changed[3] ?? 0) ^ 0x01;
    parts.set(ATTACHMENT_CID, changed);
    expect(refusal(signDefault(), { parts })).toBe(`digest mismatch for cid:${ATTACHMENT_CID}`);
  });

  it('fails when a signed part is not supplied', () => {
    const parts = partsMap();
    parts.delete(HL7_CID);
    expect(refusal(signDefault(), { parts })).toBe(`no MIME part for cid:${HL7_CID}`);
  });

  it('fails on a reference the manifest does not have', () => {
    expect(refusal(signDefault(), { manifestHrefs: [`cid:${HL7_CID}`] })).toBe(
      `unexpected reference cid:${ATTACHMENT_CID} (not in the manifest)`,
    );
    const extra = replaceOnce(
      signDefault(),
      '</ds:SignedInfo>',
      '<ds:Reference URI="#MessageHeader"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>',
    );
    expect(refusal(extra)).toBe('unexpected reference #MessageHeader (not in the manifest)');
  });

  it('fails when a manifest cid: has no reference', () => {
    const signed = signEnvelope(ebxmlEnvelope(), [{ contentId: HL7_CID, content: HL7_PAYLOAD }], identity);
    expect(refusal(signed)).toBe(`no reference for cid:${ATTACHMENT_CID}`);
  });

  it('fails on a duplicated reference', () => {
    const signed = signDefault();
    const hl7Ref = new RegExp(`<ds:Reference URI="cid:${HL7_CID}">.*?</ds:Reference>`).exec(signed)![0];
    expect(refusal(replaceOnce(signed, hl7Ref, hl7Ref + hl7Ref))).toBe(`duplicate reference cid:${HL7_CID}`);
  });

  it('fails on an altered XPath expression or actor URN', () => {
    const signed = signDefault();
    const altered = replaceOnce(signed, 'not(ancestor-or-self', 'not(descendant-or-self');
    expect(refusal(altered)).toBe('the XPath filter is not the ebXML expression');
    const wrongUrn = replaceOnce(signed, 'ebxml-msg:actor:nextMSH"]', 'ebxml-msg:service:nextMSH"]');
    expect(refusal(wrongUrn)).toBe('the XPath filter is not the ebXML expression');
    const dropped = replaceOnce(signed, / \| ancestor-or-self::node\(\)\[[^\]]*\]/, '');
    expect(refusal(dropped)).toBe('the XPath filter is not the ebXML expression');
  });

  it('compares the XPath text after whitespace normalisation only', () => {
    const signed = signDefault();
    const withXPath = (expr: string) => replaceOnce(signed, EBXML_XPATH_FILTER, expr);
    // Passes the XPath rule (then fails later, as the signed text changed)...
    const reformatted = withXPath(
      "\n not ( ancestor-or-self::node() [ @SOAP-ENV:actor = 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH' ]\n" +
        "  |  ancestor-or-self::node()[@SOAP-ENV:actor='http://schemas.xmlsoap.org/soap/actor/next'] ) ",
    );
    expect(refusal(reformatted)).toBe('signature value does not verify with the signer certificate');
    // ...but whitespace inside a name or a literal is a different expression.
    const splitName = withXPath(EBXML_XPATH_FILTER.replace('ancestor-or-self', 'ancestor - or-self'));
    expect(refusal(splitName)).toBe('the XPath filter is not the ebXML expression');
    const literalSpace = withXPath(EBXML_XPATH_FILTER.replace('actor:nextMSH"', 'actor:nextMSH "'));
    expect(refusal(literalSpace)).toBe('the XPath filter is not the ebXML expression');
    expect(refusal(withXPath(' '.repeat(5000) + EBXML_XPATH_FILTER))).toBe(
      'the XPath filter is not the ebXML expression',
    );
  });

  it('fails when the XPath prefix is bound to another namespace', () => {
    const rebound = replaceOnce(
      signDefault(),
      '<ds:XPath xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">',
      '<ds:XPath xmlns:SOAP-ENV="urn:not-soap">',
    );
    expect(refusal(rebound)).toBe(
      "the XPath filter's prefix SOAP-ENV is not bound to the SOAP envelope namespace",
    );
  });

  it('fails when the envelope transforms are not exactly the three', () => {
    const signed = signDefault();
    const noEnveloped = replaceOnce(
      signed,
      '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>',
      '',
    );
    expect(refusal(noEnveloped)).toBe('the envelope reference must have exactly 3 transforms, found 2');
    const withComments = replaceOnce(
      signed,
      '<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>',
      '<ds:Transform Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"/>',
    );
    expect(refusal(withComments)).toBe(
      'last envelope transform algorithm http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments is not allowed',
    );
  });

  it('fails when a cid: reference carries transforms', () => {
    const withTransform = replaceOnce(
      signDefault(),
      `<ds:Reference URI="cid:${HL7_CID}">`,
      `<ds:Reference URI="cid:${HL7_CID}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#base64"/></ds:Transforms>`,
    );
    expect(refusal(withTransform)).toBe(`the reference for cid:${HL7_CID} must not have transforms`);
  });

  it('fails on a SHA-1 digest when SHA-1 is not allowed', () => {
    const sha1Digest = replaceOnce(
      signDefault(),
      'http://www.w3.org/2001/04/xmlenc#sha256',
      'http://www.w3.org/2000/09/xmldsig#sha1',
    );
    expect(refusal(sha1Digest)).toBe(
      'digest algorithm http://www.w3.org/2000/09/xmldsig#sha1 is not allowed',
    );
  });

  it('fails on an untrusted signer', () => {
    expect(refusal(signDefault(), { trusted: [pki.stranger.certificate] })).toBe(
      'signer certificate "CN=leaf.test" is not trusted',
    );
  });

  it('fails when the certificate is not valid at the message timestamp or now', () => {
    const at = new Date('2001-01-01T00:00:00Z');
    expect(refusal(signDefault(), { at })).toBe(
      'signer certificate is not valid at the message time 2001-01-01T00:00:00.000Z',
    );
    const now = new Date('2100-01-01T00:00:00Z');
    expect(refusal(signDefault(), { now })).toBe(
      'signer certificate is not valid now (2100-01-01T00:00:00.000Z)',
    );
    expect(refusal(signDefault(), { at: new Date(), now: new Date() })).toBe('valid');
  });

  it('fails when the signature value or the KeyInfo certificate is swapped', () => {
    const signed = signDefault();
    const value = /<ds:SignatureValue>([^<]+)</.exec(signed)![1]!;
    const flipped = value.startsWith('A') ? `B${value.slice(1)}` : `A${value.slice(1)}`;
    expect(refusal(replaceOnce(signed, value, flipped))).toBe(
      'signature value does not verify with the signer certificate',
    );
    const strangerB64 = pki.stranger.certificate.raw.toString('base64');
    const swapped = replaceOnce(signed, pki.leaf.certificate.raw.toString('base64'), strangerB64);
    expect(refusal(swapped, { trusted: [pki.ca.certificate, pki.stranger.certificate] })).toBe(
      'signature value does not verify with the signer certificate',
    );
  });

  it('fails on two signatures, or one outside the SOAP Header', () => {
    const signed = signDefault();
    const signature = signatureText(signed);
    expect(refusal(replaceOnce(signed, '</SOAP:Body>', `${signature}</SOAP:Body>`))).toBe(
      'expected exactly one ds:Signature, found 2',
    );
    const moved = replaceOnce(signed.replace(signature, ''), '</SOAP:Body>', `${signature}</SOAP:Body>`);
    expect(refusal(moved)).toBe('ds:Signature is not a direct child of the SOAP Header');
    const wrapped = replaceOnce(signed, signature, `<eb:Wrapper>${signature}</eb:Wrapper>`);
    expect(refusal(wrapped)).toBe('ds:Signature is not a direct child of the SOAP Header');
  });

  it('fails on ds:Object and on a missing KeyInfo certificate', () => {
    const signed = signDefault();
    const withObject = replaceOnce(signed, '</ds:KeyInfo>', '</ds:KeyInfo><ds:Object>x</ds:Object>');
    expect(refusal(withObject)).toBe('unexpected {http://www.w3.org/2000/09/xmldsig#}Object in ds:Signature');
    const noCert = replaceOnce(signed, /<ds:X509Data>.*<\/ds:X509Data>/, '<ds:KeyName>leaf</ds:KeyName>');
    expect(refusal(noCert)).toBe('ds:KeyInfo carries no ds:X509Certificate');
  });
});

describe('limits and coverage (issue 13)', () => {
  const refusal = (xml: string, overrides: Partial<VerifyOptions> = {}) =>
    reasonOf(verifyEnvelope(xml, options(overrides)));
  const NEXT_MSH = 'SOAP:actor="urn:oasis:names:tc:ebxml-msg:actor:nextMSH"';

  it('refuses more left-out blocks than the cap, and accepts up to it', () => {
    const signed = signDefault();
    // The fixture leaves out two blocks itself (AckRequested, SyncReply).
    const blocks = (n: number) => `<x:Hop xmlns:x="urn:hop" ${NEXT_MSH}>hop</x:Hop>`.repeat(n);
    expect(refusal(replaceOnce(signed, '<SOAP:Header>', `<SOAP:Header>${blocks(14)}`))).toBe('valid');
    expect(refusal(replaceOnce(signed, '<SOAP:Header>', `<SOAP:Header>${blocks(15)}`))).toBe(
      '17 elements carry a next-MSH SOAP actor the signature leaves out; at most 16 are allowed',
    );
  });

  it('refuses more references than the cap before reading any of them', () => {
    const reference = '<ds:Reference URI="cid:x"/>';
    const many = replaceOnce(signDefault(), '</ds:SignedInfo>', `${reference.repeat(100)}</ds:SignedInfo>`);
    expect(refusal(many)).toBe('ds:SignedInfo has 103 references; at most 101 are allowed');
  });

  it('refuses an InclusiveNamespaces PrefixList over the cap', () => {
    const signed = signEnvelope(ebxmlEnvelope(), PARTS, identity, { c14n: 'exclusive' });
    const prefixes = Array.from({ length: 33 }, (_, i) => `p${i}`).join(' ');
    const listed = replaceOnce(
      signed,
      /<ds:CanonicalizationMethod Algorithm="http:\/\/www.w3.org\/2001\/10\/xml-exc-c14n#"\/>/,
      `<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="${prefixes}"/></ds:CanonicalizationMethod>`,
    );
    expect(refusal(listed)).toBe(
      'InclusiveNamespaces in ds:CanonicalizationMethod lists 33 prefixes; at most 32 are allowed',
    );
  });

  it('checks the nodes the caller read by identity: a forged copy is refused, the signed one passes', () => {
    const signed = signDefault();
    const forged = `<eb:MessageHeader ${NEXT_MSH}><eb:CPAId>forged</eb:CPAId></eb:MessageHeader>`;
    const wrapped = replaceOnce(signed, '<SOAP:Header>', `<SOAP:Header>${forged}`);
    const verifyReading = (which: 'forged' | 'signed') => {
      const doc = parseXml(wrapped);
      try {
        const headers = doc.root.find('//eb:MessageHeader', {
          eb: 'http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd',
        });
        const read = headers[which === 'forged' ? 0 : 1]!;
        expect(element(read, 'eb:CPAId')?.content).toBe(which === 'forged' ? 'forged' : 'S20001A000182');
        return reasonOf(verifyEnvelope({ doc, text: wrapped }, options({ covering: [read as never] })));
      } finally {
        doc.dispose();
      }
    };
    expect(verifyReading('forged')).toBe(
      'eb:MessageHeader is not covered by the signature (it carries a next-MSH SOAP actor)',
    );
    expect(verifyReading('signed')).toBe('valid');
  });

  it('refuses a read element that contains a left-out block', () => {
    const signed = signDefault();
    const inside = replaceOnce(signed, '<eb:CPAId>', `<x:Hop xmlns:x="urn:hop" ${NEXT_MSH}/><eb:CPAId>`);
    const doc = parseXml(inside);
    try {
      const header = element(doc.root, 'soap:Header/eb:MessageHeader')!;
      expect(reasonOf(verifyEnvelope({ doc, text: inside }, options({ covering: [header] })))).toBe(
        'eb:MessageHeader contains x:Hop, which the signature does not cover',
      );
    } finally {
      doc.dispose();
    }
  });

  it('bounds the namespace declarations, and inclusive C14N work, before any C14N', () => {
    const signed = signDefault();
    const decls = (n: number) => Array.from({ length: n }, (_, i) => ` xmlns:p${i}="urn:p${i}"`).join('');
    // 2,000 declarations over 2,000 elements took libxml2 29 s of CPU before this cap.
    const many = replaceOnce(signed, '<SOAP:Body', `<SOAP:Body${decls(2000)}`);
    expect(refusal(many)).toMatch(
      /^the envelope declares 20\d\d namespaces; at most 32 are allowed in a signed message$/,
    );
    // 200,000 elements under ~22 declarations: over the inclusive C14N budget, well under the size limit.
    const body = `<Bulk${decls(16)}>${'<a/>'.repeat(200_000)}</Bulk>`;
    const large = replaceOnce(signed, '</SOAP:Body>', `${body}</SOAP:Body>`);
    expect(refusal(large)).toMatch(
      /^inclusive C14N of 200\d{3} elements under 2\d namespace declarations is over the work allowed; sign with exclusive C14N$/,
    );
  });
});
