// The exchange floor against the real RabbitMQ and real mutual TLS: every step of exchange-work.ts
// happens once per message, counted by each side. Its child processes run from dist/ (npm test
// builds first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDevPki } from '../../../src/security/pki/index.js';
import { type ExchangeFloorResult, measureExchangeFloor } from '../../../tools/bench/exchange-floor.js';
import { DEFAULT_SIZES, PER_EXCHANGE } from '../../../tools/bench/exchange-work.js';
import type { FloorTls } from '../../../tools/bench/floor.js';
import { childScript } from '../../../tools/bench/floor-ipc.js';
import { createTestVhost, type TestVhost } from '../../support/rabbitmq.js';

describe('exchange floor', () => {
  let dir: string;
  let tls: FloorTls;
  let vhost: TestVhost;

  beforeAll(async () => {
    for (const script of ['exchange-gateway.js', 'exchange-peer.js']) childScript(script); // dist/ built?
    vhost = createTestVhost();
    dir = mkdtempSync(join(tmpdir(), 'mhs-bench-exchange-'));
    const pki = (await initDevPki({ dir })).paths;
    tls = {
      caCert: pki.caCert,
      clientCert: pki.gatewayCert,
      clientKey: pki.gatewayKey,
      serverCert: pki.simulatorCert,
      serverKey: pki.simulatorKey,
    };
  });
  afterAll(() => {
    vhost?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every queue and the exchange of the run are gone. */
  async function expectCleanedUp(result: ExchangeFloorResult): Promise<void> {
    const connection = await amqp.connect(vhost.url);
    try {
      for (const queue of [result.names.outbound, result.names.signals, result.names.inbound]) {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined); // the 404 closes the channel
        await expect(channel.checkQueue(queue)).rejects.toThrow(/NOT_FOUND/);
      }
    } finally {
      await connection.close();
    }
  }

  it('does each exchange’s three POSTs, four confirmed publishes and three consumes', async () => {
    const messages = 50;
    const result = await measureExchangeFloor({
      messages,
      concurrency: 8,
      prefetch: 20,
      amqpUrl: vhost.url,
      tls,
      sizes: { message: 5_000 },
    });
    expect(result).toMatchObject({ messages, concurrency: 8, instances: 1, prefetch: 20 });
    expect(result.sizes).toEqual({ ...DEFAULT_SIZES, message: 5_000 });
    expect(result.perExchange).toEqual(PER_EXCHANGE);
    // Spine's side read every message, of the size asked, and sent both signals for each.
    expect(result.counted.spineSide).toEqual({
      messages,
      messageBytes: messages * 5_000,
      acknowledgments: messages,
      applicationAcks: messages,
    });
    expect(result.counted.gatewaySide).toEqual({
      posts: { toSpine: messages, acknowledgments: messages, applicationAcks: messages },
      inboundBytes: messages * (DEFAULT_SIZES.acknowledgment + DEFAULT_SIZES.applicationAck),
      published: { outbound: messages, signals: 2 * messages, inbound: messages },
      consumed: { outbound: messages, signals: 2 * messages },
      acked: messages,
      completed: messages,
    });
    expect(result.messagesPerSecond).toBeGreaterThan(0);
    expect(result.toAcked.messagesPerSecond).toBeGreaterThanOrEqual(result.messagesPerSecond);
    const { p50, p95, p99 } = result.latencyMs;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
    // The Acknowledgment is sent before the AA, and the AA only once the Acknowledgment is answered.
    expect(result.toAckedLatencyMs.p50).toBeLessThanOrEqual(result.latencyMs.p50);
    expect(result.cpuSecondsPer1000.gatewaySide).toBeGreaterThanOrEqual(0);
    await expectCleanedUp(result);
  });

  it('shares the work out over several gateway-side processes', async () => {
    const messages = 30;
    const result = await measureExchangeFloor({
      messages,
      concurrency: 4,
      prefetch: 20,
      amqpUrl: vhost.url,
      tls,
      instances: 2,
    });
    expect(result.instances).toBe(2);
    expect(result.counted.spineSide).toMatchObject({
      messages,
      acknowledgments: messages,
      applicationAcks: messages,
    });
    expect(result.counted.gatewaySide).toMatchObject({
      posts: { toSpine: messages, acknowledgments: messages, applicationAcks: messages },
      published: { outbound: messages, signals: 2 * messages, inbound: messages },
      consumed: { outbound: messages, signals: 2 * messages },
      acked: messages,
      completed: messages,
    });
    await expectCleanedUp(result);
  });

  it('refuses counts that are not positive whole numbers', async () => {
    const base = { messages: 10, concurrency: 2, prefetch: 10, amqpUrl: vhost.url, tls };
    await expect(measureExchangeFloor({ ...base, messages: 0 })).rejects.toThrow(RangeError);
    await expect(measureExchangeFloor({ ...base, instances: 1.5 })).rejects.toThrow(/instances/);
  });
});
