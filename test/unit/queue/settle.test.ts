import { describe, expect, it } from 'vitest';
import { QueueContractError } from '../../../src/queue/index.js';
import { settleDelivery } from '../../../src/queue/settle.js';
import { FakeBroker } from '../../support/fake-broker.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const delivery = { body: Buffer.from('{"x":1}'), messageId: 'M-1', headers: {}, redelivered: false };
const failing = (error: Error) => ({
  queue: 'mhs.outbound',
  prefetch: 1,
  handler: () => Promise.reject(error),
});

describe('settling a delivery', () => {
  it("returns the handler's own disposition when it succeeds", async () => {
    const publisher = new FakeBroker();
    const subscription = { queue: 'mhs.outbound', prefetch: 1, handler: async () => 'reject' as const };
    expect(await settleDelivery({ publisher, logger: silent }, subscription, delivery, 1)).toBe('reject');
    expect(publisher.published).toEqual([]);
  });

  it('requeues a failure after a pause while it has deliveries left', async () => {
    const publisher = new FakeBroker();
    const options = { publisher, logger: silent, maxDeliveries: 3, maxRequeueDelayMs: 1 };
    expect(await settleDelivery(options, failing(new Error('db down')), delivery, 2)).toBe('requeue');
    expect(publisher.published).toEqual([]);
  });

  it('parks a message on mhs.dead-letter once it has failed maxDeliveries times', async () => {
    const publisher = new FakeBroker();
    const options = { publisher, logger: silent, maxDeliveries: 3 };
    expect(await settleDelivery(options, failing(new Error('db down')), delivery, 3)).toBe('ack');
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]?.queue).toBe('mhs.dead-letter');
    expect(publisher.published[0]?.properties.headers).toEqual({
      reason: 'failed 3 times in mhs.outbound: db down',
      queue: 'mhs.outbound',
    });
  });

  it('parks a body that breaks its queue contract on its first delivery', async () => {
    const publisher = new FakeBroker();
    const error = new QueueContractError('mhs.outbound', 'messageId is missing');
    expect(await settleDelivery({ publisher, logger: silent }, failing(error), delivery, 1)).toBe('ack');
    expect(String(publisher.published[0]?.properties.headers?.reason)).toMatch(/^refused by mhs.outbound: /);
  });

  it('requeues a poison message when it cannot be parked (the broker is down)', async () => {
    const publisher = new FakeBroker();
    publisher.failNextPublishes(1);
    const error = new QueueContractError('mhs.outbound', 'messageId is missing');
    expect(await settleDelivery({ publisher, logger: silent }, failing(error), delivery, 1)).toBe('requeue');
    expect(publisher.published).toEqual([]);
  });
});
