// The rules of correlation, with the one fake broker, a real SQLite store and the real outbox
// relay: which signal moves which message where, and what the PAS is told (once).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CorrelationConsumer } from '../../../src/correlation/index.js';
import { NotificationRelay } from '../../../src/outbox/index.js';
import {
  encodeSignal,
  type PasMessage,
  QUEUES,
  QueueContractError,
  type Signal,
} from '../../../src/queue/index.js';
import type { SqliteMessageStore } from '../../../src/store/index.js';
import { FakeBroker } from '../../support/fake-broker.js';
import { newId, routes, silent, storeSent, type TestStore, temporaryStore } from '../inbound/setup.js';

const RECEIVED_AT = '2026-12-03T10:00:00.000Z';

describe('the correlation consumer', () => {
  let temp: TestStore;
  let store: SqliteMessageStore;
  let broker: FakeBroker;

  beforeAll(() => {
    temp = temporaryStore();
    store = temp.store;
  });
  afterAll(() => temp.remove());

  beforeEach(async () => {
    broker = new FakeBroker();
    const relay = new NotificationRelay({ store, broker, logger: silent });
    await new CorrelationConsumer({ store, routes, broker, relay, logger: silent, prefetch: 1 }).start();
  });

  /** Delivers `signal` on mhs.signals as inbound publishes it; returns the consumer's disposition. */
  const deliver = (signal: Signal, redelivered = false) => {
    const { body, properties } = encodeSignal(signal, 'Acknowledgment');
    return broker.deliver(QUEUES.signals, { body, messageId: properties.messageId, redelivered });
  };
  const signalAbout = (refToMessageId: string, kind: Signal['kind'], rest: Partial<Signal> = {}): Signal => ({
    kind,
    signalId: newId(),
    refToMessageId,
    conversationId: `C-${refToMessageId}`,
    receivedAt: RECEIVED_AT,
    ...rest,
  });
  const toPas = () => broker.json(QUEUES.inbound) as PasMessage[];
  const statusOf = async (messageId: string) => (await store.get(messageId))?.status;
  const deliveryFailure = [{ errorCode: 'DeliveryFailure', severity: 'Error' as const, description: 'gone' }];

  it('ignores an Acknowledgment for a message we never sent', async () => {
    const unknown = newId();
    expect(await deliver(signalAbout(unknown, 'acknowledgment'))).toBe('ack');
    expect(await store.get(unknown)).toBeUndefined();
    expect(broker.published).toEqual([]);
    expect(broker.events).toEqual([]);
  });

  it('moves a sent message to ACKED on its Acknowledgment, to wait for its reply deadline, telling the PAS nothing', async () => {
    const sent = newId();
    await storeSent(store, sent);
    expect(await deliver(signalAbout(sent, 'acknowledgment'))).toBe('ack');
    const message = await store.get(sent);
    expect(message?.status).toBe('ACKED');
    expect(message?.nextAttemptAt).toBeDefined();
    expect(toPas()).toEqual([]);
    expect(broker.events.map((e) => e.routingKey)).toEqual([`message.${sent}`]);
  });

  it('publishes no wake-up for a message no caller waits on, and one for a message a caller may wait on', async () => {
    const unawaited = newId();
    await storeSent(store, unawaited, undefined, false);
    await deliver(signalAbout(unawaited, 'acknowledgment'));
    expect(await statusOf(unawaited)).toBe('ACKED');
    expect(broker.events).toEqual([]);
    const awaited = newId();
    await storeSent(store, awaited, undefined, true);
    await deliver(signalAbout(awaited, 'acknowledgment'));
    expect(broker.events.map((e) => e.routingKey)).toEqual([`message.${awaited}`]);
  });

  it('moves a message to NACKED on a MessageError and writes one PAS notification under the signal id', async () => {
    const sent = newId();
    await storeSent(store, sent);
    const signal = signalAbout(sent, 'message-error', { errors: deliveryFailure });
    await deliver(signal);
    expect(await statusOf(sent)).toBe('NACKED');
    expect(toPas()).toHaveLength(1);
    expect(toPas()[0]).toMatchObject({
      kind: 'error',
      messageId: signal.signalId,
      refToMessageId: sent,
      interactionId: 'REPC_IN150016UK05',
      data: { status: 'NACKED', errors: [{ errorCode: 'DeliveryFailure' }] },
    });
    // Published by the relay and recorded so: nothing is left for the outbox sweep.
    expect(await store.pendingNotifications(10, new Date(Date.now() + 60_000))).toEqual([]);
  });

  it('tells the PAS nothing new for a redelivered signal, or a second signal about a message already moved', async () => {
    const sent = newId();
    await storeSent(store, sent);
    const signal = signalAbout(sent, 'message-error', { errors: deliveryFailure });
    await deliver(signal);
    expect(await deliver(signal, true)).toBe('ack');
    expect(await deliver(signalAbout(sent, 'message-error', { errors: deliveryFailure }))).toBe('ack');
    expect(await deliver(signalAbout(sent, 'acknowledgment'))).toBe('ack');
    expect(toPas()).toHaveLength(1);
    expect(await statusOf(sent)).toBe('NACKED');
  });

  it('completes a request when its reply arrives, and wakes whoever waits on it', async () => {
    const sent = newId();
    await storeSent(store, sent);
    const reply = signalAbout(sent, 'reply', { interactionId: 'QUPC_IN160102UK05' });
    await deliver(reply);
    const message = await store.get(sent);
    expect(message?.status).toBe('COMPLETED');
    expect(message?.reply).toMatchObject({
      replyMessageId: reply.signalId,
      interactionId: 'QUPC_IN160102UK05',
    });
    // The reply itself reached the PAS from the inbound side.
    expect(toPas()).toEqual([]);
    expect(broker.events.map((e) => e.routingKey)).toEqual([`message.${sent}`]);
  });

  it.each([
    ['AA', 'COMPLETED', 'accepted'],
    ['AE', 'REJECTED', 'business-error'],
  ] as const)(
    'ends a message on an application acknowledgement %s and tells the PAS once',
    async (typeCode, status, outcome) => {
      const sent = newId();
      await storeSent(store, sent);
      const signal = signalAbout(sent, 'application-ack', {
        applicationAck: { messageId: newId(), typeCode, messageRef: sent, details: [], reasons: [] },
        hl7: '<MCCI_IN010000UK13/>',
      });
      await deliver(signal);
      await deliver(signal, true);
      expect(await statusOf(sent)).toBe(status);
      expect(toPas()).toHaveLength(1);
      expect(toPas()[0]).toMatchObject({
        kind: 'application-ack',
        interactionId: 'MCCI_IN010000UK13',
        messageId: signal.signalId,
        data: { acknowledgement: typeCode, outcome },
      });
    },
  );

  it('passes an application acknowledgement for a message we never sent to the PAS, marked unmatched', async () => {
    const messageRef = newId();
    await deliver(
      signalAbout(messageRef, 'application-ack', {
        applicationAck: { messageId: newId(), typeCode: 'AA', messageRef, details: [], reasons: [] },
      }),
    );
    expect(toPas()).toMatchObject([{ kind: 'application-ack', refToMessageId: messageRef, unmatched: true }]);
    expect(await store.get(messageRef)).toBeUndefined();
  });

  it('moves a message on an application ack only from a client allowed to speak for the party it went to', async () => {
    const sentToErs = newId();
    await storeSent(store, sentToErs, 'X26-9199246');
    const ackFrom = (senderParties: string[]) =>
      signalAbout(sentToErs, 'application-ack', {
        applicationAck: {
          messageId: newId(),
          typeCode: 'AA',
          messageRef: sentToErs,
          details: [],
          reasons: [],
        },
        senderParties,
      });
    expect(await deliver(ackFrom(['YES-0000806']))).toBe('ack');
    expect(await statusOf(sentToErs)).toBe('SENT');
    expect(toPas()).toMatchObject([{ kind: 'application-ack', refToMessageId: sentToErs, unmatched: true }]);
    await deliver(ackFrom(['YES-0000806', 'X26-9199246']));
    expect(await statusOf(sentToErs)).toBe('COMPLETED');
    const anyParty = newId();
    await storeSent(store, anyParty, 'X26-9199246');
    await deliver({
      ...ackFrom(['*']),
      refToMessageId: anyParty,
      applicationAck: { messageId: newId(), typeCode: 'AA', messageRef: anyParty, details: [], reasons: [] },
    });
    expect(await statusOf(anyParty)).toBe('COMPLETED');
  });

  it.each([
    ['not JSON', Buffer.from('{')],
    [
      'no kind',
      Buffer.from(JSON.stringify({ signalId: 'S-1', conversationId: 'C', receivedAt: RECEIVED_AT })),
    ],
    [
      'an application-ack without applicationAck',
      Buffer.from(
        JSON.stringify({
          kind: 'application-ack',
          signalId: 'S-1',
          conversationId: 'C',
          receivedAt: RECEIVED_AT,
        }),
      ),
    ],
  ])(
    'refuses a body that is not a signal (%s) with a contract error, which the broker parks at once',
    async (_name, body) => {
      await expect(broker.deliver(QUEUES.signals, { body })).rejects.toBeInstanceOf(QueueContractError);
      expect(broker.published).toEqual([]);
    },
  );
});
