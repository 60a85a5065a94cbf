// Fast-path signatures (no libxml2 on the signing side) checked by xmlsec1, an independent
// implementation, and by our own verifier: built messages with escaped and non-ASCII header
// values, attachments and reliability blocks left out of the digest, and a signed acknowledgment.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTOR_NEXT_MSH,
  buildAcknowledgment,
  buildMessage,
  type OutboundMessage,
} from '../../../../src/ebxml/index.js';
import {
  type SigningIdentity,
  signEnvelope,
  signedReferences,
  verifyEnvelope,
} from '../../../../src/security/xmldsig/index.js';
import { readPlainEnvelope } from '../../../../src/security/xmldsig/plain-envelope.js';
import { ebxmlEnvelope, PARTS, replaceOnce } from './envelope-fixture.js';
import { createTestPki, type TestPki } from './pki-fixture.js';
import { header, outboundMessage } from './plain-arbitraries.js';
import { xmlsecVerify } from './xmlsec-fixture.js';

let pki: TestPki;
let identity: SigningIdentity;

beforeAll(() => {
  pki = createTestPki();
  identity = { privateKey: pki.leaf.privateKey, certificate: pki.leaf.certificate };
});
afterAll(() => pki?.cleanup());

/**
 * Messages from the equivalence tests' generator, with Content-IDs xmlsec1's --url-map can serve
 * (a `#` or `%` in a cid: URI means something else to it), each with at least one attachment
 * and one header block left out of the digest.
 */
function sampleMessages(count: number): OutboundMessage[] {
  const messages = fc.sample(outboundMessage, { numRuns: count, seed: 1605 });
  return messages.map((message, i) => ({
    ...message,
    header: { ...message.header, messageId: `MSG-${i}-A1B2` },
    // Blocks the XPath filter leaves out, in every message: SyncReply or a next-MSH AckRequested.
    reliability:
      i % 2 === 0
        ? { ...message.reliability, syncReply: true }
        : { ...message.reliability, ackRequested: { actor: ACTOR_NEXT_MSH, signed: true } },
    attachments: [
      ...message.attachments,
      {
        contentId: 'extra@att.example',
        contentType: 'application/pdf',
        content: Buffer.from([0, 255, 13, 10, 226, 130, 172]),
        transferEncoding: 'base64' as const,
        description: 'Letter & notes',
      },
    ].map((a, j) => ({ ...a, contentId: `att-${i}-${j}@att.example` })),
  }));
}

describe('fast-path signatures verified independently', () => {
  it('passes xmlsec1 and verifyEnvelope for built messages, and fails both when tampered', () => {
    for (const message of sampleMessages(6)) {
      const built = buildMessage(message);
      expect(readPlainEnvelope(built.envelopeXml), 'the fast path declined').toBeDefined();
      const signed = signEnvelope(built.envelopeXml, built.parts, identity);
      const parts = new Map(built.parts.map((part) => [part.contentId, part.content]));
      const hrefs = built.parts.map((part) => `cid:${part.contentId}`);
      const xmlsec = xmlsecVerify(pki.dir, signed, ['--trusted-pem', pki.ca.certPath], parts);
      expect(xmlsec.output).toContain(`SignedInfo References (ok/all): ${parts.size + 1}/${parts.size + 1}`);
      expect(xmlsec.ok, xmlsec.output).toBe(true);
      const ours = verifyEnvelope(signed, { trusted: [pki.ca.certificate], manifestHrefs: hrefs, parts });
      expect(ours).toMatchObject({ present: true, valid: true });

      const tampered = replaceOnce(signed, '<eb:MessageId>', '<eb:MessageId>X');
      expect(xmlsecVerify(pki.dir, tampered, ['--trusted-pem', pki.ca.certPath], parts).ok).toBe(false);
      const result = verifyEnvelope(tampered, { trusted: [pki.ca.certificate], manifestHrefs: hrefs, parts });
      expect(result).toMatchObject({ present: true, valid: false, reason: 'digest mismatch for URI=""' });
    }
  });

  it('passes both for a signed acknowledgment carrying the references it acknowledges', () => {
    const received = fc.sample(header, { numRuns: 1, seed: 16 })[0]!;
    const references = signedReferences(signEnvelope(ebxmlEnvelope(), PARTS, identity));
    const context = { ourParty: { id: 'Ours & Co' }, messageId: 'ACK-1', timestamp: '2026-01-05T10:00:00Z' };
    const ack = buildAcknowledgment(received, undefined, context, references).body.toString('utf8');
    expect(readPlainEnvelope(ack), 'the fast path declined').toBeDefined();
    const signed = signEnvelope(ack, [], identity);
    const xmlsec = xmlsecVerify(pki.dir, signed, ['--trusted-pem', pki.ca.certPath]);
    expect(xmlsec.ok, xmlsec.output).toBe(true);
    const ours = verifyEnvelope(signed, {
      trusted: [pki.ca.certificate],
      manifestHrefs: [],
      parts: new Map(),
    });
    expect(ours).toMatchObject({ present: true, valid: true });
  });
});
