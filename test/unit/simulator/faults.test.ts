import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type MessageHeader, PARTY_TYPE, parseMessage } from '../../../src/ebxml/index.js';
import { collect } from '../../../src/simulator/http.js';
import { FaultInjector, failedPostAnswer } from '../../../src/simulator/index.js';

const received: MessageHeader = {
  from: { id: 'GATEWAY-1', type: PARTY_TYPE },
  to: { id: 'SPINE-1', type: PARTY_TYPE },
  cpaId: 'S1',
  conversationId: 'C-1',
  service: 'urn:nhs:names:services:ebs',
  action: 'PRSC_IN090000UK09',
  messageId: 'M-1',
  timestamp: '2026-01-02T03:04:05Z',
};

describe('FaultInjector', () => {
  it('starts from the defaults, with the configured signal delay', () => {
    const faults = new FaultInjector(250, 'SPINE-1');
    expect(faults.current).toEqual({ applicationAck: 'AA', dropAcks: false, delayMs: 250 });
    expect(faults.signalDelayMs).toBe(250);
    expect(faults.answerInstead(received)).toBeUndefined();
  });

  it('changes only the faults named and adds a slow hop to the signal delay', () => {
    const faults = new FaultInjector(0, 'SPINE-1');
    faults.update({ dropAcks: true });
    faults.update({ responseDelayMs: 40, delayMs: 10 });
    expect(faults.current).toMatchObject({
      dropAcks: true,
      responseDelayMs: 40,
      delayMs: 10,
      applicationAck: 'AA',
    });
    expect(faults.signalDelayMs).toBe(50);
  });

  it('uses up counted SOAP faults before MessageErrors, one message at a time', () => {
    const faults = new FaultInjector(0, 'SPINE-1');
    faults.update({
      soapFault: { codes: ['206'], times: 1 },
      messageError: { errorCode: 'ValueNotRecognized', description: 'no', times: 1 },
    });
    const first = faults.answerInstead(received);
    expect(first?.describe).toBe('HTTP 500 SOAP fault 206');
    expect(first?.answer.status).toBe(500);
    const second = faults.answerInstead(received);
    expect(second?.describe).toBe('HTTP 200 MessageError ValueNotRecognized');
    const error = parseMessage(second!.answer.message.contentType, second!.answer.message.body);
    expect(error.header.refToMessageId).toBe('M-1');
    expect(error.header.from.id).toBe('SPINE-1');
    expect(faults.answerInstead(received)).toBeUndefined();
    expect(faults.current.soapFault?.times).toBe(0);
    expect(faults.current.messageError?.times).toBe(0);
  });

  it('sends a MessageError as real Spine varies it: with HTTP 500, naming the ConversationId', () => {
    const faults = new FaultInjector(0, 'SPINE-1');
    faults.update({
      messageError: {
        errorCode: 'ValueNotRecognized',
        description: '501319:Unknown eb:CPAId',
        times: 1,
        status: 500,
        refersTo: 'conversationId',
      },
    });
    const injected = faults.answerInstead(received);
    expect(injected?.describe).toBe('HTTP 500 MessageError ValueNotRecognized');
    expect(injected?.answer.status).toBe(500);
    const error = parseMessage(injected!.answer.message!.contentType, injected!.answer.message!.body);
    expect(error.kind).toBe('error');
    expect(error.header.refToMessageId).toBe('C-1');
    expect(error.header.conversationId).toBe('C-1');
  });

  it('sends the next N requests twice, then stops', () => {
    const faults = new FaultInjector(0, 'SPINE-1');
    faults.update({ duplicateDeliveries: 2 });
    expect([
      faults.takeDuplicateDelivery(),
      faults.takeDuplicateDelivery(),
      faults.takeDuplicateDelivery(),
    ]).toEqual([true, true, false]);
    expect(faults.current.duplicateDeliveries).toBe(0);
  });
});

describe('the simulated Spine answering a POST that failed', () => {
  it('answers 413 only for a body over its limit; any other failure is its own, 500 naming it', async () => {
    const oversized = Readable.from([Buffer.alloc(8), Buffer.alloc(8)]) as unknown as IncomingMessage;
    const refused = await collect(oversized, 10).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failedPostAnswer(refused)).toEqual({ status: 413, body: 'body over 10 bytes\n' });
    expect(failedPostAnswer(new Error('signature check crashed'))).toEqual({
      status: 500,
      body: 'simulated Spine failed: signature check crashed\n',
    });
  });
});
