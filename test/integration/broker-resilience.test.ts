import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, type Delivery, QUEUES } from '../../src/queue/index.js';
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
});
