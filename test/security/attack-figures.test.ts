// Figures, not assertions: the gateway's longest event-loop block and its resident memory under
// each hostile input the listeners and parsers now refuse (issue 13). It runs the built CLI
// (`start`, default settings) as a process of its own, attacks it from here, and reads the
// gateway's own event-loop delay (`mhs_nodejs_eventloop_lag_max_seconds`, reset at each scrape)
// and /proc for memory. Skipped unless MEASURE_ATTACKS=1 (it takes a few minutes):
//   npm run build && MEASURE_ATTACKS=1 npx vitest run test/security/attack-figures.test.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import { initDevPki } from '../../src/security/pki/index.js';
import { sampleProcess } from '../../tools/bench/index.js';
import { freePort } from '../support/ports.js';
import { createTestVhost, type TestVhost } from '../support/rabbitmq.js';
import { slotPollMessage } from './messages.js';

const MB = 1024 * 1024;

describe.skipIf(process.env.MEASURE_ATTACKS !== '1')('attack figures (MEASURE_ATTACKS=1)', () => {
  let gateway: ChildProcess;
  let vhost: TestVhost;
  let apiPort: number;
  let inboundPort: number;
  let client: { cert: Buffer; key: Buffer; ca: Buffer };
  const rows: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-attack-'));
    const pki = await initDevPki({ dir: join(dir, 'pki') });
    client = {
      cert: readFileSync(pki.paths.simulatorCert),
      key: readFileSync(pki.paths.simulatorKey),
      ca: readFileSync(pki.paths.caCert),
    };
    vhost = createTestVhost();
    apiPort = await freePort();
    inboundPort = await freePort();
    gateway = spawn(process.execPath, [join(packageRoot, 'bin', 'mhs-gateway.js'), 'start'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        MHS_DATA_DIR: dir,
        MHS_AMQP_URL: vhost.url,
        MHS_STORE: `sqlite:${join(dir, 'state.db')}`,
        MHS_API_PORT: String(apiPort),
        MHS_API_AUTH_MODE: 'none',
        MHS_INBOUND_PORT: String(inboundPort),
        MHS_TLS_CERT: pki.paths.gatewayCert,
        MHS_TLS_KEY: pki.paths.gatewayKey,
        MHS_TLS_CA: pki.paths.caCert,
        MHS_LOGGING_LEVEL: 'warn',
      },
    });
    for (let i = 0; i < 200; i += 1) {
      if ((await get('/readyz').catch(() => 0)) === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await lagMaxMs(); // reset
  }, 60_000);
  afterAll(() => {
    gateway?.kill('SIGTERM');
    vhost?.remove();
    console.log(
      `\n| Attack | Refused / answered | Longest event-loop block | RSS after | Peak RSS |\n|---|---|---|---|---|\n${rows.join('\n')}`,
    );
  });

  function get(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port: apiPort, path, agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
    });
  }

  async function lagMaxMs(): Promise<number> {
    const text = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: apiPort, path: '/metrics', agent: false }, (response) => {
          const parts: Buffer[] = [];
          response.on('data', (c: Buffer) => parts.push(c));
          response.on('end', () => resolve(Buffer.concat(parts).toString()));
        })
        .on('error', reject);
    });
    return Number(/^mhs_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)?.[1] ?? Number.NaN) * 1000;
  }

  async function measure(name: string, attack: () => Promise<string>): Promise<void> {
    await lagMaxMs();
    const outcome = await attack();
    const lag = await lagMaxMs();
    const stats = sampleProcess(gateway.pid!);
    rows.push(
      `| ${name} | ${outcome} | ${lag.toFixed(0)} ms | ${(stats.rssBytes / MB).toFixed(0)} MB | ${(stats.peakRssBytes / MB).toFixed(0)} MB |`,
    );
  }

  /** `count` plain TCP connections from one address that never say anything; how many the gateway closed at once. */
  async function idleSockets(port: number, count: number, addresses: number): Promise<string> {
    const sockets: net.Socket[] = [];
    let closedEarly = 0;
    await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<void>((resolve) => {
            const socket = net.connect({
              host: '127.0.0.1',
              port,
              localAddress: `127.0.1.${1 + (i % addresses)}`,
            });
            sockets.push(socket);
            socket.on('error', () => resolve());
            socket.on('close', () => {
              closedEarly += 1;
              resolve();
            });
            socket.on('connect', () => setTimeout(resolve, 200));
          }),
      ),
    );
    // While they are held: the probe and a real inbound message still get through.
    const ready = await get('/readyz');
    const poll = await postInbound(slotPollMessage(loadRoutes()));
    for (const socket of sockets) socket.destroy();
    return `${closedEarly} of ${count} closed at once; /readyz ${ready}, inbound poll ${poll}`;
  }

  function loadRoutes() {
    return loadRouteTable(
      join(packageRoot, 'config', 'interactions.json'),
      join(packageRoot, 'config', 'routes.json'),
    );
  }

  function postInbound(message: { body: Buffer; contentType: string; soapAction: string }): Promise<number> {
    return new Promise((resolve) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port: inboundPort,
          method: 'POST',
          agent: false,
          ...client,
          headers: {
            'Content-Type': message.contentType,
            SOAPAction: message.soapAction,
            'Content-Length': message.body.length,
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', () => resolve(0));
      request.end(message.body);
    });
  }

  /** `count` uploads declaring `size` bytes that send a quarter of it and stall; the status each got. */
  async function slowUploads(secure: boolean, count: number, size: number): Promise<string> {
    const statuses = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<string>((resolve) => {
            const port = secure ? inboundPort : apiPort;
            const socket: net.Socket = secure
              ? tls.connect({ host: '127.0.0.1', servername: 'localhost', port, ...client })
              : net.connect({ host: '127.0.0.1', port });
            const parts: Buffer[] = [];
            socket.on('data', (c: Buffer) => parts.push(c));
            socket.on('error', () => undefined);
            socket.on('close', () =>
              resolve(Buffer.concat(parts).toString('latin1').slice(9, 12) || 'closed'),
            );
            socket.once(secure ? 'secureConnect' : 'connect', () => {
              const headers = secure
                ? 'Content-Type: text/xml\r\nSOAPAction: ebXML\r\n'
                : 'Content-Type: application/json\r\nInteraction-Id: PRSC_IN090000UK09\r\nwait-for-response: false\r\n';
              socket.write(`POST / HTTP/1.1\r\nHost: localhost\r\n${headers}Content-Length: ${size}\r\n\r\n`);
              socket.write(Buffer.alloc(size / 4, 0x20));
            });
          }),
      ),
    );
    const counts: Record<string, number> = {};
    for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
    return Object.entries(counts)
      .map(([status, n]) => `${n} × ${status}`)
      .join(', ');
  }

  it('measures', { timeout: 600_000 }, async () => {
    const routes = loadRoutes();
    await measure('1,100 idle TCP connections to the inbound port (no TLS), from 11 addresses', () =>
      idleSockets(inboundPort, 1100, 11),
    );
    await measure('1,100 idle TCP connections to the API port, from 11 addresses', () =>
      idleSockets(apiPort, 1100, 11),
    );
    await measure('100 slow 5 MB uploads, inbound (a quarter sent, then stalled)', () =>
      slowUploads(true, 100, 5_000_000),
    );
    await measure('100 slow 5 MB uploads, API', () => slowUploads(false, 100, 5_000_000));
    await measure('5 MB UTF-16 envelope (no BOM) with an internal entity', async () => {
      const poll = slotPollMessage(routes);
      const raw = poll.body.toString('latin1');
      const start = raw.indexOf('<?xml');
      const end = raw.indexOf('</SOAP:Envelope>') + '</SOAP:Envelope>'.length;
      const envelope = raw
        .slice(start, end)
        .replace(/^<\?xml[^>]*\?>/, '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE e [<!ENTITY a "a">]>')
        .replace('</SOAP:Body>', `<!--${'x'.repeat(2_400_000)}--></SOAP:Body>`);
      const body = Buffer.concat([
        Buffer.from(raw.slice(0, start), 'latin1'),
        Buffer.from(envelope, 'utf16le'),
        Buffer.from(raw.slice(end), 'latin1'),
      ]);
      const statuses = await Promise.all(Array.from({ length: 5 }, () => postInbound({ ...poll, body })));
      return `5 × ${statuses.join('/')}`;
    });
    const submit = (payload: string) =>
      new Promise<number>((resolve) => {
        const body = JSON.stringify({ payload });
        const request = http.request(
          {
            host: '127.0.0.1',
            port: apiPort,
            method: 'POST',
            path: '/',
            agent: false,
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(body),
              'Interaction-Id': 'REPC_IN150016UK05',
              'wait-for-response': 'false',
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        request.on('error', () => resolve(0));
        request.end(body);
      });
    const hl7 = wrapPayload(
      {
        interactionId: 'REPC_IN150016UK05',
        messageId: 'A',
        creationTime: new Date(),
        toAsid: '928942012545',
        fromAsid: '918999198738',
      },
      undefined,
    );
    await measure('POST / with a 4.9 MB payload that is well-formed HL7 (parsed in full)', async () => {
      const big = hl7.replace(
        /<\/REPC_IN150016UK05>\s*$/,
        `<!--${'x'.repeat(4_900_000)}--></REPC_IN150016UK05>`,
      );
      const statuses = await Promise.all(Array.from({ length: 5 }, () => submit(big)));
      return `5 × ${statuses.join('/')}`;
    });
    await measure('POST / with a 4.9 MB payload: 600,000 elements under the root', async () => {
      const big = hl7.replace(
        /<\/REPC_IN150016UK05>\s*$/,
        `${'<a>b</a>'.repeat(600_000)}</REPC_IN150016UK05>`,
      );
      const statuses = await Promise.all(Array.from({ length: 5 }, () => submit(big)));
      return `5 × ${statuses.join('/')}`;
    });
    await measure('POST / with a 4.9 MB payload that is not XML, and one with a DTD', async () => {
      const statuses = await Promise.all([
        ...Array.from({ length: 3 }, () => submit('x'.repeat(4_900_000))),
        ...Array.from({ length: 3 }, () =>
          submit(`<!DOCTYPE x [<!ENTITY a "a">]>${hl7}<!--${'x'.repeat(4_800_000)}-->`),
        ),
      ]);
      return `6 × ${statuses.join('/')}`;
    });
  });
});
