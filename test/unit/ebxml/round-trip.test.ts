import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTOR_NEXT_MSH,
  ACTOR_TO_PARTY_MSH,
  type Attachment,
  buildAcknowledgment,
  buildMessage,
  buildMessageError,
  formatTimestamp,
  frameMime,
  type MessageHeader,
  type OutboundMessage,
  parseMessage,
  SPINE_ERRORS,
  toHttpMessage,
} from '../../../src/ebxml/index.js';
import { validateEnvelope } from '../../../src/schemas/index.js';
import { expectValidEnvelope } from '../schemas/assertions.js';
import {
  binaryAttachment,
  forwardReliableMessage,
  MESSAGE_ID,
  messageWithAttachments,
  multibyteText,
  payloadXml,
  receivedHeader,
  signalContext,
} from './samples.js';

function roundTrip(message: OutboundMessage) {
  const built = buildMessage(message);
  expectValidEnvelope(built.envelopeXml);
  const http = toHttpMessage(built, message.header);
  return parseMessage(http.contentType, http.body, http.soapAction);
}

describe('build → frame → parse', () => {
  it('gives back header, flags, manifest and parts, including multibyte, binary and escaped text', () => {
    const message = messageWithAttachments();
    const parsed = roundTrip(message);
    expect(parsed.kind).toBe('message');
    expect(parsed.header).toEqual(message.header);
    expect(parsed.reliability).toEqual(message.reliability);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.manifest).toEqual([
      { href: `cid:${MESSAGE_ID}@spine.nhs.uk`, description: 'HL7 payload', hl7Payload: true },
      {
        href: 'cid:8E1B5F3A-6C2D-4F9E-A7B0-D4C6E2F8A1B3@spine.nhs.uk',
        description: '<a&b> "quoted" \'single\'',
        documentId: '_letter1',
        hl7Payload: false,
      },
      {
        href: 'cid:2F7C9A1E-4B3D-4E8F-9C6A-B1D5E3F7A2C9@spine.nhs.uk',
        description: 'Filename="scan.pdf.gz" ContentType=application/pdf Compressed=Yes',
        hl7Payload: false,
      },
      {
        href: 'mid:9A3E7C1B-5D2F-4B8A-8E6C-F2A4D1B7C3E5',
        description: 'Filename="large.tif" ContentType=image/tiff LargeAttachment=Yes',
        documentId: 'large_1',
        hl7Payload: false,
      },
    ]);
    expect(parsed.parts.map((p) => p.contentType)).toEqual([
      'text/xml; charset=UTF-8',
      'text/plain; charset=UTF-8',
      'application/octet-stream',
    ]);
    expect(parsed.payload?.content.toString('utf8')).toBe(payloadXml);
    expect(parsed.parts[1]?.content.toString('utf8')).toBe(multibyteText);
    expect(parsed.parts[2]?.content.equals(binaryAttachment)).toBe(true);
    expect(parsed.signaturePresent).toBe(false);
  });

  it('reads back our own Acknowledgment and MessageError', () => {
    const ackHttp = buildAcknowledgment(receivedHeader, ACTOR_NEXT_MSH, signalContext);
    expectValidEnvelope(ackHttp.body, 'acknowledgment');
    const ack = parseMessage(ackHttp.contentType, ackHttp.body, ackHttp.soapAction);
    expect(ack.kind).toBe('acknowledgment');
    expect(ack.acknowledgment).toEqual({
      refToMessageId: receivedHeader.messageId,
      timestamp: signalContext.timestamp,
      actor: ACTOR_NEXT_MSH,
      from: signalContext.ourParty,
    });
    expect(ack.header.to).toEqual(receivedHeader.from);
    expect(ack.warnings).toEqual([]);

    const errorHttp = buildMessageError(receivedHeader, [SPINE_ERRORS.unknownCpaId], signalContext);
    expectValidEnvelope(errorHttp.body, 'MessageError');
    const error = parseMessage(errorHttp.contentType, errorHttp.body, errorHttp.soapAction);
    expect(error.kind).toBe('error');
    expect(error.errors).toEqual([SPINE_ERRORS.unknownCpaId]);
    expect(error.header.refToMessageId).toBe(receivedHeader.messageId);
  });

  it('survives a boundary switch', () => {
    const message = forwardReliableMessage();
    const built = buildMessage(message);
    built.parts[0]!.content = Buffer.from(`${payloadXml}\r\n----=_MIME-Boundary\r\n`, 'utf8');
    const { contentType, body } = frameMime(built.envelopeXml, built.parts, undefined, () => 'S1');
    const parsed = parseMessage(contentType, body);
    expect(parsed.payload?.content.toString('utf8')).toBe(`${payloadXml}\r\n----=_MIME-Boundary\r\n`);
  });
});

