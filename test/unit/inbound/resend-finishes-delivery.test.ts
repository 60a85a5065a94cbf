// A message stored as RECEIVED whose queueing failed (RabbitMQ restarting, or the instance killed
// before the ack) must not be refused with a 500 on every resend, or the sender gives up and the
// PAS never sees it (found by the soak): a resend finishes the delivery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../../src/queue/index.js';
import { pipelineFor, slotPoll, type TestStore, temporaryStore } from './setup.js';

describe('an inbound message whose first delivery was interrupted', () => {
  let temp: TestStore;

  beforeAll(() => {
    temp = temporaryStore();
  });
  afterAll(() => temp.remove());

  it('is delivered by the resend, once, and every later copy gets the same acknowledgment', async () => {
    const { pipeline, broker } = pipelineFor(temp.store);
    const message = slotPoll();
    const messageId = /<eb:MessageId>([^<]+)</.exec(message.body.toString('utf8'))![1]!;
    const receive = () => pipeline.receive(message.contentType, message.soapAction, message.body);
    const queued = () => broker.published.map((p) => ({ queue: p.queue, messageId: p.properties.messageId }));

    broker.failNextPublishes(1);
    const first = await receive();
    expect(first.status).toBe(500);
    expect((await temp.store.get(messageId))?.status).toBe('RECEIVED');
    expect(queued()).toEqual([]);

    const second = await receive();
    expect(second.status).toBe(200);
    expect(second.body.toString('utf8')).toContain('Acknowledgment');
    expect(queued()).toEqual([{ queue: QUEUES.inbound, messageId }]);
    expect((await temp.store.get(messageId))?.status).toBe('DELIVERED');

    const third = await receive();
    expect(third.status).toBe(200);
    expect(third.body.equals(second.body)).toBe(true);
    expect(queued()).toHaveLength(1);
  });
});
