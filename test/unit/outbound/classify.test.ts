import { describe, expect, it } from 'vitest';
import {
  buildAcknowledgment,
  buildMessageError,
  type MessageHeader,
  PARTY_TYPE,
} from '../../../src/ebxml/index.js';
import { classifyResponse } from '../../../src/outbound/index.js';

const ours = 'C7E2A9F1-3B5D-4E8C-A6F0-9D1B4E7A2C3F';
const header: MessageHeader = {
  from: { id: 'RTX-821088', type: PARTY_TYPE },
  to: { id: 'YES-0000806', type: PARTY_TYPE },
  cpaId: 'S918999714115',
  conversationId: 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D',
  service: 'urn:nhs:names:services:ebs',
  action: 'PRSC_IN090000UK09',
  messageId: ours,
  timestamp: '2026-01-05T10:00:00Z',
};
const spine = {
  ourParty: { id: 'YES-0000806', type: PARTY_TYPE },
  messageId: '3D8F1B6C-7A2E-4C9D-B5F0-E1A3C7D9B2F4',
  timestamp: '2026-01-05T10:00:01Z',
};

function spineFault(...codes: string[]): Buffer {
  const errors = codes
    .map(
      (code) =>
        `<nasp:error><nasp:codeContext>urn:nhs:names:error:tms</nasp:codeContext><nasp:errorCode>${code}</nasp:errorCode><nasp:severity>Error</nasp:severity><nasp:location>Not Supported</nasp:location><nasp:description>System failure to process message - default</nasp:description></nasp:error>`,
    )
    .join('');
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:nasp="http://national.carerecords.nhs.uk/schema/"><SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>Application Exception</faultstring><detail><nasp:errorList>${errors}</nasp:errorList></detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`,
  );
}

describe("classifyResponse (what Spine's transport answer means)", () => {
  it('takes a 202 with an empty body as accepted by the next MSH', () => {
    expect(classifyResponse({ status: 202, body: Buffer.alloc(0) }, ours)).toMatchObject({
      kind: 'accepted',
    });
  });

  it('takes a synchronous Acknowledgment for our message as acknowledged', () => {
    const ack = buildAcknowledgment(header, 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH', spine);
    expect(
      classifyResponse({ status: 200, contentType: ack.contentType, body: ack.body }, ours),
    ).toMatchObject({ kind: 'acknowledged' });
  });

  it('does not take an Acknowledgment for another message as ours', () => {
    const ack = buildAcknowledgment({ ...header, messageId: 'OTHER' }, undefined, spine);
    expect(classifyResponse({ status: 200, contentType: ack.contentType, body: ack.body }, ours).kind).toBe(
      'accepted',
    );
  });

  it('takes a MessageError as a final rejection carrying its codes', () => {
    const error = buildMessageError(
      header,
      [{ errorCode: 'ValueNotRecognized', severity: 'Error', description: '501319:Unknown eb:CPAId' }],
      spine,
    );
    const outcome = classifyResponse({ status: 200, contentType: error.contentType, body: error.body }, ours);
    expect(outcome).toMatchObject({
      kind: 'rejected',
      errors: [
        { errorType: 'ebxml_error', errorCode: 'ValueNotRecognized', description: '501319:Unknown eb:CPAId' },
      ],
    });
  });

  it.each([['200'], ['206'], ['208']])('retries a SOAP fault whose only code is %s', (code) => {
    expect(
      classifyResponse({ status: 500, contentType: 'text/xml', body: spineFault(code) }, ours).kind,
    ).toBe('retry');
  });

  it('retries only when every code is retriable', () => {
    expect(classifyResponse({ status: 500, body: spineFault('200', '206', '208') }, ours).kind).toBe('retry');
    const mixed = classifyResponse({ status: 500, body: spineFault('200', '300') }, ours);
    expect(mixed).toMatchObject({
      kind: 'rejected',
      errors: [
        { errorCode: '200' },
        { errorCode: '300', errorType: 'soap_fault', codeContext: 'urn:nhs:names:error:tms' },
      ],
    });
  });

  it('rejects a fault with an empty error list', () => {
    expect(classifyResponse({ status: 500, body: spineFault() }, ours).kind).toBe('rejected');
  });

  it('retries a 5xx without a parsable fault, and rejects a 4xx', () => {
    expect(classifyResponse({ status: 503, body: Buffer.from('busy') }, ours).kind).toBe('retry');
    expect(classifyResponse({ status: 404, body: Buffer.from('no') }, ours).kind).toBe('rejected');
  });
});