// XML 1.0 characters only; no surrounding whitespace, which the parser trims from header values.
const xmlChars = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const markup = fc.constantFrom('<', '>', '&', '"', "'", '&amp;', ']]>', '\r\n', '\t', 'é', '東', '🏥');
const textValue = fc
  .array(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), markup), {
    minLength: 1,
    maxLength: 6,
  })
  .map((pieces) => pieces.join(''))
  .filter((s) => xmlChars.test(s) && s.trim() === s && s.length > 0);
const anyText = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => xmlChars.test(s));
const idValue = fc
  .string({
    unit: fc.constantFrom(...'ABCDEF0123456789-&\'"%!$*+=?^_`{|}~.@'.split('')),
    minLength: 1,
    maxLength: 20,
  })
  .filter((s) => s.trim().length > 0);
const timestamp = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map(formatTimestamp);
// A PartyId without eb:type must be a URI (ebMS 2.0), so untyped ones get a scheme.
const party = fc.oneof(
  fc.record({ id: textValue, type: anyText }),
  textValue.map((id) => ({ id: `urn:x:${id}` })),
);

// SOAP actors are URIs (the schema checks xs:anyURI): the two ebMS ones, or any text made into one.
const actorUri = fc.oneof(
  fc.constantFrom(ACTOR_NEXT_MSH, ACTOR_TO_PARTY_MSH),
  textValue.map((text) => `urn:x:${encodeURIComponent(text)}`),
);

const header: fc.Arbitrary<MessageHeader> = fc.record({
  from: party,
  to: party,
  cpaId: textValue,
  conversationId: textValue,
  service: textValue,
  action: textValue,
  messageId: idValue,
  timestamp,
  refToMessageId: fc.option(textValue, { nil: undefined }),
  timeToLive: fc.option(timestamp, { nil: undefined }),
});

const attachments: fc.Arbitrary<Attachment[]> = fc
  .array(
    fc.record({
      content: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      transferEncoding: fc.constantFrom('base64' as const, '8bit' as const),
      description: anyText,
      contentType: fc.constantFrom('application/octet-stream', 'text/plain; charset=UTF-8', 'image/png'),
    }),
    { maxLength: 4 },
  )
  .map((list) => list.map((a, i) => ({ ...a, contentId: `att-${i}@spine.nhs.uk` })));

describe('property: random values survive build → frame → parse', () => {
  it('keeps header, reliability flags, manifest descriptions and attachment bytes', () => {
    fc.assert(
      fc.property(
        header,
        fc.record({
          duplicateElimination: fc.boolean(),
          ackRequested: fc.option(
            fc.record({ actor: fc.option(actorUri, { nil: undefined }), signed: fc.boolean() }),
            { nil: undefined },
          ),
          syncReply: fc.boolean(),
        }),
        anyText,
        attachments,
        (h, reliability, payloadText, atts) => {
          const message: OutboundMessage = {
            header: h,
            reliability,
            payloadXml: `<p xmlns="urn:hl7-org:v3">${payloadText}</p>`,
            attachments: atts,
            externalAttachments: [],
          };
          const built = buildMessage(message);
          // buildMessage lets an empty eb:type through, which ebMS (and our schema) forbid.
          if (h.from.type === '' || h.to.type === '') {
            expect(validateEnvelope(built.envelopeXml).errors[0]?.message).toMatch(
              /'eb:PartyId', attribute 'eb:type'/,
            );
          } else {
            expectValidEnvelope(built.envelopeXml);
          }
          const { contentType, body } = frameMime(built.envelopeXml, built.parts);
          const parsed = parseMessage(contentType, body);
          expect(parsed.header).toEqual(h);
          expect(parsed.reliability).toEqual(reliability);
          expect(parsed.manifest.slice(1).map((r) => r.description)).toEqual(atts.map((a) => a.description));
          expect(parsed.payload?.content.equals(Buffer.from(message.payloadXml, 'utf8'))).toBe(true);
          expect(parsed.parts.slice(1).map((p) => p.content.toString('hex'))).toEqual(
            atts.map((a) => a.content.toString('hex')),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
