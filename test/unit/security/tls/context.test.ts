import { once } from 'node:events';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevPkiPaths, initDevPki } from '../../../../src/security/pki/index.js';
import {
  clientOptions,
  type LoadedTls,
  loadTls,
  serverOptions,
  TlsConfigError,
  TlsContext,
  type TlsFiles,
} from '../../../../src/security/tls/index.js';
import { tempDir } from './fixtures.js';

const temp = tempDir('tls-context');
let first: DevPkiPaths;
let second: DevPkiPaths;
let round = 0;

beforeAll(async () => {
  ({ paths: first } = await initDevPki({ dir: join(temp.dir, 'first') }));
  ({ paths: second } = await initDevPki({ dir: join(temp.dir, 'second') }));
});
afterAll(() => temp.remove());

/** A fresh directory of live files, copied from one of the two PKIs. */
function liveFiles(from: DevPkiPaths): TlsFiles {
  const dir = join(temp.dir, `live-${++round}`);
  mkdirSync(dir);
  const files = { cert: join(dir, 'tls.pem'), key: join(dir, 'tls.key'), ca: join(dir, 'ca.pem') };
  install(from, files);
  return files;
}

function install(from: DevPkiPaths, files: TlsFiles): void {
  copyFileSync(from.gatewayCert, files.cert);
  copyFileSync(from.gatewayKey, files.key);
  copyFileSync(from.caCert, files.ca);
}

const serial = (tls: LoadedTls) => tls.certificate.serialNumber;
const loadGateway = (paths: DevPkiPaths) =>
  loadTls({ cert: paths.gatewayCert, key: paths.gatewayKey, ca: paths.caCert });

describe('TlsContext', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it('refuses to start from bad files', () => {
    const live = liveFiles(first);
    writeFileSync(live.cert, 'garbage');
    expect(() => new TlsContext(live)).toThrow(TlsConfigError);
  });

  it('keeps the old context when reloaded files are bad, and returns the error', () => {
    const live = liveFiles(first);
    const context = new TlsContext(live);
    const before = context.current;
    const reloaded: LoadedTls[] = [];
    const failures: Error[] = [];
    context.onReload((tls) => reloaded.push(tls));
    context.onReloadError((error) => failures.push(error));

    copyFileSync(second.gatewayKey, live.key); // key of another certificate
    const error = context.reload();
    expect(error).toBeInstanceOf(TlsConfigError);
    expect(error!.message).toBe(`TLS private key ${live.key} does not match the certificate ${live.cert}`);
    expect(context.current).toBe(before);
    expect(reloaded).toEqual([]);
    expect(failures).toEqual([error]);
  });

  it('replaces the context when reloaded files are good, and tells the listeners', () => {
    const live = liveFiles(first);
    const context = new TlsContext(live);
    const reloaded: LoadedTls[] = [];
    context.onReload((tls) => reloaded.push(tls));
    install(second, live);
    expect(context.reload()).toBeUndefined();
    expect(serial(context.current)).toBe(serial(loadGateway(second)));
    expect(reloaded).toEqual([context.current]);
  });

  it('returns a listener error after telling the other listeners', () => {
    const live = liveFiles(first);
    const context = new TlsContext(live);
    const told: string[] = [];
    context.onReload(() => {
      throw new Error('listener broke');
    });
    context.onReload(() => told.push('second'));
    expect(context.reload()?.message).toBe('listener broke');
    expect(told).toEqual(['second']);
  });

  it('reloads when a watched file changes, until stopped', async () => {
    const live = liveFiles(first);
    const context = new TlsContext(live);
    const reloaded: LoadedTls[] = [];
    context.onReload((tls) => reloaded.push(tls));
    const stop = context.watch(20);
    stops.push(stop);
    install(second, live);
    await waitFor(() => reloaded.length > 0 && serial(context.current) === serial(loadGateway(second)));

    stop();
    const count = reloaded.length;
    install(first, live);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(reloaded.length).toBe(count);
    expect(serial(context.current)).toBe(serial(loadGateway(second)));
  });

  it('reloads on SIGHUP, until stopped', () => {
    const live = liveFiles(first);
    const context = new TlsContext(live);
    const listenersBefore = process.listenerCount('SIGHUP');
    const stop = context.watch(60_000);
    stops.push(stop);
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore + 1);
    install(second, live);
    process.emit('SIGHUP', 'SIGHUP');
    expect(serial(context.current)).toBe(serial(loadGateway(second)));
    stop();
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore);
  });

  it('lets a running server take new certificates without a restart', async () => {
    const live = liveFiles(first);
    const context = new TlsContext(live);
    const server = createServer(serverOptions(context.current), (_req, res) => res.end('ok'));
    context.onReload((tls) => server.setSecureContext(serverOptions(tls)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const client = (paths: DevPkiPaths) =>
      clientOptions(loadTls({ cert: paths.simulatorCert, key: paths.simulatorKey, ca: paths.caCert }));
    try {
      expect(await status(port, client(first))).toBe(200);
      expect(await status(port, client(second))).toBe('error');
      install(second, live);
      expect(context.reload()).toBeUndefined();
      expect(await status(port, client(second))).toBe(200);
      expect(await status(port, client(first))).toBe('error');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function status(port: number, options: ReturnType<typeof clientOptions>): Promise<number | 'error'> {
  const agent = new Agent({ ...options, keepAlive: false });
  return new Promise<number | 'error'>((resolve) => {
    const req = request({ host: '127.0.0.1', port, agent, servername: 'localhost' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve('error'));
    req.end();
  }).finally(() => agent.destroy());
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
