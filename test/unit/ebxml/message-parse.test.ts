// Parser behaviour the fixture table does not show: signal kinds, severities, SOAPAction
// warnings, encoded cid: hrefs, version checks on extension elements, EbxmlFault itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  buildMessageError,
  EbxmlFault,
  frameMime,
  parseMessage,
  SPINE_ERRORS,
  toHttpMessage,
} from '../../../src/ebxml/index.js';
import { forwardReliableMessage, receivedHeader, signalContext } from './samples.js';

const errorXml = (errorAttributes: string, listAttributes = '') => {
  const built = buildMessageError(receivedHeader, [SPINE_ERRORS.toPartyNotUs], signalContext).body.toString(
    'utf8',
  );
  return built
    .replace(/eb:highestSeverity="Error"/, listAttributes)
    .replace(/eb:severity="Error"/, errorAttributes);
};

function faultOf(run: () => unknown): EbxmlFault {
  try {
    run();
  } catch (error) {
    if (error instanceof EbxmlFault) return error;
    throw error;
  }
  throw new Error('expected an EbxmlFault');
}

describe('parseMessage: signals', () => {
  it('reads a MessageError and splits off Spine’s numeric prefix, keeping the raw text', () => {
    const xml = errorXml('eb:severity="Error"', 'eb:highestSeverity="Error"').replace(
      '501314:Invalid To Party Type attribute',
      '  501314 : Invalid To Party Type attribute',
    );
    const parsed = parseMessage('text/xml', Buffer.from(xml));
    expect(parsed.kind).toBe('error');
    expect(parsed.errors?.[0]).toMatchObject({
      spineCode: '501314',
      description: '  501314 : Invalid To Party Type attribute',
    });
  });

  it('leaves spineCode out when the description has no numeric prefix', () => {
    const xml = errorXml('eb:severity="Error"').replace(
      '501314:Invalid To Party Type attribute',
      'Bad party',
    );
    expect(parseMessage('text/xml', Buffer.from(xml)).errors?.[0]?.spineCode).toBeUndefined();
  });

  it('treats an ErrorList with only warnings as an error signal, and honours highestSeverity', () => {
    const warningOnly = parseMessage(
      'text/xml',
      Buffer.from(errorXml('eb:severity="Warning"', 'eb:highestSeverity="Warning"')),
    );
    expect(warningOnly.kind).toBe('error');
    expect(warningOnly.errors?.[0]?.severity).toBe('Warning');
    // No eb:severity: the schema default is Warning, but highestSeverity="Error" still makes it an error.
    const noSeverity = parseMessage('text/xml', Buffer.from(errorXml('', 'eb:highestSeverity="Error"')));
    expect(noSeverity.errors?.[0]?.severity).toBe('Warning');
    expect(noSeverity.kind).toBe('error');
  });

  it('reports an acknowledgment carrying only warnings as an acknowledgment', () => {
    const xml = errorXml('eb:severity="Warning"', 'eb:highestSeverity="Warning"').replace(
      '</SOAP:Header>',
      '<eb:Acknowledgment eb:version="2.0"><eb:RefToMessageId>M1</eb:RefToMessageId></eb:Acknowledgment></SOAP:Header>',
    );
    const parsed = parseMessage('text/xml', Buffer.from(xml));
    expect(parsed.kind).toBe('acknowledgment');
    expect(parsed.acknowledgment).toEqual({ refToMessageId: 'M1' });
    expect(parsed.errors).toHaveLength(1);
  });

  it('refuses an Acknowledgment without RefToMessageId and an ErrorList without errors', () => {
    const base = errorXml('eb:severity="Error"');
    const noRef = base.replace('</SOAP:Header>', '<eb:Acknowledgment eb:version="2.0"/></SOAP:Header>');
    expect(faultOf(() => parseMessage('text/xml', Buffer.from(noRef))).error).toMatchObject({
      errorCode: 'OtherXml',
      location: 'eb:Acknowledgment/eb:RefToMessageId',
    });
    const empty = base.replace(/<eb:Error [\s\S]*<\/eb:Error>/, '');
    expect(faultOf(() => parseMessage('text/xml', Buffer.from(empty))).error.location).toBe('eb:ErrorList');
  });
});

