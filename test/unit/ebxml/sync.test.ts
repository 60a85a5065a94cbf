import { describe, expect, it } from 'vitest';
import { buildSyncRequest, buildSyncResponse, parseSyncMessage } from '../../../src/ebxml/index.js';
import { expectGolden } from './golden.js';

const request = {
  messageId: 'F3A1C2B4-5D6E-4F70-8192-A3B4C5D6E7F8',
  service: 'urn:nhs:names:services:pdsquery',
  interactionId: 'QUPA_IN040000UK32',
  toAsid: '928942012545',
  fromAsid: '918999198738',
  payloadXml:
    '<?xml version="1.0"?><QUPA_IN040000UK32 xmlns="urn:hl7-org:v3"><id root="F3A1C2B4-5D6E-4F70-8192-A3B4C5D6E7F8"/></QUPA_IN040000UK32>',
};

describe('sync SOAP (WS-Addressing)', () => {
  it('builds the request envelope Spine expects (golden)', () => {
    const message = buildSyncRequest(request);
    expect(message.contentType).toBe('text/xml; charset=UTF-8');
    expect(message.soapAction).toBe('urn:nhs:names:services:pdsquery/QUPA_IN040000UK32');
    expectGolden('sync-request.xml', message.body);
  });

  it('reads its own request back: ids, ASIDs and the HL7 element', () => {
    const parsed = parseSyncMessage(buildSyncRequest(request).body);
    expect(parsed).toMatchObject({
      messageId: request.messageId,
      action: 'urn:nhs:names:services:pdsquery/QUPA_IN040000UK32',
      toAsid: '928942012545',
      fromAsid: '918999198738',
      hl7Root: 'QUPA_IN040000UK32',
    });
    // The fragment stands alone: it carries the namespaces it inherited.
    expect(parsed?.hl7).toMatch(/^<QUPA_IN040000UK32 [^>]*xmlns="urn:hl7-org:v3"/);
    expect(parsed?.hl7).toContain('<id root="F3A1C2B4-5D6E-4F70-8192-A3B4C5D6E7F8"/></QUPA_IN040000UK32>');
  });

  it('finds the HL7 reply inside a service wrapper in the HL7 namespace (golden)', () => {
    const response = buildSyncResponse({
      messageId: '0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9',
      relatesTo: request.messageId,
      action: 'urn:nhs:names:services:pdsquery/QUPA_IN050000UK32',
      service: 'urn:nhs:names:services:pdsquery',
      toAsid: '918999198738',
      fromAsid: '928942012545',
      wrapper: 'retrievalQueryResponse',
      payloadXml:
        '<QUPA_IN050000UK32 xmlns="urn:hl7-org:v3"><id root="0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9"/></QUPA_IN050000UK32>',
    });
    expectGolden('sync-response.xml', response.body);
    const parsed = parseSyncMessage(response.body);
    expect(parsed).toMatchObject({ relatesTo: request.messageId, hl7Root: 'QUPA_IN050000UK32' });
    expect(parsed?.hl7).toContain('<id root="0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9"/>');
  });

  it.each([
    [
      'an un-namespaced wrapper',
      '<wrap xmlns=""><hl7:QUPA_IN050000UK32><hl7:id root="X"/></hl7:QUPA_IN050000UK32></wrap>',
    ],
    [
      'nested wrappers',
      '<hl7:outer><hl7:inner><hl7:QUPA_IN050000UK32><hl7:id root="X"/></hl7:QUPA_IN050000UK32></hl7:inner></hl7:outer>',
    ],
    ['no wrapper at all', '<hl7:QUPA_IN050000UK32><hl7:id root="X"/></hl7:QUPA_IN050000UK32>'],
  ])('extracts the payload from %s, keeping its namespace', (_, body) => {
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:hl7="urn:hl7-org:v3"><soap:Header><wsa:RelatesTo>uuid:R1</wsa:RelatesTo></soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
    const parsed = parseSyncMessage(xml);
    expect(parsed?.relatesTo).toBe('R1');
    expect(parsed?.hl7Root).toBe('QUPA_IN050000UK32');
    expect(parsed?.hl7).toContain('xmlns:hl7="urn:hl7-org:v3"');
  });

  it('is not fooled by an ebXML envelope (no WS-Addressing header)', () => {
    const xml =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/><soap:Body/></soap:Envelope>';
    expect(parseSyncMessage(xml)).toBeUndefined();
  });

  it('refuses a wrapper name that is not an XML name', () => {
    expect(() =>
      buildSyncResponse({
        messageId: 'M',
        relatesTo: 'R',
        action: 'a',
        service: 's',
        toAsid: '1',
        fromAsid: '2',
        wrapper: 'x><y',
        payloadXml: '',
      }),
    ).toThrow(RangeError);
  });
});
