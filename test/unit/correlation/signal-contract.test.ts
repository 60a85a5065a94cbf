// The mhs.signals body: what inbound encodes, correlation parses back unchanged; anything else is
// a QueueContractError that says what is wrong.
import { describe, expect, it } from 'vitest';
import { encodeSignal, parseSignal, QueueContractError, type Signal } from '../../../src/queue/index.js';

const base = { signalId: 'S-1', conversationId: 'C-1', receivedAt: '2026-12-03T10:00:00.000Z' };
const signals: [string, Signal][] = [
  ['an Acknowledgment', { ...base, kind: 'acknowledgment', refToMessageId: 'M-1' }],
  [
    'a MessageError',
    {
      ...base,
      kind: 'message-error',
      refToMessageId: 'M-1',
      errors: [
        {
          errorCode: 'ValueNotRecognized',
          severity: 'Error',
          description: '501319:Unknown eb:CPAId',
          spineCode: '501319',
          location: 'eb:CPAId',
          codeContext: 'urn:oasis:names:tc:ebxml-msg:service:errors',
        },
      ],
    },
  ],
  [
    'an application acknowledgement',
    {
      ...base,
      kind: 'application-ack',
      applicationAck: {
        messageId: 'H-2',
        typeCode: 'AE',
        messageRef: 'H-1',
        details: [{ typeCode: 'ER', code: '1', displayName: 'no such slot' }],
        reasons: [{ code: '2', qualifier: 'ER' }],
      },
      hl7: '<MCCI_IN010000UK13/>',
    },
  ],
  ['a reply', { ...base, kind: 'reply', refToMessageId: 'M-1', interactionId: 'QUPC_IN160102UK05' }],
];

describe('the mhs.signals contract', () => {
  it.each(signals)('reads back %s as it was encoded', (_name, signal) => {
    expect(parseSignal(encodeSignal(signal, 'Acknowledgment').body)).toEqual(signal);
  });

  it('carries the ids and kind as properties, so a consumer can route without the body', () => {
    const [, ack] = signals[0]!;
    expect(encodeSignal(ack, 'Acknowledgment').properties).toEqual({
      messageId: 'S-1',
      correlationId: 'C-1',
      type: 'Acknowledgment',
      headers: { kind: 'acknowledgment', refToMessageId: 'M-1' },
    });
    const [, applicationAck] = signals[2]!;
    expect(encodeSignal(applicationAck, 'Anything').properties.type).toBe('MCCI_IN010000UK13');
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['an array', '[]', /body/],
    ['an unknown kind', JSON.stringify({ ...base, kind: 'pong' }), /kind/],
    ['no signalId', JSON.stringify({ ...base, signalId: undefined, kind: 'reply' }), /signalId/],
    [
      'an error without a code',
      JSON.stringify({ ...base, kind: 'message-error', errors: [{ severity: 'Error' }] }),
      /errors\.0\.errorCode/,
    ],
    [
      'an application-ack without applicationAck',
      JSON.stringify({ ...base, kind: 'application-ack' }),
      /applicationAck/,
    ],
    [
      'an acknowledgement typeCode that is not AA, AE or AR',
      JSON.stringify({
        ...base,
        kind: 'application-ack',
        applicationAck: { messageId: 'H', typeCode: 'XX', messageRef: 'H-1', details: [], reasons: [] },
      }),
      /applicationAck\.typeCode/,
    ],
  ])('refuses %s with a QueueContractError naming the problem', (_name, body, problem) => {
    let thrown: unknown;
    try {
      parseSignal(Buffer.from(body));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(QueueContractError);
    expect((thrown as QueueContractError).queue).toBe('mhs.signals');
    expect((thrown as Error).message).toMatch(problem);
  });
});
