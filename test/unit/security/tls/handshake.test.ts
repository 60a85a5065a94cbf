// Real mutual-TLS handshakes on 127.0.0.1 with the options the gateway and simulator use.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, type AgentOptions, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevPkiPaths, initDevPki } from '../../../../src/security/pki/index.js';
import {
  clientOptions,
  type LoadedTls,
  loadTls,
  serverOptions,
  TLS_CIPHERS,
  TLS_MIN_VERSION,
} from '../../../../src/security/tls/index.js';
import { tempDir } from './fixtures.js';

const temp = tempDir('tls-handshake');
let pki: DevPkiPaths;
let stranger: LoadedTls;
let gateway: LoadedTls;
let simulator: LoadedTls;
let server: Server;
let port: number;
const seen: { peer: string; protocol: string }[] = [];
const tlsClientErrors: Error[] = [];

beforeAll(async () => {
  ({ paths: pki } = await initDevPki({
    dir: join(temp.dir, 'pki'),
    gatewayHost: 'gateway.test',
    simulatorHost: 'simulator.test',
  }));
  const { paths: other } = await initDevPki({
    dir: join(temp.dir, 'other'),
    simulatorHost: 'simulator.test',
  });
  gateway = loadTls({ cert: pki.gatewayCert, key: pki.gatewayKey, ca: pki.caCert });
  simulator = loadTls({ cert: pki.simulatorCert, key: pki.simulatorKey, ca: pki.caCert });
  // Same host name as the real simulator, but issued by another CA.
  stranger = loadTls({ cert: other.simulatorCert, key: other.simulatorKey, ca: other.caCert });

  server = createServer(serverOptions(gateway), (req, res) => {
    const socket = req.socket as TLSSocket;
    seen.push({ peer: String(socket.getPeerCertificate().subject.CN), protocol: socket.getProtocol() ?? '' });
    res.end('ok');
  });
  server.on('tlsClientError', (error) => tlsClientErrors.push(error));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  temp.remove();
});

interface Outcome {
  status?: number;
  body?: string;
  error?: NodeJS.ErrnoException;
}

function get(options: AgentOptions, servername = 'gateway.test'): Promise<Outcome> {
  const agent = new Agent({ ...options, keepAlive: false });
  return new Promise<Outcome>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent, servername }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', (error) => resolve({ error }));
    });
    req.on('error', (error) => resolve({ error }));
    req.end();
  }).finally(() => agent.destroy());
}

describe('mutual TLS with serverOptions and clientOptions', () => {
  it('sets the policy on both sides', () => {
    expect(serverOptions(gateway)).toMatchObject({
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
    });
    expect(clientOptions(simulator)).toMatchObject({ rejectUnauthorized: true, minVersion: TLS_MIN_VERSION });
    expect(typeof clientOptions(simulator).checkServerIdentity).toBe('function');
  });

  it('completes a handshake in which each side proves its certificate', async () => {
    const before = seen.length;
    const outcome = await get(clientOptions(simulator));
    expect(outcome.error).toBeUndefined();
    expect(outcome).toEqual({ status: 200, body: 'ok' });
    expect(seen.slice(before)).toEqual([{ peer: 'simulator.test', protocol: 'TLSv1.3' }]);
  });

  it('refuses a client without a certificate during the handshake', async () => {
    const before = seen.length;
    const errorsBefore = tlsClientErrors.length;
    const outcome = await get({ ca: gateway.ca });
    expect(outcome.error).toBeDefined();
    expect(outcome.status).toBeUndefined();
    expect(seen.length).toBe(before);
    await waitFor(() => tlsClientErrors.length > errorsBefore);
    expect(tlsClientErrors.at(-1)!.message).toMatch(/peer did not return a certificate/);
  });

  it('refuses a client certificate from another CA', async () => {
    const before = seen.length;
    const outcome = await get({ ...clientOptions(stranger), ca: gateway.ca });
    expect(outcome.error).toBeDefined();
    expect(outcome.status).toBeUndefined();
    expect(seen.length).toBe(before);
  });

  it('refuses a server whose certificate does not name the host asked for', async () => {
    const outcome = await get(clientOptions(simulator), 'spine.example');
    expect(outcome.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses a server from a CA the client does not trust', async () => {
    // The server sends its CA with the chain, so the client sees an untrusted self-signed root.
    const outcome = await get({
      ...clientOptions(simulator),
      ca: readFileSync(join(temp.dir, 'other', 'ca.pem')),
    });
    expect(outcome.error?.code).toMatch(
      /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/,
    );
    expect(outcome.status).toBeUndefined();
  });

  it('refuses a TLS 1.2 client offering only suites outside the list', async () => {
    const before = seen.length;
    const outcome = await get({
      ...clientOptions(simulator),
      maxVersion: 'TLSv1.2',
      ciphers: 'AES128-SHA256',
    });
    expect(outcome.error).toBeDefined();
    expect(seen.length).toBe(before);
    const allowed = await get({ ...clientOptions(simulator), maxVersion: 'TLSv1.2' });
    expect(allowed.status).toBe(200);
    expect(seen.at(-1)!.protocol).toBe('TLSv1.2');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
