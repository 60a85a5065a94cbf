// A NACK told twice under different ids: the consumer moved the message and published the PAS
// notification, then died before recording it delivered; Spine's next MessageError for the same
// message (another signal id) found it untold and told it again. With the outbox the notification
// is written in the transition's transaction under a fixed id, so only a republish of that same id
// can follow a crash (the PAS dedupes by messageId).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorrelationConsumer } from '../../src/correlation/index.js';
import { createLogger } from '../../src/ops/index.js';
import { NotificationRelay } from '../../src/outbox/index.js';
import {
  Broker,
  type Delivery,
  type PublishProperties,
  parsePasMessage,
  QUEUES,
  type Signal,
} from '../../src/queue/index.js';
import { SqliteMessageStore } from '../../src/store/index.js';
import { createTestVhost } from '../support/rabbitmq.js';
import { routes } from '../unit/inbound/setup.js';

const vhost = createTestVhost();
const logger = createLogger({ level: 'silent', redactPatientData: true });

describe('the PAS notification outbox, against the real RabbitMQ', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-outbox-'));
  const broker = new Broker(vhost.url, { instanceId: 'outbox-test', logger });
  let store: SqliteMessageStore;

  beforeAll(async () => {
    await broker.start();
    store = new SqliteMessageStore(join(dir, 'state.db'));
  });
  afterAll(async () => {
    await store?.close();
    await broker.close();
    vhost.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The broker as seen by an instance that dies at `when` while publishing to mhs.inbound. */
  function dying(when: 'before-publish' | 'after-confirm'): Broker {
    return new Proxy(broker, {
      get(target, property) {
        if (property !== 'publish') return Reflect.get(target, property, target).bind?.(target);
        return async (queue: string, body: Buffer, properties: PublishProperties) => {
          if (queue !== QUEUES.inbound) return target.publish(queue, body, properties);
          if (when === 'after-confirm') await target.publish(queue, body, properties);
          throw new Error(`instance killed ${when}`);
        };
      },
    });
  }

  const consumer = (b: Broker) =>
    new CorrelationConsumer({ store, routes, broker: b, relay: relay(b), logger, prefetch: 1 });
  const relay = (b: Broker) =>
    new NotificationRelay({ store, broker: b, logger, settings: { pendingAfterMs: 0 } });

  async function sentMessage(messageId: string): Promise<void> {
    await store.insert({
      messageId,
      direction: 'outbound',
      interactionId: 'PRSC_IN090000UK09',
      conversationId: `C-${messageId}`,
      status: 'SENDING',
    });
    await store.transition(messageId, 'SENT', { from: ['SENDING'] });
  }

  const messageError = (signalId: string, refToMessageId: string): Delivery => {
    const signal: Signal = {
      kind: 'message-error',
      signalId,
      refToMessageId,
      conversationId: `C-${refToMessageId}`,
      receivedAt: '2026-12-03T10:00:00.000Z',
      errors: [{ errorCode: 'ValueNotRecognized', severity: 'Error', description: 'CPAId not recognised' }],
    } as Signal;
    return { body: Buffer.from(JSON.stringify(signal)), headers: {}, redelivered: false };
  };

  /** Every notification on mhs.inbound about `messageId`, drained (all publishes were confirmed before). */
  async function notificationsAbout(messageId: string): Promise<string[]> {
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      const ids: string[] = [];
      for (;;) {
        const message = await channel.get(QUEUES.inbound, { noAck: false });
        if (message === false) break;
        channel.ack(message);
        const body = parsePasMessage(message.content);
        if (body.refToMessageId === messageId) ids.push(message.properties.messageId as string);
      }
      return ids;
    } finally {
      await connection.close();
    }
  }

  it('killed after the broker confirmed, before recording it: one notification id, whatever comes next', async () => {
    await sentMessage('M-1');
    // The first instance moves M-1 to NACKED, publishes, and dies before recording the publish.
    expect(await consumer(dying('after-confirm')).handle(messageError('S-1', 'M-1'))).toBe('ack');
    expect((await store.get('M-1'))?.status).toBe('NACKED');
    expect((await store.get('M-1'))?.replyDeliveredAt).toBeUndefined();
    // Spine sends another MessageError for the same message; and the first signal comes back.
    const survivor = consumer(broker);
    expect(await survivor.handle(messageError('S-2', 'M-1'))).toBe('ack');
    expect(await survivor.handle(messageError('S-1', 'M-1'))).toBe('ack');
    // The relay publishes what was left pending: the same id again.
    expect(await relay(broker).sweep()).toBe(1);
    expect(await relay(broker).sweep()).toBe(0);
    const ids = await notificationsAbout('M-1');
    // Two copies (the dying instance's and the relay's), one id: the PAS acts once.
    expect(ids).toEqual(['S-1', 'S-1']);
    expect((await store.get('M-1'))?.replyDeliveredAt).toBeDefined();
  });

  it('killed before publishing: the pending row is published once, under the id it was written with', async () => {
    await sentMessage('M-2');
    expect(await consumer(dying('before-publish')).handle(messageError('S-3', 'M-2'))).toBe('ack');
    expect(await notificationsAbout('M-2')).toEqual([]);
    expect(await consumer(broker).handle(messageError('S-4', 'M-2'))).toBe('ack');
    expect(await relay(broker).sweep()).toBe(1);
    expect(await notificationsAbout('M-2')).toEqual(['S-3']);
  });
});
