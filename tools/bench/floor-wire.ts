// What both floors put on the wire, done the way the gateway does it: confirmed publishes on a
// confirm channel (src/queue/publish.ts), quorum queues (src/queue/topology.ts), and keep-alive
// mutual-TLS POSTs that read the answer to the end (src/transport/client.ts).
import https from 'node:https';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';

/** The gateway's outbound.requestTimeoutMs: a POST that hangs fails the run rather than stalling it. */
export const POST_TIMEOUT_MS = 20_000;

/** One place that turns the first connection or channel error into a rejected run. */
export function failure() {
  let listener: ((error: Error) => void) | undefined;
  let first: Error | undefined;
  return {
    fail: (error: Error) => {
      first ??= error;
      listener?.(error);
    },
    onFail: (next: (error: Error) => void) => {
      listener = next;
      if (first) next(first);
    },
  };
}

/** Durable quorum queues, as the gateway declares every mhs.* queue. */
export async function declareQueues(connection: ChannelModel, queues: readonly string[]): Promise<void> {
  const channel = await connection.createChannel();
  for (const queue of queues)
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.close();
}

/**
 * Deletes queues on the run's connection if it still works, else on a fresh one:
 * no bench queue is left behind.
 */
export async function deleteQueues(
  connection: ChannelModel | undefined,
  url: string,
  queues: readonly string[],
): Promise<void> {
  const remove = async (model: ChannelModel) => {
    const channel: Channel = await model.createChannel();
    channel.on('error', () => undefined);
    for (const queue of queues) await channel.deleteQueue(queue);
    await channel.close();
  };
  try {
    if (!connection) throw new Error('no connection');
    await remove(connection);
  } catch {
    const fresh = await amqp.connect(url);
    try {
      await remove(fresh);
    } finally {
      await fresh.close();
    }
  }
}

export interface PublishTo {
  /** '' for the default exchange, where the routing key is the queue's name. */
  exchange: string;
  routingKey: string;
  /** Every queue message is persistent (the gateway's wake-up events, not in the floor, are not). */
  persistent: boolean;
}

/** Publishes and resolves once the broker confirms, as src/queue/publish.ts does. */
export function publishConfirmed(
  channel: ConfirmChannel,
  to: PublishTo,
  content: Buffer,
  properties: { messageId: string; type?: string; headers?: Record<string, string> },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    channel.publish(
      to.exchange,
      to.routingKey,
      content,
      {
        persistent: to.persistent,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
        ...properties,
      },
      (error) => (error ? reject(new Error(`RabbitMQ did not confirm: ${error}`)) : resolve()),
    );
  });
}

/** A POST's status and how many bytes its answer had. */
export interface Answer {
  status: number;
  bytes: number;
}

/** POSTs and reads the answer to the end, so the keep-alive socket is free for the next POST. */
export function post(
  agent: https.Agent,
  url: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: 'POST',
        agent,
        timeout: POST_TIMEOUT_MS,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': body.byteLength,
          ...headers,
        },
      },
      (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.byteLength;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`no answer from ${url} within ${POST_TIMEOUT_MS} ms`)),
    );
    request.on('error', reject);
    request.end(body);
  });
}