describe('parseMessage: business messages', () => {
  const http = () => {
    const message = forwardReliableMessage();
    return toHttpMessage(buildMessage(message), message.header);
  };

  it('warns when SOAPAction disagrees with Service/Action, and accepts the quoted standard form', () => {
    const { contentType, body } = http();
    expect(parseMessage(contentType, body, 'urn:nhs:names:services:ebs/OTHER').warnings).toEqual([
      'SOAPAction urn:nhs:names:services:ebs/OTHER does not match urn:nhs:names:services:ebs/PRSC_IN090000UK09',
    ]);
    expect(
      parseMessage(contentType, body, '"urn:nhs:names:services:ebs/PRSC_IN090000UK09"').warnings,
    ).toEqual([]);
    expect(parseMessage(contentType, body, '"ebXML"').warnings).toEqual([]);
    expect(parseMessage(contentType, body, '').warnings).toEqual([]);
  });

  it('resolves a %-encoded cid: href to its Content-ID', () => {
    const message = forwardReliableMessage();
    message.attachments.push({
      contentId: 'odd%id"1@x',
      contentType: 'text/plain',
      content: Buffer.from('x'),
      transferEncoding: '8bit',
      description: 'odd',
    });
    const built = buildMessage(message);
    expect(built.envelopeXml).toContain('xlink:href="cid:odd%25id%221@x"');
    const { contentType, body } = frameMime(built.envelopeXml, built.parts);
    const parsed = parseMessage(contentType, body);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.parts[1]?.contentId).toBe('odd%id"1@x');
  });

  it('refuses a version other than 2.0 on an extension element, naming it', () => {
    const message = forwardReliableMessage();
    const built = buildMessage(message);
    const envelope = built.envelopeXml.replace(
      '<eb:AckRequested SOAP:mustUnderstand="1" eb:version="2.0"',
      '<eb:AckRequested SOAP:mustUnderstand="1" eb:version="1.0"',
    );
    const { contentType, body } = frameMime(envelope, built.parts);
    const fault = faultOf(() => parseMessage(contentType, body));
    expect(fault.error).toMatchObject({ errorCode: 'Inconsistent', location: 'eb:AckRequested/@eb:version' });
    expect(fault.headerParsed).toBe(true);
  });

  it('refuses a timestamp that is not a dateTime', () => {
    const message = forwardReliableMessage();
    message.header = { ...message.header, timestamp: 'yesterday' };
    const built = buildMessage(message);
    const { contentType, body } = frameMime(built.envelopeXml, built.parts);
    expect(faultOf(() => parseMessage(contentType, body)).error).toMatchObject({
      errorCode: 'OtherXml',
      location: 'eb:MessageData/eb:Timestamp',
    });
  });

  it.each([
    ['messageId', 'eb:MessageData/eb:MessageId'],
    ['conversationId', 'eb:ConversationId'],
    ['refToMessageId', 'eb:MessageData/eb:RefToMessageId'],
  ] as const)(
    'refuses a %s longer than an AMQP message id can carry (255 bytes), naming it',
    (key, location) => {
      const message = forwardReliableMessage();
      const fits = parseMessageWith(message, key, 'x'.repeat(255));
      expect(fits.header?.[key]).toHaveLength(255);
      expect(faultOf(() => parseMessageWith(message, key, 'x'.repeat(256))).error).toMatchObject({
        errorCode: 'ValueNotRecognized',
        location,
      });
    },
  );

  it('refuses a root that is not a SOAP envelope, and a SOAP 1.2 envelope', () => {
    expect(faultOf(() => parseMessage('text/xml', Buffer.from('<x/>'))).headerParsed).toBe(false);
    const soap12 = '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>';
    expect(faultOf(() => parseMessage('text/xml', Buffer.from(soap12))).error.location).toBe('SOAP:Envelope');
  });

  it('refuses invalid UTF-8 in the ebXML part', () => {
    const bytes = Buffer.concat([Buffer.from('<x>'), Buffer.from([0xc3, 0x28]), Buffer.from('</x>')]);
    expect(faultOf(() => parseMessage('text/xml', bytes)).error.description).toMatch(/UTF-8/);
  });
});

describe('EbxmlFault', () => {
  it('knows whether a MessageError can be addressed', () => {
    const error = SPINE_ERRORS.unknownCpaId;
    expect(new EbxmlFault(error).headerParsed).toBe(false);
    expect(new EbxmlFault(error, { messageId: 'M1' }).headerParsed).toBe(false);
    expect(new EbxmlFault(error, { messageId: 'M1', from: { id: 'YES-0000806' } }).headerParsed).toBe(true);
    expect(new EbxmlFault(error).message).toBe('ValueNotRecognized at eb:CPAId: 501319:Unknown eb:CPAId');
  });
});

describe('the HL7 payload of a GP2GP shape, a PNG part listed before the HL7 part', () => {
  const GP2GP_CT = 'multipart/related; boundary="--=_MIME-Boundary"; type="text/xml"; start="<ContentRoot>"';
  const fixture = (name: string) =>
    Buffer.from(
      readFileSync(new URL(`../../fixtures/spine/inbound/${name}`, import.meta.url))
        .toString('latin1')
        .replace('{{ttl}}', '2026-12-03T16:30:00Z'),
      'latin1',
    );

  it.each([
    ['payload-not-first-ebxml-lowercase.mime', true],
    ['payload-not-first-ebXML-uppercase.mime', true],
    ['payload-not-first-no-manifest-marker.mime', false],
  ])('%s: the HL7 part, never the first part', (name, marked) => {
    const parsed = parseMessage(GP2GP_CT, fixture(name));
    expect(parsed.parts[0]?.contentType).toBe('image/png');
    expect(parsed.manifest[0]?.hl7Payload).toBe(marked);
    expect(parsed.payload?.contentId).toBe('Content1@gp.example.nhs.uk/GP2GP');
    expect(parsed.payload?.content.toString('utf8')).toContain('<RCMR_IN030000UK06 xmlns="urn:hl7-org:v3">');
  });

  it('has no payload when no part is HL7 and the manifest names none', () => {
    const text = fixture('payload-not-first-no-manifest-marker.mime').toString('latin1');
    const withoutHl7 = text.replace('xmlns="urn:hl7-org:v3"', 'xmlns="urn:example:not-hl7"');
    expect(withoutHl7).not.toBe(text);
    expect(parseMessage(GP2GP_CT, Buffer.from(withoutHl7, 'latin1')).payload).toBeUndefined();
  });
});

function parseMessageWith(message: ReturnType<typeof forwardReliableMessage>, key: string, value: string) {
  const built = buildMessage({ ...message, header: { ...message.header, [key]: value } });
  const { contentType, body } = frameMime(built.envelopeXml, built.parts);
  return parseMessage(contentType, body);
}
