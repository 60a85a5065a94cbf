import { describe, expect, it } from 'vitest';
import {
  ACTOR_NEXT_MSH,
  buildAcknowledgment,
  buildMessage,
  buildMessageError,
  buildSoapFault,
  type EbxmlError,
  frameMime,
  type MimePart,
  SPINE_ERRORS,
  toHttpMessage,
} from '../../../src/ebxml/index.js';
import { validateEnvelope } from '../../../src/schemas/index.js';
import { expectValidEnvelope } from '../schemas/assertions.js';
import { expectGolden } from './golden.js';
import {
  forwardReliableMessage,
  MESSAGE_ID,
  messageWithAttachments,
  receivedHeader,
  signalContext,
} from './samples.js';

describe('buildMessage + toHttpMessage', () => {
  it('builds a forward-reliable C&B message exactly as the golden file', () => {
    const message = forwardReliableMessage();
    const built = buildMessage(message);
    const http = toHttpMessage(built, message.header);
    expectGolden('forward-reliable-message.mime', http.body);
    expectValidEnvelope(built.envelopeXml);
    expectGolden('mime-content-type.txt', `${http.contentType}\n`);
    expect(http.soapAction).toBe('urn:nhs:names:services:ebs/PRSC_IN090000UK09');
  });

  it('builds a message with attachments, an external reference, AckRequested toPartyMSH and SyncReply', () => {
    const message = messageWithAttachments();
    const built = buildMessage(message);
    expectGolden('message-with-attachments.mime', toHttpMessage(built, message.header).body);
    expectValidEnvelope(built.envelopeXml);
  });

  it('names the HL7 part after the MessageId and lists parts in manifest order', () => {
    const built = buildMessage(messageWithAttachments());
    expect(built.parts.map((p) => [p.contentId, p.contentType, p.transferEncoding])).toEqual([
      [`${MESSAGE_ID}@spine.nhs.uk`, 'text/xml; charset=UTF-8', '8bit'],
      ['8E1B5F3A-6C2D-4F9E-A7B0-D4C6E2F8A1B3@spine.nhs.uk', 'text/plain; charset=UTF-8', '8bit'],
      ['2F7C9A1E-4B3D-4E8F-9C6A-B1D5E3F7A2C9@spine.nhs.uk', 'application/octet-stream', 'base64'],
    ]);
    const hrefs = [...built.envelopeXml.matchAll(/xlink:href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([
      `cid:${MESSAGE_ID}@spine.nhs.uk`,
      'cid:8E1B5F3A-6C2D-4F9E-A7B0-D4C6E2F8A1B3@spine.nhs.uk',
      'cid:2F7C9A1E-4B3D-4E8F-9C6A-B1D5E3F7A2C9@spine.nhs.uk',
      'mid:9A3E7C1B-5D2F-4B8A-8E6C-F2A4D1B7C3E5',
    ]);
  });

  it('orders the header MessageHeader, AckRequested, SyncReply and declares no xsi', () => {
    const { envelopeXml } = buildMessage(messageWithAttachments());
    const order = [
      '<eb:MessageHeader',
      '<eb:AckRequested',
      '<eb:SyncReply',
      '</SOAP:Header>',
      '<eb:Manifest',
    ];
    const positions = order.map((tag) => envelopeXml.indexOf(tag));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(envelopeXml).not.toMatch(/xsi/);
  });

  it('escapes every value it writes', () => {
    const message = forwardReliableMessage();
    message.header = { ...message.header, cpaId: 'S1<&>"\'', from: { id: 'A&B', type: 'x"y\tz' } };
    const { envelopeXml } = buildMessage(message);
    expectValidEnvelope(envelopeXml);
    expect(envelopeXml).toContain('<eb:CPAId>S1&lt;&amp;&gt;&quot;&apos;</eb:CPAId>');
    expect(envelopeXml).toContain('<eb:PartyId eb:type="x&quot;y&#9;z">A&amp;B</eb:PartyId>');
  });

  it('refuses values that would break the XML, MIME or the schema', () => {
    const bad: [string, (m: ReturnType<typeof forwardReliableMessage>) => void][] = [
      ['empty CPAId', (m) => (m.header = { ...m.header, cpaId: '' })],
      ['control character', (m) => (m.header = { ...m.header, conversationId: 'a\u0007b' })],
      ['MessageId with a space', (m) => (m.header = { ...m.header, messageId: 'A B' })],
      [
        'eb:id starting with a digit',
        (m) => m.externalAttachments.push({ messageId: 'X', description: 'd', documentId: '1doc' }),
      ],
      [
        'Content-Type with a line break',
        (m) =>
          m.attachments.push({
            contentId: 'a@b',
            contentType: 'text/plain\r\nX-Evil: 1',
            content: Buffer.alloc(0),
            transferEncoding: '8bit',
            description: 'x',
          }),
      ],
      [
        'duplicate Content-ID',
        (m) =>
          m.attachments.push({
            contentId: `${MESSAGE_ID}@spine.nhs.uk`,
            contentType: 'text/plain',
            content: Buffer.alloc(0),
            transferEncoding: '8bit',
            description: 'x',
          }),
      ],
    ];
    for (const [name, spoil] of bad) {
      const message = forwardReliableMessage();
      spoil(message);
      expect(() => buildMessage(message), name).toThrow();
    }
  });

  it('omits SOAP:actor on AckRequested when no actor is given (= toPartyMSH)', () => {
    const message = forwardReliableMessage();
    message.reliability = { duplicateElimination: false, ackRequested: { signed: true }, syncReply: false };
    const { envelopeXml } = buildMessage(message);
    expectValidEnvelope(envelopeXml);
    expect(envelopeXml).toContain(
      '<eb:AckRequested SOAP:mustUnderstand="1" eb:version="2.0" eb:signed="true"/>',
    );
    expect(envelopeXml).not.toContain('DuplicateElimination');
    expect(envelopeXml).not.toContain(ACTOR_NEXT_MSH);
  });
});

describe('frameMime', () => {
  const part = (content: string, transferEncoding = '8bit'): MimePart => ({
    contentId: 'p1@spine.nhs.uk',
    contentType: 'text/plain',
    transferEncoding,
    content: Buffer.from(content, 'utf8'),
  });

  it('uses CRLF everywhere and Spine’s boundary by default', () => {
    const { contentType, body } = frameMime('<x/>', [part('hello')]);
    expect(contentType).toBe(
      'multipart/related; boundary="--=_MIME-Boundary"; charset="UTF-8"; type="text/xml"; start="<ebXMLHeader@spine.nhs.uk>"',
    );
    expect(body.toString('utf8')).toBe(
      [
        '----=_MIME-Boundary',
        'Content-Id: <ebXMLHeader@spine.nhs.uk>',
        'Content-Type: text/xml; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        '<x/>',
        '----=_MIME-Boundary',
        'Content-Id: <p1@spine.nhs.uk>',
        'Content-Type: text/plain',
        'Content-Transfer-Encoding: 8bit',
        '',
        'hello',
        '----=_MIME-Boundary--',
        '',
      ].join('\r\n'),
    );
  });

  it('switches to a random-suffix boundary when a part contains the delimiter line', () => {
    const { contentType, body } = frameMime(
      '<x/>',
      [part('before\r\n----=_MIME-Boundary\r\nafter')],
      undefined,
      () => 'FIXED-SUFFIX',
    );
    expect(contentType).toContain('boundary="--=_MIME-Boundary_FIXED-SUFFIX"');
    expect(body.toString('utf8').startsWith('----=_MIME-Boundary_FIXED-SUFFIX\r\n')).toBe(true);
  });

  it('keeps trying suffixes until none collides, and gives up eventually', () => {
    const suffixes = ['A', 'B'];
    const { contentType } = frameMime(
      '<x/>',
      [part('----=_MIME-Boundary_A')],
      undefined,
      () => suffixes.shift()!,
    );
    expect(contentType).toContain('boundary="--=_MIME-Boundary_B"');
    expect(() => frameMime('<x/>', [part('----=_MIME-Boundary_A')], undefined, () => 'A')).toThrow(
      /boundary/,
    );
  });

  it('base64-encodes in 76-character CRLF lines', () => {
    const content = Buffer.alloc(200, 0xab);
    const { body } = frameMime('<x/>', [{ ...part(''), content, transferEncoding: 'base64' }]);
    const encoded = body
      .toString('latin1')
      .split('Content-Transfer-Encoding: base64\r\n\r\n')[1]!
      .split('\r\n--')[0]!;
    const lines = encoded.split('\r\n');
    expect(lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
    expect(Buffer.from(lines.join(''), 'base64').equals(content)).toBe(true);
  });

  it('refuses an invalid boundary and an unknown transfer encoding', () => {
    expect(() => frameMime('<x/>', [], 'bad"boundary')).toThrow(RangeError);
    expect(() => frameMime('<x/>', [part('x', 'quoted-printable')])).toThrow(/Content-Transfer-Encoding/);
  });
});

describe('buildAcknowledgment', () => {
  it('builds the acknowledgment golden file with actor mirrored and timestamp = now', () => {
    const ack = buildAcknowledgment(receivedHeader, ACTOR_NEXT_MSH, signalContext);
    expectGolden('acknowledgment.xml', ack.body);
    expectValidEnvelope(ack.body);
    expect(ack.contentType).toBe('text/xml; charset=UTF-8');
    expect(ack.soapAction).toBe('urn:oasis:names:tc:ebxml-msg:service/Acknowledgment');
  });

  it('defaults the actor to toPartyMSH and never copies the received timestamp', () => {
    const xml = buildAcknowledgment(receivedHeader, undefined, signalContext).body.toString('utf8');
    expectValidEnvelope(xml);
    expect(xml).toContain('SOAP:actor="urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH"');
    expect(xml).not.toContain(receivedHeader.timestamp);
    expect(xml.match(/<eb:Timestamp>2026-01-05T10:00:01Z<\/eb:Timestamp>/g)).toHaveLength(2);
    expect(xml).toContain('<SOAP:Body/>');
  });
});

describe('buildMessageError', () => {
  it('builds the MessageError golden file for Spine’s 501314', () => {
    const error = buildMessageError(receivedHeader, [SPINE_ERRORS.toPartyNotUs], signalContext);
    expectGolden('message-error.xml', error.body);
    expectValidEnvelope(error.body);
    expect(error.soapAction).toBe('urn:oasis:names:tc:ebxml-msg:service/MessageError');
  });

  it('computes highestSeverity and writes codeContext and xml:lang explicitly', () => {
    const warning: EbxmlError = { errorCode: 'NotSupported', severity: 'Warning' };
    const onlyWarnings = buildMessageError(receivedHeader, [warning], signalContext).body.toString('utf8');
    expectValidEnvelope(onlyWarnings);
    expect(onlyWarnings).toContain('eb:highestSeverity="Warning"');
    expect(onlyWarnings).toContain('eb:codeContext="urn:oasis:names:tc:ebxml-msg:service:errors"');
    const mixed = buildMessageError(
      receivedHeader,
      [warning, SPINE_ERRORS.unknownCpaId],
      signalContext,
    ).body.toString('utf8');
    expectValidEnvelope(mixed);
    expect(mixed).toContain('eb:highestSeverity="Error"');
    expect(mixed).toContain('<eb:Description xml:lang="en-GB">501319:Unknown eb:CPAId</eb:Description>');
  });

  it('needs the sender’s From party and at least one error', () => {
    const { from: _from, ...noFrom } = receivedHeader;
    expect(() => buildMessageError(noFrom, [SPINE_ERRORS.unknownCpaId], signalContext)).toThrow(/From/);
    expect(() => buildMessageError(receivedHeader, [], signalContext)).toThrow(/at least one/);
  });

  it('answers a header missing its CPAId with an empty one', () => {
    const { cpaId: _cpaId, ...noCpa } = receivedHeader;
    const error: EbxmlError = { errorCode: 'OtherXml', severity: 'Error', location: 'eb:CPAId' };
    const xml = buildMessageError(noCpa, [error], signalContext).body.toString('utf8');
    expect(xml).toContain('<eb:CPAId></eb:CPAId>');
    // Known gap (reported to the ebxml owner): ebMS requires a non-empty eb:CPAId, so the schema refuses this answer.
    expect(validateEnvelope(xml).errors.map((e) => e.message)).toEqual([
      expect.stringContaining("'eb:CPAId'"),
    ]);
    expect(xml).toContain('eb:location="eb:CPAId"/>');
  });
});

describe('buildSoapFault', () => {
  it('builds the SOAP fault golden file with the detail escaped', () => {
    const fault = buildSoapFault('SOAP:Client', 'ebXML header unreadable', 'line 1: <oops> & more');
    expectGolden('soap-fault.xml', fault);
    expectValidEnvelope(fault);
  });
});
