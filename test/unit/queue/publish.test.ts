import type { ConfirmChannel, Options } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { BrokerUnavailableError } from '../../../src/queue/index.js';
import { publishConfirmed } from '../../../src/queue/publish.js';

/** A confirm channel that records what it was asked to publish and confirms with `error`. */
function channel(error?: Error): Pick<ConfirmChannel, 'publish'> & { sent: unknown[] } {
  const sent: { exchange: string; routingKey: string; options?: Options.Publish }[] = [];
  return {
    sent,
    publish(exchange, routingKey, _content, options, callback) {
      sent.push({ exchange, routingKey, options });
      callback?.(error ?? null, {});
      return true;
    },
  };
}

describe('publishing with confirms', () => {
  it('sends the properties, without undefined headers, and resolves on the confirm', async () => {
    const fake = channel();
    await publishConfirmed(
      fake,
      { exchange: '', routingKey: 'mhs.inbound', persistent: true },
      Buffer.from('{}'),
      { messageId: 'M-1', headers: { a: 'x', b: undefined }, expiration: 500 },
    );
    expect(fake.sent[0]).toMatchObject({
      exchange: '',
      routingKey: 'mhs.inbound',
      options: {
        persistent: true,
        messageId: 'M-1',
        contentType: 'application/json',
        headers: { a: 'x' },
        expiration: '500',
      },
    });
  });

  it('rejects with BrokerUnavailableError when the broker does not confirm', async () => {
    const publishing = publishConfirmed(
      channel(new Error('nack')),
      { exchange: 'mhs.events', routingKey: 'message.M-1', persistent: false },
      Buffer.from(''),
      { messageId: 'message.M-1' },
    );
    await expect(publishing).rejects.toBeInstanceOf(BrokerUnavailableError);
  });
});
