import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { SdsClient, SdsError } from '../../../src/routing/index.js';
import { type DevPkiPaths, initDevPki } from '../../../src/security/pki/index.js';
import { loadTls, serverOptions, TlsContext } from '../../../src/security/tls/index.js';
import {
  bypassesProxy,
  MtlsClient,
  parseProxy,
  redactProxyUrl,
  TransportError,
} from '../../../src/transport/index.js';
import { type ConnectProxy, startConnectProxy } from '../../support/connect-proxy.js';
import { freePort } from '../../support/ports.js';
import { tempDir } from '../security/pki/tools.js';

const message = {
  contentType: 'text/xml; charset=utf-8',
  soapAction: 'urn:nhs:names:services:psis/MCCI_IN010000UK13',
  body: Buffer.from('<ping/>'),
};
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('parseProxy, redactProxyUrl and bypassesProxy', () => {
  it('reads host, port and Basic credentials from the URL, and never shows them', () => {
    const proxy = parseProxy({ url: 'http://mhs%40rxx:p%3Ass@proxy.example.nhs.uk:3128', noProxy: [] })!;
    expect(proxy).toMatchObject({ host: 'proxy.example.nhs.uk', port: 3128 });
    expect(proxy.authorization).toBe(basic('mhs@rxx', 'p:ss'));
    expect(proxy.display).toBe('http://proxy.example.nhs.uk:3128');
    expect(redactProxyUrl('http://u:secret@proxy:3128')).toBe('http://proxy:3128');
    expect(parseProxy({ url: 'http://proxy:8080', noProxy: [] })!.authorization).toBeUndefined();
    expect(parseProxy({ url: '', noProxy: ['x'] })).toBeUndefined();
  });

  it('matches noProxy names, domains and addresses as curl does', () => {
    const list = ['localhost', '.internal', 'nhs.uk', '10.0.0.1'];
    expect(bypassesProxy('localhost', list)).toBe(true);
    expect(bypassesProxy('LOCALHOST.', list)).toBe(true);
    expect(bypassesProxy('sds.internal', list)).toBe(true);
    expect(bypassesProxy('internal', list)).toBe(true);
    expect(bypassesProxy('msg.spine.nhs.uk', list)).toBe(true);
    expect(bypassesProxy('notnhs.uk', list)).toBe(false);
    expect(bypassesProxy('10.0.0.1', list)).toBe(true);
    expect(bypassesProxy('110.0.0.1', list)).toBe(false);
    expect(bypassesProxy('spine.example', list)).toBe(false);
    expect(bypassesProxy('anything', ['*'])).toBe(true);
  });
});

describe('outbound.proxy configuration', () => {
  it('is off by default and read from MHS_OUTBOUND_PROXY_URL and MHS_OUTBOUND_PROXY_NO_PROXY', () => {
    expect(loadConfig({ env: {} }).outbound.proxy).toEqual({ url: '', noProxy: [] });
    const config = loadConfig({
      env: {
        MHS_OUTBOUND_PROXY_URL: 'http://mhs:pw@proxy.example.nhs.uk:3128',
        MHS_OUTBOUND_PROXY_NO_PROXY: '["localhost", ".internal"]',
      },
    });
    expect(config.outbound.proxy).toEqual({
      url: 'http://mhs:pw@proxy.example.nhs.uk:3128',
      noProxy: ['localhost', '.internal'],
    });
  });

  it('refuses a URL that is not http://host:port without echoing its password', () => {
    for (const url of ['https://u:hunter2@proxy:3128', 'http://u:hunter2@proxy:3128/path', 'proxy:3128']) {
      let failure: Error | undefined;
      try {
        loadConfig({ env: { MHS_OUTBOUND_PROXY_URL: url } });
      } catch (error) {
        failure = error as Error;
      }
      expect(failure?.message, url).toMatch(
        /outbound\.proxy\.url \(MHS_OUTBOUND_PROXY_URL\): must be http:\/\//,
      );
      expect(failure?.message).not.toContain('hunter2');
    }
    expect(() => loadConfig({ env: { MHS_OUTBOUND_PROXY_NO_PROXY: '["a b"]' } })).toThrow(/noProxy/);
  });
});

