// The transport floor against the real RabbitMQ and real mutual TLS. The floor server child runs
// from dist/ (npm test builds first).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevPkiPaths, initDevPki } from '../../../src/security/pki/index.js';
import { type FloorTls, measureTransportFloor, spawnFloorServer } from '../../../tools/bench/floor.js';
import { floorServerScript } from '../../../tools/bench/floor-child.js';
import { createTestVhost, type TestVhost } from '../../support/rabbitmq.js';

/** One POST with no agent (a fresh TLS handshake); resolves with the status. */
function postOnce(port: number, tls: { ca: string; cert?: string; key?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      `https://localhost:${port}/`,
      { method: 'POST', agent: false, ...tls, headers: { 'Content-Length': 5 } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end('hello');
  });
}

describe('transport floor', () => {
  let dir: string;
  let pki: DevPkiPaths;
  let tls: FloorTls;
  let vhost: TestVhost;

  beforeAll(async () => {
    floorServerScript(); // fails at once, with the fix, when dist/ was not built
    vhost = createTestVhost();
    dir = mkdtempSync(join(tmpdir(), 'mhs-bench-floor-'));
    pki = (await initDevPki({ dir })).paths;
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

  it('pushes every message through a quorum queue and a mutual-TLS POST, then deletes its queue', async () => {
    const result = await measureTransportFloor({
      messages: 300,
      concurrency: 8,
      prefetch: 20,
      amqpUrl: vhost.url,
      tls,
    });
    expect(result).toMatchObject({ messages: 300, concurrency: 8, postsReceived: 300 });
    expect(result.messagesPerSecond).toBeGreaterThan(0);
    expect(result.seconds).toBeGreaterThan(0);
    const { p50, p95, p99 } = result.latencyMs;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
    expect(result.queue).toMatch(/^bench\.floor\./);

    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined); // the 404 below closes the channel
      await expect(channel.checkQueue(result.queue)).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await connection.close();
    }
  });

  it('serves only clients with a certificate from its CA, and stop() ends the child', async () => {
    const server = await spawnFloorServer({ cert: pki.simulatorCert, key: pki.simulatorKey, ca: pki.caCert });
    try {
      const ca = readFileSync(pki.caCert, 'utf8');
      await expect(postOnce(server.port, { ca })).rejects.toThrow(/certificate required|ECONNRESET|hang up/i);
      expect(await server.received()).toBe(0);
      const withCertificate = {
        ca,
        cert: readFileSync(pki.gatewayCert, 'utf8'),
        key: readFileSync(pki.gatewayKey, 'utf8'),
      };
      await expect(postOnce(server.port, withCertificate)).resolves.toBe(202);
      expect(await server.received()).toBe(1);
    } finally {
      await server.stop();
    }
    expect(() => process.kill(server.pid, 0)).toThrow(/ESRCH/);
  });
});
