import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/index.js';
import { SendWorker } from '../../src/outbound/index.js';
import { NotificationRelay } from '../../src/outbox/index.js';
import { Broker, type Delivery, QUEUES } from '../../src/queue/index.js';
import { SqliteMessageStore } from '../../src/store/index.js';
import { eventually } from '../e2e/harness.js';
import { createTestVhost } from '../support/rabbitmq.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('Broker resilience against the real RabbitMQ', () => {
  const vhost = createTestVhost();
  afterAll(() => vhost.remove());

  describe('a network cut', () => {
    // What the broker says as it goes: the loss is an event to wait for, not a state to poll (a
    // reconnect can finish between two polls, and the loss would never be seen).
    const said: string[] = [];
    const listening = { ...quiet, warn: (_: object, message: string) => void said.push(message) };
    const broker = new Broker(vhost.url, { instanceId: `cut-${randomUUID()}`, logger: listening });
    const seen: Delivery[] = [];
    beforeAll(async () => {
      await broker.start();
      await broker.consume(QUEUES.signals, async (delivery) => {
        seen.push(delivery);
        return 'ack';
      });
    });
    afterAll(() => broker.close());

    it('reconnects, re-declares the topology and resumes its consumers', async () => {
      await broker.publish(QUEUES.signals, Buffer.from('before'), { messageId: 'before' });
      expect(await eventually(() => seen.find((d) => d.messageId === 'before'))).toBeDefined();
      vhost.cut();
      const lost = (message: string) => message.startsWith('RabbitMQ connection lost');
      expect(await eventually(() => said.some(lost), 5_000)).toBe(true);
      // A publish during the outage waits for the reconnect instead of failing.
      await broker.publish(QUEUES.signals, Buffer.from('after'), { messageId: 'after' });
      expect(broker.connected).toBe(true);
      expect(await eventually(() => seen.find((d) => d.messageId === 'after'), 10_000)).toBeDefined();
    });
  });

  describe('a message that keeps failing', () => {
    const broker = new Broker(vhost.url, {
      instanceId: `poison-${randomUUID()}`,
      logger: quiet,
      maxDeliveries: 3,
      maxRequeueDelayMs: 20,
    });
    let attempts = 0;
    beforeAll(async () => {
      await broker.start();
      await broker.consume(QUEUES.outbound, async () => {
        attempts += 1;
        throw new Error('cannot handle this one');
      });
    });
    afterAll(() => broker.close());

    it('is parked on mhs.dead-letter with its error after maxDeliveries, not looped for ever', async () => {
      const parked: Delivery[] = [];
      const reader = new Broker(vhost.url, { instanceId: `reader-${randomUUID()}`, logger: quiet });
      await reader.start();
      await reader.consume(QUEUES.deadLetter, async (delivery) => {
        parked.push(delivery);
        return 'ack';
      });
      await broker.publish(QUEUES.outbound, Buffer.from('{"messageId":"P1"}'), {
        messageId: 'P1',
        type: 'PRSC_IN090000UK09',
      });
      const dead = await eventually(() => parked.find((d) => d.messageId === 'P1'), 10_000);
      expect(dead?.headers.reason).toMatch(/^failed 3 times in mhs\.outbound: cannot handle this one$/);
      expect(dead?.body.toString()).toBe('{"messageId":"P1"}');
      const settled = attempts;
      expect(settled).toBe(3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(attempts).toBe(settled);
      await reader.close();
    });
  });

  describe('a work item that breaks the mhs.outbound contract', () => {
    // A vhost of its own: the poison consumer above also reads mhs.outbound.
    const own = createTestVhost();
    const logger = createLogger({ level: 'silent', redactPatientData: true });
    const store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-contract-')), 'state.db'));
    const broker = new Broker(own.url, {
      instanceId: `contract-${randomUUID()}`,
      logger: quiet,
      maxDeliveries: 2,
      maxRequeueDelayMs: 20,
    });
    const parked: Delivery[] = [];
    beforeAll(async () => {
      await broker.start();
      const worker = new SendWorker({
        store,
        broker,
        relay: new NotificationRelay({ store, broker, logger }),
        client: { post: () => Promise.reject(new Error('no send expected')) } as never,
        logger,
        prefetch: 1,
        requestTimeoutMs: 1_000,
      });
      await worker.start();
      await broker.consume(QUEUES.deadLetter, async (delivery) => {
        parked.push(delivery);
        return 'ack';
      });
    });
    afterAll(async () => {
      await broker.close();
      await store.close();
      own.remove();
    });

    it('is parked on mhs.dead-letter at its first delivery, as it came, with the contract error as its reason', async () => {
      await broker.publish(QUEUES.outbound, Buffer.from('{"id":"W1"}'), { messageId: 'W1' });
      const dead = await eventually(() => parked.find((d) => d.messageId === 'W1'), 10_000);
      expect(dead?.headers.reason).toMatch(
        /^refused by mhs\.outbound: malformed mhs\.outbound message: messageId: /,
      );
      expect(dead?.body.toString()).toBe('{"id":"W1"}');
    });
  });
});
