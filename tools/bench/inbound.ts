import http from 'node:http';
import amqp from 'amqplib';
import { QUEUES } from '#src/queue/index.js';

export interface InboundResult {
  requested: number;
  /** e-RS requests that reached mhs.inbound (kind request), each counted once by messageId. */
  delivered: number;
  /** Control calls that did not get a 2xx from the gateway. */
  refused: number;
  seconds: number;
  messagesPerSecond: number;
}

/**
 * Inbound: the simulator sends `messages` slot polls (PRSC_IN080000UK07) over mutual TLS,
 * `concurrency` at a time; the bench reads mhs.inbound as the PAS would. The rate is requests
 * delivered to the queue per second, first request started → last one read.
 */
export async function runInbound(options: {
  control: string;
  amqpUrl: string;
  messages: number;
  concurrency: number;
  timeoutMs: number;
}): Promise<InboundResult> {
  const connection = await amqp.connect(options.amqpUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    const channel = await connection.createChannel();
    await channel.prefetch(500);
    const seen = new Set<string>();
    let lastAt = 0;
    let allRead: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      allRead = resolve;
    });
    await channel.consume(QUEUES.inbound, (message) => {
      if (!message) return;
      channel.ack(message);
      if (message.properties.headers?.kind !== 'request') return; // replies left from the outbound phase
      seen.add(String(message.properties.messageId));
      lastAt = Date.now();
      if (seen.size >= options.messages) allRead();
    });
    const startedAt = Date.now();
    let next = 0;
    let refused = 0;
    const loop = async () => {
      while (next < options.messages) {
        next += 1;
        const status = await postControl(agent, `${options.control}/control/slot-polls`, '{}');
        if (status < 200 || status >= 300) refused += 1;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, options.timeoutMs).unref())]);
    const seconds = ((lastAt || Date.now()) - startedAt) / 1000;
    return {
      requested: options.messages,
      delivered: seen.size,
      refused,
      seconds: round(seconds),
      messagesPerSecond: round(seen.size / seconds),
    };
  } finally {
    agent.destroy();
    await connection.close().catch(() => undefined);
  }
}

function postControl(agent: http.Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
