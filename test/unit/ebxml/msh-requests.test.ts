import { describe, expect, it } from 'vitest';
import {
  buildMshRequest,
  buildPong,
  buildStatusResponse,
  type MessageHeader,
  PARTY_TYPE,
  parseMessage,
  parseStatusRequest,
  parseStatusResponse,
} from '../../../src/ebxml/index.js';
import { expectValidEnvelope } from '../schemas/assertions.js';
import { expectGolden } from './golden.js';

const spine: MessageHeader = {
  from: { id: 'YES-0000806', type: PARTY_TYPE },
  to: { id: 'RTX-821088', type: PARTY_TYPE },
  cpaId: 'S918999714114',
  conversationId: 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D',
  service: 'urn:oasis:names:tc:ebxml-msg:service',
  action: 'Ping',
  messageId: 'C7E2A9F1-3B5D-4E8C-A6F0-9D1B4E7A2C3F',
  timestamp: '2026-01-05T10:00:00Z',
};
const us = {
  ourParty: { id: 'RTX-821088', type: PARTY_TYPE },
  messageId: '3D8F1B6C-7A2E-4C9D-B5F0-E1A3C7D9B2F4',
  timestamp: '2026-01-05T10:00:01Z',
};

describe('Ping/Pong and StatusRequest/StatusResponse (ebMS 2.0 §7–8)', () => {
  it('builds a Ping and a StatusRequest that parse back and are schema-valid', () => {
    const ping = buildMshRequest(spine);
    expect(parseMessage(ping.contentType, ping.body).header).toMatchObject({
      action: 'Ping',
      service: 'urn:oasis:names:tc:ebxml-msg:service',
    });
    expectValidEnvelope(ping.body);
    const request = buildMshRequest(spine, 'M-ASKED');
    expect(request.soapAction).toBe('urn:oasis:names:tc:ebxml-msg:service/StatusRequest');
    expect(parseStatusRequest(request.body.toString())).toBe('M-ASKED');
    expectValidEnvelope(request.body);
  });

  it('answers a Ping with a Pong addressed back, RefToMessageId the Ping (golden)', () => {
    const pong = buildPong(spine, us);
    expectGolden('pong.xml', pong.body);
    expectValidEnvelope(pong.body);
    expect(parseMessage(pong.contentType, pong.body).header).toMatchObject({
      action: 'Pong',
      to: { id: 'YES-0000806' },
      refToMessageId: spine.messageId,
    });
  });

  it('answers a StatusRequest with a StatusResponse in the Body (golden)', () => {
    const response = buildStatusResponse(
      { ...spine, action: 'StatusRequest' },
      { refToMessageId: 'M-ASKED', messageStatus: 'Processed', timestamp: '2026-01-05T09:59:00Z' },
      us,
    );
    expectGolden('status-response.xml', response.body);
    expectValidEnvelope(response.body);
    expect(parseStatusResponse(response.body.toString())).toEqual({
      refToMessageId: 'M-ASKED',
      messageStatus: 'Processed',
      timestamp: '2026-01-05T09:59:00Z',
    });
    expect(parseStatusResponse(buildPong(spine, us).body.toString())).toBeUndefined();
  });
});
