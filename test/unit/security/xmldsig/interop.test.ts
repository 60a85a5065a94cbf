// Cross-checks against independent implementations: xmlsec1 (libxmlsec, both directions, cid:
// parts served with --url-map) and xmldsigjs (digests and signature value).
import * as xmldom from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setNodeDependencies } from 'xml-core';
import * as xmldsig from 'xmldsigjs';
import xpath from 'xpath';
import {
  type SigningIdentity,
  signEnvelope,
  type VerifyOptions,
  type VerifyResult,
  verifyEnvelope,
} from '../../../../src/security/xmldsig/index.js';
import {
  ATTACHMENT_CID,
  ebxmlEnvelope,
  HL7_CID,
  MANIFEST_HREFS,
  PARTS,
  partsMap,
  replaceOnce,
  trickyEnvelope,
} from './envelope-fixture.js';
import { createTestPki, type TestPki } from './pki-fixture.js';
import { xmlsecSign, xmlsecVerify } from './xmlsec-fixture.js';
import { exclusiveTemplate, indentedTemplate, withTemplate } from './xmlsec-templates.js';

let pki: TestPki;
let identity: SigningIdentity;

beforeAll(() => {
  pki = createTestPki();
  identity = { privateKey: pki.leaf.privateKey, certificate: pki.leaf.certificate };
});
afterAll(() => pki?.cleanup());

function reasonOf(result: VerifyResult): string {
  if (!result.present) return 'no signature';
  return result.valid ? 'valid' : result.reason;
}

function ours(xml: string, overrides: Partial<VerifyOptions> = {}): string {
  const options = {
    trusted: [pki.ca.certificate],
    manifestHrefs: MANIFEST_HREFS,
    parts: partsMap(),
    ...overrides,
  };
  return reasonOf(verifyEnvelope(xml, options));
}

describe('our signatures verified by xmlsec1', () => {
  for (const soap of ['SOAP', 'soap', 'SOAP-ENV']) {
    for (const c14n of ['inclusive', 'exclusive'] as const) {
      it(`passes xmlsec1 --verify --trusted-pem (prefix ${soap}, ${c14n}, cid: parts mapped)`, () => {
        const signed = signEnvelope(ebxmlEnvelope(soap), PARTS, identity, { c14n });
        const result = xmlsecVerify(pki.dir, signed, ['--trusted-pem', pki.ca.certPath], partsMap());
        expect(result.output).toContain('SignedInfo References (ok/all): 3/3');
        expect(result.ok).toBe(true);
      });
    }
  }

  it('passes xmlsec1 --pubkey-cert-pem for an envelope whose only reference is URI=""', () => {
    const signed = signEnvelope(ebxmlEnvelope(), [], identity);
    const result = xmlsecVerify(pki.dir, signed, ['--pubkey-cert-pem', pki.leaf.certPath]);
    expect(result.ok, result.output).toBe(true);
  });

  it('agrees with xmlsec1 on which parts of the tricky envelope are hidden', () => {
    const signed = signEnvelope(trickyEnvelope(), [], identity, { algorithm: 'rsa-sha1' });
    expect(xmlsecVerify(pki.dir, signed, ['--trusted-pem', pki.ca.certPath]).ok).toBe(true);
    const hiddenEdit = replaceOnce(signed, '<y:Gone>gone</y:Gone>', '<y:Gone>other</y:Gone>');
    expect(xmlsecVerify(pki.dir, hiddenEdit, ['--trusted-pem', pki.ca.certPath]).ok).toBe(true);
    const signedEdit = replaceOnce(signed, 'mistyped stays signed', 'mistyped changed');
    expect(xmlsecVerify(pki.dir, signedEdit, ['--trusted-pem', pki.ca.certPath]).ok).toBe(false);
  });

  it('is rejected by xmlsec1 when a header value or a part changes', () => {
    const signed = signEnvelope(ebxmlEnvelope(), PARTS, identity);
    const tampered = replaceOnce(signed, '<eb:Action>REPC_IN150016UK05<', '<eb:Action>REPC_IN150017UK05<');
    expect(xmlsecVerify(pki.dir, tampered, ['--trusted-pem', pki.ca.certPath], partsMap()).ok).toBe(false);
    const parts = partsMap();
    parts.set(HL7_CID, Buffer.concat([parts.get(HL7_CID)!, Buffer.from(' ')]));
    expect(xmlsecVerify(pki.dir, signed, ['--trusted-pem', pki.ca.certPath], parts).ok).toBe(false);
  });
});

