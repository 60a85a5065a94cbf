// The retry queues (mhs.retry.<ms>) this client uses: declared on first use, and again on every new
// connection, which may be to a broker that lost them (a fresh node).
import type { Channel } from 'amqplib';
import type { AmqpConnection } from './connection.js';
import { declareRetryQueue, retryQueueName } from './topology.js';

export class RetryQueues {
  /** Intervals asked for since start-up. */
  private readonly intervals = new Set<number>();
  /** Intervals declared on the current connection. */
  private declared = new Set<number>();

  /** Declares the queue for `intervalMs` unless this connection has already; returns its name. */
  async declare(intervalMs: number, connection: AmqpConnection): Promise<string> {
    this.intervals.add(intervalMs);
    const model = await connection.live();
    if (!this.declared.has(intervalMs)) {
      const channel = await model.createChannel();
      try {
        await declareRetryQueue(channel, intervalMs);
      } finally {
        await channel.close().catch(() => undefined);
      }
      this.declared.add(intervalMs);
    }
    return retryQueueName(intervalMs);
  }

  /** On a new connection: declares every interval asked for so far. */
  async redeclare(channel: Channel): Promise<void> {
    this.declared = new Set();
    for (const interval of this.intervals) await declareRetryQueue(channel, interval);
    this.declared = new Set(this.intervals);
  }
}
