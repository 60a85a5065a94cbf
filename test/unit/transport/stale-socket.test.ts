// A kept-alive socket the server closes as it is reused fails the POST before any answer; issue
// 16's benchmark saw such a message wait a whole retry interval (one minute) for it. The client
// sends that one POST again at once on a new connection, and only then.
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevPkiPaths, initDevPki } from '../../../src/security/pki/index.js';
import { loadTls, serverOptions, TlsContext } from '../../../src/security/tls/index.js';
import { MtlsClient, TransportError } from '../../../src/transport/index.js';
import { tempDir } from '../security/pki/tools.js';

const message = (n: number) => ({
  contentType: 'text/xml; charset=utf-8',
  soapAction: 'urn:nhs:names:services:psis/MCCI_IN010000UK13',
  body: Buffer.from(`<ping n="${n}"/>`),
});

describe('MtlsClient on a kept-alive socket the server closed', () => {
  const temp = tempDir('stale-socket');
  let pki: DevPkiPaths;
  let server: https.Server;
  let url: string;
  /** What the server does with each request: answer it, or drop its connection unanswered. */
  let drop: (socket: Socket, requestsOnSocket: number) => boolean = () => false;
  const seen: { body: string; socketRequest: number }[] = [];
  const connections = new Set<Socket>();

  beforeAll(async () => {
    pki = (await initDevPki({ dir: temp.dir })).paths;
    const tls = loadTls({ cert: pki.simulatorCert, key: pki.simulatorKey, ca: pki.caCert });
    const counts = new WeakMap<Socket, number>();
    server = https.createServer(serverOptions(tls), (request, response) => {
      const socket = request.socket;
      const n = (counts.get(socket) ?? 0) + 1;
      counts.set(socket, n);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({ body: Buffer.concat(chunks).toString(), socketRequest: n });
        if (drop(socket, n)) socket.destroy();
        else response.writeHead(202).end();
      });
    });
    server.on('secureConnection', (socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    for (const socket of connections) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    temp.remove();
  });

  const client = () =>
    new MtlsClient(new TlsContext({ cert: pki.gatewayCert, key: pki.gatewayKey, ca: pki.caCert }), 5000);

  it('sends the POST again at once on a new connection when the reused socket is reset', async () => {
    seen.length = 0;
    drop = (_socket, n) => n === 2; // the second request on any connection: closed under it
    const mtls = client();
    try {
      expect((await mtls.post(url, message(1))).status).toBe(202);
      expect((await mtls.post(url, message(2))).status).toBe(202);
      // The second POST reached the server twice: on the old socket (dropped), then on a new one.
      expect(seen).toEqual([
        { body: '<ping n="1"/>', socketRequest: 1 },
        { body: '<ping n="2"/>', socketRequest: 2 },
        { body: '<ping n="2"/>', socketRequest: 1 },
      ]);
    } finally {
      mtls.close();
    }
  });

  it('does not send again when a new connection fails, nor more than once', async () => {
    seen.length = 0;
    drop = () => true;
    const mtls = client();
    try {
      const fresh = await mtls.post(url, message(3)).catch((error: unknown) => error);
      expect(fresh).toBeInstanceOf(TransportError);
      expect(seen).toHaveLength(1);
      drop = (_socket, n) => n >= 2;
      seen.length = 0;
      expect((await mtls.post(url, message(4))).status).toBe(202);
      drop = () => true; // the reused socket is reset, and so is the new one: one resend only
      const twice = await mtls.post(url, message(5)).catch((error: unknown) => error);
      expect(twice).toBeInstanceOf(TransportError);
      expect(seen.map((s) => s.body)).toEqual(['<ping n="4"/>', '<ping n="5"/>', '<ping n="5"/>']);
    } finally {
      mtls.close();
    }
  });
});