describe('MtlsClient through an HTTP CONNECT proxy', () => {
  const temp = tempDir('proxy');
  let pki: DevPkiPaths;
  let other: DevPkiPaths;
  let server: https.Server;
  let origin: string;
  const seen: { clientCommonName: string | undefined; body: string }[] = [];
  const proxies: ConnectProxy[] = [];
  const clients: MtlsClient[] = [];

  const clientTls = (paths: DevPkiPaths) =>
    new TlsContext({ cert: paths.gatewayCert, key: paths.gatewayKey, ca: paths.caCert });
  const proxyFor = async (...args: Parameters<typeof startConnectProxy>) => {
    const proxy = await startConnectProxy(...args);
    proxies.push(proxy);
    return proxy;
  };
  const client = (url: string, noProxy: string[] = [], paths = pki) => {
    const made = new MtlsClient(clientTls(paths), 5000, parseProxy({ url, noProxy }));
    clients.push(made);
    return made;
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as TransportError,
    );

  beforeAll(async () => {
    // The origin's certificate also names spine.test, which only the proxy can resolve.
    ({ paths: pki } = await initDevPki({
      dir: join(temp.dir, 'pki'),
      gatewayHost: 'gateway.test',
      simulatorHost: 'spine.test',
    }));
    ({ paths: other } = await initDevPki({ dir: join(temp.dir, 'other') }));
    const loaded = loadTls({ cert: pki.simulatorCert, key: pki.simulatorKey, ca: pki.caCert });
    server = https.createServer(serverOptions(loaded), (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const peer = (request.socket as TLSSocket).getPeerCertificate();
        const commonName = peer.subject?.CN;
        seen.push({
          clientCommonName: Array.isArray(commonName) ? commonName.join() : commonName,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(202, { 'Content-Type': 'text/plain' }).end('accepted');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://localhost:${(server.address() as AddressInfo).port}/reliablemessaging/intermediary`;
  });
  afterEach(async () => {
    for (const made of clients.splice(0)) made.close();
    for (const proxy of proxies.splice(0)) await proxy.close();
    seen.length = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.remove();
  });

  it('tunnels mutual TLS to the origin, which sees our client certificate; one tunnel serves many posts', async () => {
    const proxy = await proxyFor();
    const sender = client(proxy.url);
    const first = await sender.post(origin, message);
    const second = await sender.post(origin, message);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.body.toString()).toBe('accepted');
    expect(seen).toEqual([
      { clientCommonName: 'gateway.test', body: '<ping/>' },
      { clientCommonName: 'gateway.test', body: '<ping/>' },
    ]);
    const port = new URL(origin).port;
    expect(proxy.targets).toEqual([`localhost:${port}`]);
    expect(proxy.authorizations).toEqual([undefined]);
    expect(proxy.plainRequests).toEqual([]);
  });

  it('sends the URL credentials as Proxy-Authorization: Basic', async () => {
    const proxy = await proxyFor({ requireAuthorization: basic('mhs', 's3cr@t') });
    const url = proxy.url.replace('http://', 'http://mhs:s3cr%40t@');
    const answer = await client(url).post(origin, message);
    expect(answer.status).toBe(202);
    expect(proxy.authorizations).toEqual([basic('mhs', 's3cr@t')]);
  });

  it('a 407 is a retriable TransportError naming the proxy and its status, without the password', async () => {
    const proxy = await proxyFor({ requireAuthorization: basic('mhs', 'right') });
    const url = proxy.url.replace('http://', 'http://mhs:wrong-password@');
    const error = await failure(client(url).post(origin, message));
    expect(error).toBeInstanceOf(TransportError);
    expect(error!.certificate).toBe(false);
    expect(error!.message).toContain(`proxy ${proxy.url} refused CONNECT localhost:`);
    expect(error!.message).toMatch(/: 407 Proxy Authentication Required$/);
    expect(error!.message).not.toContain('wrong-password');
    expect(seen).toEqual([]);
  });

  it('a proxy that refuses (403, 502) or cannot be reached is a retriable TransportError', async () => {
    for (const status of [403, 502]) {
      const proxy = await proxyFor({ refuseWith: status });
      const error = await failure(client(proxy.url).post(origin, message));
      expect(error).toBeInstanceOf(TransportError);
      expect(error!.certificate).toBe(false);
      expect(error!.message).toMatch(new RegExp(`refused CONNECT localhost:\\d+: ${status} `));
    }
    const closed = await freePort();
    const error = await failure(client(`http://u:pw@127.0.0.1:${closed}`).post(origin, message));
    expect(error).toBeInstanceOf(TransportError);
    expect(error!.certificate).toBe(false);
    expect(error!.message).toContain(`proxy http://127.0.0.1:${closed} cannot be reached`);
    expect(error!.message).toContain('ECONNREFUSED');
    expect(error!.message).not.toContain('pw@');
  });

  it('reaches a noProxy host directly', async () => {
    const proxy = await proxyFor();
    const answer = await client(proxy.url, ['localhost']).post(origin, message);
    expect(answer.status).toBe(202);
    expect(seen).toHaveLength(1);
    expect(proxy.targets).toEqual([]);
  });

  it("verifies the origin's name, not the proxy's, inside the tunnel", async () => {
    const port = new URL(origin).port;
    // spine.test resolves only at the proxy, as HSCN names do at a site's proxy.
    const proxy = await proxyFor({ resolve: () => '127.0.0.1' });
    const answer = await client(proxy.url).post(`https://spine.test:${port}/`, message);
    expect(answer.status).toBe(202);
    const error = await failure(client(proxy.url).post(`https://impostor.test:${port}/`, message));
    expect(error).toBeInstanceOf(TransportError);
    expect(error!.certificate).toBe(true);
    expect(error!.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(proxy.targets).toEqual([`spine.test:${port}`, `impostor.test:${port}`]);
  });

  it('still refuses an origin from a CA we do not trust: a certificate error, through the proxy', async () => {
    const proxy = await proxyFor();
    const error = await failure(client(proxy.url, [], other).post(origin, message));
    expect(error).toBeInstanceOf(TransportError);
    expect(error!.certificate).toBe(true);
    expect(proxy.targets).toHaveLength(1);
    expect(seen).toEqual([]);
  });
});

describe('SdsClient through the proxy', () => {
  let proxy: ConnectProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('asks the proxy for a tunnel to an https SDS, and reports a refusal without the API key', async () => {
    proxy = await startConnectProxy({ refuseWith: 403 });
    const sds = new SdsClient({
      url: 'https://sds.example.nhs.uk/spine-directory/FHIR/R4',
      apiKey: 'api-key-xyz',
      timeoutMs: 2000,
      proxy: parseProxy({ url: proxy.url, noProxy: [] }),
    });
    const error = await sds.lookupRoute('PRSC_IN090000UK09', 'urn:nhs:names:services:ebs', 'YES').then(
      () => new Error('SDS lookup through a refusing proxy succeeded'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(SdsError);
    expect(error.message).toMatch(
      /^SDS Device lookup failed \(.+\): proxy http:\/\/127\.0\.0\.1:\d+ refused CONNECT sds\.example\.nhs\.uk:443: 403 Forbidden$/,
    );
    expect(error.message).not.toContain('api-key-xyz');
    expect(proxy.targets).toEqual(['sds.example.nhs.uk:443']);
  });

  it('goes direct to a noProxy SDS host', async () => {
    proxy = await startConnectProxy();
    const closed = await freePort();
    const sds = new SdsClient({
      url: `https://127.0.0.1:${closed}/FHIR/R4`,
      apiKey: 'k',
      timeoutMs: 2000,
      proxy: parseProxy({ url: proxy.url, noProxy: ['127.0.0.1'] }),
    });
    await expect(sds.lookupRoute('PRSC_IN090000UK09', 'urn:nhs:names:services:ebs', 'YES')).rejects.toThrow(
      /ECONNREFUSED/,
    );
    expect(proxy.targets).toEqual([]);
  });
});
