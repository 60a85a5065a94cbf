// Transient events every instance hears: one exclusive, auto-deleted queue per instance, bound to
// the events exchange, re-created on every new connection.
import type { ChannelModel } from 'amqplib';
import { EVENTS_EXCHANGE, eventQueueName } from './topology.js';

export type EventListener = (routingKey: string, body: Buffer) => void;

export class EventListeners {
  private readonly listeners: EventListener[] = [];

  constructor(private readonly instanceId: string) {}

  add(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Starts hearing events on `model` (every new connection). */
  async listen(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    const queue = eventQueueName(this.instanceId);
    await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, '#');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        for (const listener of this.listeners) listener(message.fields.routingKey, message.content);
      },
      { noAck: true },
    );
  }
}
