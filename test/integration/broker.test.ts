import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker, type Delivery, QUEUES } from '../../src/queue/index.js';
import { createTestVhost } from '../support/rabbitmq.js';

const vhost = createTestVhost();
const url = vhost.url;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('Broker against the real RabbitMQ', () => {
  const broker = new Broker(url, { instanceId: `test-${randomUUID()}`, logger: quiet });
  beforeAll(async () => {
    await broker.start();
    await broker.purge(QUEUES.signals);
  });
  afterAll(async () => {
    await broker.close();
    vhost.remove();
  });

  it('declares the durable topology', async () => {
    for (const queue of Object.values(QUEUES)) {
      await expect(broker.queueDepth(queue)).resolves.toMatchObject({ messages: expect.any(Number) });
    }
  });

  it('publishes with a confirm and delivers properties and headers to a consumer', async () => {
    const id = randomUUID();
    const received = new Promise<Delivery>((resolve) => {
      void broker.consume(QUEUES.signals, async (delivery) => {
        if (delivery.messageId === id) resolve(delivery);
        return 'ack';
      });
    });
    await broker.publish(QUEUES.signals, Buffer.from('{"a":1}'), {
      messageId: id,
      correlationId: 'C1',
      type: 'MCCI_IN010000UK13',
      headers: { kind: 'application-ack', refToMessageId: 'R1', absent: undefined },
    });
    const delivery = await received;
    expect(delivery.body.toString()).toBe('{"a":1}');
    expect(delivery).toMatchObject({ correlationId: 'C1', type: 'MCCI_IN010000UK13' });
    expect(delivery.headers).toMatchObject({ kind: 'application-ack', refToMessageId: 'R1' });
    expect(delivery.headers).not.toHaveProperty('absent');
  });

  it('delivers events to every instance', async () => {
    const other = new Broker(url, { instanceId: `test-${randomUUID()}`, logger: quiet });
    await other.start();
    const seen = new Promise<string>((resolve) => other.onEvent((key, body) => resolve(`${key}:${body}`)));
    await broker.publishEvent('message.M1', Buffer.from('COMPLETED'));
    expect(await seen).toBe('message.M1:COMPLETED');
    await other.close();
  });

  it('fails clearly when RabbitMQ cannot be reached', async () => {
    const nowhere = new Broker('amqp://guest:guest@127.0.0.1:1', {
      instanceId: 'x',
      logger: quiet,
      connectTimeoutMs: 600,
    });
    await expect(nowhere.start()).rejects.toThrow('RabbitMQ not reachable within 600 ms');
    await nowhere.close();
  });
});
