import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Broker,
  type Delivery,
  parseOutboundWork,
  QUEUES,
  queueOutboundRetry,
  retryQueueName,
} from '../../src/queue/index.js';
import { createTestVhost } from '../support/rabbitmq.js';

const vhost = createTestVhost();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * RabbitMQ expires messages only from the head of a queue: retries of different intervals in one
 * queue would make a short retry wait behind a long one. One queue per interval orders them right.
 */
describe('retry queues against the real RabbitMQ', () => {
  const broker = new Broker(vhost.url, { instanceId: `test-${randomUUID()}`, logger: quiet });
  const arrivals: { id: string; at: number }[] = [];
  const waiters: (() => void)[] = [];

  beforeAll(async () => {
    await broker.start();
    await broker.consume(QUEUES.outbound, async (delivery: Delivery) => {
      // The work item itself comes back, not only its properties.
      arrivals.push({ id: parseOutboundWork(delivery.body).messageId, at: Date.now() });
      for (const wake of waiters.splice(0)) wake();
      return 'ack';
    });
  });
  afterAll(async () => {
    await broker.close();
    vhost.remove();
  });

  /** Resolves once `count` entries have come back to mhs.outbound. */
  const arrived = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (arrivals.length >= count ? resolve() : waiters.push(check));
      check();
    });

  it('a 200 ms retry published after a 5 s one comes back first; the 5 s one after its interval', async () => {
    const long = `long-${randomUUID()}`;
    const short = `short-${randomUUID()}`;
    const sentAt = Date.now();
    const work = (messageId: string) => ({
      messageId,
      conversationId: 'C',
      interactionId: 'PRSC_IN090000UK09',
    });
    await queueOutboundRetry(broker, 5_000, work(long));
    await queueOutboundRetry(broker, 200, work(short));
    await arrived(2);
    expect(arrivals.map((a) => a.id)).toEqual([short, long]);
    // Each waited its own interval, no less (the broker checks expiry from the head, at its own pace).
    expect(arrivals[0]!.at - sentAt).toBeGreaterThanOrEqual(200);
    expect(arrivals[1]!.at - sentAt).toBeGreaterThanOrEqual(5_000);
  }, 30_000);

  it('declares one durable queue per interval, named for it, that dead-letters back to mhs.outbound', async () => {
    expect(retryQueueName(60_000)).toBe('mhs.retry.60000');
    await broker.declareRetryInterval(60_000);
    await expect(broker.queueDepth('mhs.retry.60000')).resolves.toEqual({ messages: 0, consumers: 0 });
    expect(() => retryQueueName(-1)).toThrow(RangeError);
    expect(() => retryQueueName(1.5)).toThrow(RangeError);
  });
});
