// The signer's fast path (no libxml2 for the plain XML we build) must give byte for byte what the
// libxml2 way gives: compared here on the canonical envelope and on the whole signed output, for
// built messages, signals and hand-written envelopes anywhere in the plain subset.
import fc from 'fast-check';
import { XmlC14NMode } from 'libxml2-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAcknowledgment,
  buildMessage,
  buildMessageError,
  buildMshRequest,
  buildPong,
  buildStatusResponse,
  type MessageHeader,
  SPINE_ERRORS,
} from '../../../../src/ebxml/index.js';
import { unsignedBlocks } from '../../../../src/security/xmldsig/c14n.js';
import { type SigningIdentity, signedReferences } from '../../../../src/security/xmldsig/index.js';
import { readPlainEnvelope } from '../../../../src/security/xmldsig/plain-envelope.js';
import { signEnvelopeVia } from '../../../../src/security/xmldsig/sign.js';
import { parseXml } from '../../../../src/xml/index.js';
import { ebxmlEnvelope, PARTS, trickyEnvelope } from './envelope-fixture.js';
import { createTestPki, type TestPki } from './pki-fixture.js';
import { header, outboundMessage, plainEnvelope, textValue } from './plain-arbitraries.js';

let pki: TestPki;
let identity: SigningIdentity;

beforeAll(() => {
  pki = createTestPki();
  identity = { privateKey: pki.leaf.privateKey, certificate: pki.leaf.certificate };
});
afterAll(() => pki?.cleanup());

/** What libxml2 makes of the `URI=""` node set of an unsigned envelope. */
function libxml2Canonical(xml: string): string {
  const doc = parseXml(xml);
  try {
    // Last first, so a block inside another is removed before its ancestor.
    for (const block of unsignedBlocks(doc).reverse()) block.remove();
    return doc.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_1_0 });
  } finally {
    doc.dispose();
  }
}

type Parts = { contentId: string; content: Buffer }[];

/** The outcome of one way of signing: the signed text, or the error's message. */
function outcome(way: 'any' | 'libxml2', xml: string, parts: Parts, sha1: boolean): string {
  try {
    return signEnvelopeVia(way, xml, parts, identity, { algorithm: sha1 ? 'rsa-sha1' : 'rsa-sha256' });
  } catch (error) {
    return `threw: ${(error as Error).message}`;
  }
}

/** Takes the fast path, and gives what libxml2 gives. */
function expectSame(xml: string, parts: Parts = [], sha1 = false): void {
  const plain = readPlainEnvelope(xml);
  expect(plain, 'the fast path declined').toBeDefined();
  expect(plain?.canonical).toBe(libxml2Canonical(xml));
  const fast = outcome('any', xml, parts, sha1);
  expect(fast).not.toMatch(/^threw/);
  expect(fast).toBe(outcome('libxml2', xml, parts, sha1));
}

describe('fast path ≡ libxml2 path', () => {
  it('for messages buildMessage builds (escaping, Unicode, reliability flags, attachments)', () => {
    fc.assert(
      fc.property(outboundMessage, fc.boolean(), (message, sha1) => {
        const built = buildMessage(message);
        expectSame(built.envelopeXml, built.parts, sha1);
      }),
      { numRuns: 150 },
    );
  });

  it('for acknowledgments (with copied signed references), MessageErrors and other signals', () => {
    const signedMessage = signEnvelopeVia('libxml2', ebxmlEnvelope(), PARTS, identity);
    const references = signedReferences(signedMessage);
    const context = fc.record({
      ourParty: fc.record({ id: textValue }),
      messageId: textValue,
      timestamp: textValue,
    });
    fc.assert(
      fc.property(header, context, fc.option(textValue, { nil: undefined }), (received, ctx, actor) => {
        const signals = [
          buildAcknowledgment(received, actor, ctx),
          buildAcknowledgment(received, actor, ctx, references),
          buildMessageError(
            received,
            [SPINE_ERRORS.unknownCpaId, { ...SPINE_ERRORS.toPartyNotUs, description: actor }],
            ctx,
          ),
          buildPong(received, ctx),
          buildStatusResponse(
            received,
            { refToMessageId: ctx.messageId, messageStatus: 'Received', timestamp: ctx.timestamp },
            ctx,
          ),
          buildMshRequest(received as MessageHeader, ctx.messageId),
        ];
        for (const signal of signals) expectSame(signal.body.toString('utf8'));
      }),
      { numRuns: 40 },
    );
  });

  it('for any envelope in the plain subset (namespaces at any depth, references, line ends, quotes)', () => {
    fc.assert(
      fc.property(plainEnvelope, (xml) => expectSame(xml)),
      { numRuns: 400 },
    );
  });

  it('for the hand-built fixture under each SOAP prefix', () => {
    for (const soap of ['SOAP', 'soap', 'SOAP-ENV']) expectSame(ebxmlEnvelope(soap), PARTS);
  });
});

