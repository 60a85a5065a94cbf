// The transport floor: the gateway's outbound transport work (confirmed publish to a durable quorum
// queue, manual-ack consume with bounded prefetch, keep-alive mutual-TLS POST, ack) with no XML, no
// signing and no store, measured in the same run as the gateway so the two figures are comparable.
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import amqp, { type ConsumeMessage } from 'amqplib';
import { clientOptions, loadTls } from '#src/security/tls/index.js';
import { spawnFloorServer } from './floor-child.js';
import { declareQueues, deleteQueues, failure, post, publishConfirmed } from './floor-wire.js';
import { nearestRank } from './process-stats.js';

export { type FloorServerProcess, spawnFloorServer } from './floor-child.js';
export { type FloorServer, startFloorServer } from './floor-server.js';
export { measureRsaSigning, type SigningFloor } from './floor-signing.js';
export { nearestRank } from './process-stats.js';

/** PEM file paths. */
export interface FloorTls {
  caCert: string;
  clientCert: string;
  clientKey: string;
  serverCert: string;
  serverKey: string;
}

export interface FloorOptions {
  messages: number;
  /** Publishers in flight at once, like concurrent PAS requests. */
  concurrency: number;
  /** Consumer prefetch (the gateway's is amqp.prefetch in config/default.json). */
  prefetch: number;
  /** amqp:// URL; the caller passes a vhost of its own. */
  amqpUrl: string;
  tls: FloorTls;
  /** Size of each POST body; default about a signed ebXML message. */
  bodyBytes?: number;
}

export interface FloorResult {
  messages: number;
  concurrency: number;
  seconds: number;
  messagesPerSecond: number;
  /** Publish start to POST answered, per message. */
  latencyMs: { p50: number; p95: number; p99: number };
  /** POSTs the server child counted: proves every message really crossed the wire. */
  postsReceived: number;
  /** The run's own queue, deleted by the time the result is returned. */
  queue: string;
}

const DEFAULT_BODY_BYTES = 4_000;

export async function measureTransportFloor(options: FloorOptions): Promise<FloorResult> {
  for (const name of ['messages', 'concurrency', 'prefetch'] as const)
    if (!Number.isInteger(options[name]) || options[name] < 1)
      throw new RangeError(`${name} must be a positive integer, got ${options[name]}`);
  const { tls } = options;
  const body = Buffer.alloc(options.bodyBytes ?? DEFAULT_BODY_BYTES, 0x78);
  const queue = `bench.floor.${randomUUID()}`;
  // Undone in reverse order, whether the run succeeds or fails.
  const cleanups: (() => unknown)[] = [];
  try {
    const server = await spawnFloorServer({ cert: tls.serverCert, key: tls.serverKey, ca: tls.caCert });
    cleanups.push(() => server.stop());
    const client = loadTls({ cert: tls.clientCert, key: tls.clientKey, ca: tls.caCert });
    // The gateway's MtlsClient agent: same TLS policy, keep-alive, 64 sockets.
    const agent = new https.Agent({ ...clientOptions(client), keepAlive: true, maxSockets: 64 });
    cleanups.push(() => agent.destroy());
    const target = `https://localhost:${server.port}/`; // the dev certificates name localhost

    const connection = await amqp.connect(options.amqpUrl, {
      clientProperties: { connection_name: 'mhs-gateway bench floor' },
    });
    cleanups.push(() => connection.close());
    const failed = failure();
    connection.on('error', failed.fail);
    connection.on('close', () => failed.fail(new Error('RabbitMQ connection closed during the run')));
    await declareQueues(connection, [queue]);
    cleanups.push(() => deleteQueues(connection, options.amqpUrl, [queue]));

    const startedAt = new Map<string, number>();
    const latencies: number[] = [];
    const consumer = await connection.createChannel();
    consumer.on('error', failed.fail);
    cleanups.push(() => consumer.close());
    await consumer.prefetch(options.prefetch);
    const publisher = await connection.createConfirmChannel();
    publisher.on('error', failed.fail);
    cleanups.push(() => publisher.close());

    let finishedAt = 0;
    const consumed = new Promise<void>((resolve, reject) => {
      failed.onFail(reject);
      const handle = async (message: ConsumeMessage) => {
        const { status } = await post(agent, target, body);
        if (status !== 202) throw new Error(`floor server answered ${status}`);
        const id = String(message.properties.messageId);
        const started = startedAt.get(id);
        // Only a first delivery counts: a redelivery would otherwise be timed (and counted) twice.
        if (started !== undefined && startedAt.delete(id)) latencies.push(performance.now() - started);
        consumer.ack(message);
        if (latencies.length === options.messages) {
          finishedAt = performance.now();
          resolve();
        }
      };
      consumer
        .consume(queue, (message) => {
          if (!message) return reject(new Error('the broker cancelled the floor consumer'));
          handle(message).catch(reject);
        })
        .catch(reject);
    });

    const begin = performance.now();
    let next = 0;
    const publishLoop = async () => {
      while (next < options.messages) {
        next += 1;
        const messageId = randomUUID();
        startedAt.set(messageId, performance.now());
        await publishConfirmed(
          publisher,
          { exchange: '', routingKey: queue, persistent: true },
          Buffer.from(JSON.stringify({ messageId })),
          { messageId },
        );
      }
    };
    const publishers = Array.from({ length: options.concurrency }, publishLoop);
    await Promise.all([...publishers, consumed]);

    const seconds = (finishedAt - begin) / 1000;
    latencies.sort((a, b) => a - b);
    const ms = (value: number) => Math.round(value * 100) / 100;
    return {
      messages: options.messages,
      concurrency: options.concurrency,
      seconds: Math.round(seconds * 1000) / 1000,
      messagesPerSecond: Math.round((options.messages / seconds) * 10) / 10,
      latencyMs: {
        p50: ms(nearestRank(latencies, 50)),
        p95: ms(nearestRank(latencies, 95)),
        p99: ms(nearestRank(latencies, 99)),
      },
      postsReceived: await server.received(),
      queue,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: one failed step (say a channel already closed) must not skip the rest.
      }
    }
  }
}