describe('xmlsec1 signatures verified by ours', () => {
  const cids = [HL7_CID, ATTACHMENT_CID];

  for (const soap of ['SOAP', 'soap', 'SOAP-ENV']) {
    it(`verifies an indented inclusive template (XPath prefix ${soap} from the envelope)`, () => {
      const template = withTemplate(ebxmlEnvelope(soap), soap, indentedTemplate(soap, cids));
      const signed = xmlsecSign(pki.dir, template, pki.leaf.keyPath, pki.leaf.certPath, partsMap());
      expect(ours(signed)).toBe('valid');
      const ack = replaceOnce(signed, 'eb:signed="false"', 'eb:signed="true"');
      expect(ours(ack)).toBe('valid');
      const tampered = replaceOnce(signed, '<eb:CPAId>S20001A000182<', '<eb:CPAId>S20001A000999<');
      expect(ours(tampered)).toBe('digest mismatch for URI=""');
    });
  }

  it('verifies an exclusive template with its own XPath prefix and reformatted expression', () => {
    const template = withTemplate(ebxmlEnvelope(), 'SOAP', exclusiveTemplate(cids));
    const signed = xmlsecSign(pki.dir, template, pki.leaf.keyPath, pki.leaf.certPath, partsMap());
    expect(ours(signed)).toBe('valid');
    const parts = partsMap();
    parts.set(ATTACHMENT_CID, Buffer.from('other bytes'));
    expect(ours(signed, { parts })).toBe(`digest mismatch for cid:${ATTACHMENT_CID}`);
  });

  it('verifies xmlsec1 on the tricky envelope', () => {
    const template = withTemplate(trickyEnvelope(), 'SOAP', indentedTemplate('SOAP', []));
    const signed = xmlsecSign(pki.dir, template, pki.leaf.keyPath, pki.leaf.certPath);
    expect(ours(signed, { manifestHrefs: [] })).toBe('valid');
    const hiddenEdit = replaceOnce(signed, '<Inner x:attr="a">', '<Inner x:attr="z">');
    expect(ours(hiddenEdit, { manifestHrefs: [] })).toBe('valid');
  });

  it('refuses an xmlsec1 signature made with a 1024-bit key even when the certificate is trusted', () => {
    const template = withTemplate(ebxmlEnvelope(), 'SOAP', indentedTemplate('SOAP', cids));
    const signed = xmlsecSign(pki.dir, template, pki.weak.keyPath, pki.weak.certPath, partsMap());
    expect(ours(signed, { trusted: [pki.weak.certificate] })).toBe('signer RSA key is 1024 bits, under 2048');
  });
});

describe('xmldsigjs cross-check', () => {
  beforeAll(() => {
    setNodeDependencies({
      XMLSerializer: xmldom.XMLSerializer,
      DOMParser: xmldom.DOMParser,
      DOMImplementation: xmldom.DOMImplementation,
      xpath,
    });
    xmldsig.Application.setEngine(
      'NodeJS',
      globalThis.crypto as Parameters<typeof xmldsig.Application.setEngine>[1],
    );
  });

  /** xmldsigjs's enveloped transform only strips a root-level signature: verify against a clone without it. */
  async function xmldsigjsVerify(signedXml: string, parts: Map<string, Buffer>): Promise<boolean> {
    const dsNs = 'http://www.w3.org/2000/09/xmldsig#';
    const doc = xmldsig.Parse(signedXml);
    const signature = doc.getElementsByTagNameNS(dsNs, 'Signature')[0];
    if (!signature) throw new Error('no signature to cross-check');
    const clone = doc.cloneNode(true) as typeof doc;
    const cloneSignature = clone.getElementsByTagNameNS(dsNs, 'Signature')[0]!;
    cloneSignature.parentNode!.removeChild(cloneSignature);
    const signedXmlObject = new xmldsig.SignedXml(clone);
    signedXmlObject.LoadXml(signature);
    signedXmlObject.contentHandler = async (reference) => {
      const uri = reference.Uri ?? '';
      if (!uri.startsWith('cid:')) return null;
      const part = parts.get(uri.slice('cid:'.length));
      if (!part) throw new Error(`no part for ${uri}`);
      return new Uint8Array(part);
    };
    const spki = pki.leaf.certificate.publicKey.export({ type: 'spki', format: 'der' });
    const key = await globalThis.crypto.subtle.importKey(
      'spki',
      spki,
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['verify'],
    );
    try {
      return await signedXmlObject.Verify(key);
    } catch {
      return false; // xmldsigjs throws on a digest mismatch
    }
  }

  for (const c14n of ['inclusive', 'exclusive'] as const) {
    it(`agrees on the envelope digest, cid: digests and signature value (${c14n})`, async () => {
      const signed = signEnvelope(ebxmlEnvelope('SOAP-ENV'), PARTS, identity, { c14n });
      expect(await xmldsigjsVerify(signed, partsMap())).toBe(true);
      const parts = partsMap();
      parts.set(ATTACHMENT_CID, Buffer.from('tampered'));
      expect(await xmldsigjsVerify(signed, parts)).toBe(false);
      const tampered = replaceOnce(signed, '<eb:CPAId>S20001A000182<', '<eb:CPAId>S20001A000999<');
      expect(await xmldsigjsVerify(tampered, partsMap())).toBe(false);
    });
  }
});