describe('what the fast path leaves to libxml2', () => {
  const base = ebxmlEnvelope();
  const cases: [string, string][] = [
    ['a comment', base.replace('<eb:DuplicateElimination/>', '<!-- c --><eb:DuplicateElimination/>')],
    ['CDATA', base.replace('<eb:DuplicateElimination/>', '<eb:N><![CDATA[x]]></eb:N>')],
    ['a processing instruction', base.replace('<eb:DuplicateElimination/>', '<?pi x?>')],
    ['another XML declaration', base.replace('encoding="UTF-8"', "encoding='UTF-8'")],
    ['a DTD', base.replace('?>\n', '?>\n<!DOCTYPE x>\n')],
    ['a non-ASCII element name', base.replace('<eb:DuplicateElimination/>', '<eb:Réf/>')],
    [
      'a relative namespace URI',
      base.replace('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', 'xmlns:xsi="rel/ns"'),
    ],
    // libxml2 writes namespace URIs unescaped, against C14N: we never need to match it on that.
    ['an & in a namespace URI', base.replace('XMLSchema-instance"', 'XMLSchema-instance?a&amp;b"')],
    [
      'a prefix bound to the XML namespace',
      base.replace('xmlns:xsi=', 'xmlns:x2="http://www.w3.org/XML/1998/namespace" xmlns:xsi='),
    ],
    ['a lone surrogate', base.replace('>S20001A000182<', '>S2\uD800<')],
    ['a control character', base.replace('>S20001A000182<', '>S2\u0001<')],
    ['a byte order mark', `\uFEFF${base}`],
    ['an undeclared entity', base.replace('>S20001A000182<', '>S2&nbsp;<')],
    ['an unbound prefix', base.replace('<eb:DuplicateElimination/>', '<zz:N/>')],
    ['no Header', base.replace(/<SOAP:Header>[\s\S]*<\/SOAP:Header>/, '')],
    ['an empty-element Header', base.replace(/<SOAP:Header>[\s\S]*<\/SOAP:Header>/, '<SOAP:Header/>')],
    ['xml:lang on the Envelope', base.replace('<SOAP:Envelope ', '<SOAP:Envelope xml:lang="en" ')],
    ['a mismatched end tag', base.replace('</eb:CPAId>', '</eb:CPAid>')],
    ['the tricky envelope (comments inside hidden blocks)', trickyEnvelope()],
  ];
  it('declines an envelope already signed, and signing fails as the libxml2 way fails', () => {
    const signed = signEnvelopeVia('libxml2', base, PARTS, identity);
    expect(readPlainEnvelope(signed)).toBeUndefined();
    expect(outcome('any', signed, PARTS, false)).toBe(
      'threw: cannot sign: envelope already contains a ds:Signature',
    );
  });

  for (const [what, xml] of cases) {
    it(`declines ${what}, and signing gives what libxml2 gives`, () => {
      expect(readPlainEnvelope(xml)).toBeUndefined();
      expect(outcome('any', xml, PARTS, false)).toBe(outcome('libxml2', xml, PARTS, false));
    });
  }
});
