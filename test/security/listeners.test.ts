// Sockets, time and memory on both listeners (issue 13, issue 18): connections that never start
// TLS or never send a request are closed at short deadlines; each listener caps its connections
// per address and in total, and logs refusals at a bounded rate; slow bodies are cut; one budget
// bounds the bodies held in memory (503 past it); weak client keys and TLS renegotiation are
// refused; a client reusing a kept-alive socket just inside the server's idle timeout is answered.
// Small settings keep every case to a few seconds; attack sockets come from other loopback
// addresses (127.0.0.x) so the simulator's and the test's own connections stay under the caps.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/index.js';
import { devPkiPaths } from '../../src/security/pki/index.js';
import { element, parseXml, text } from '../../src/xml/index.js';
import { eventually, type Harness, postJson, startHarness } from '../e2e/harness.js';

const SETTINGS = {
  handshakeTimeoutMs: 1000,
  headersTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  keepAliveTimeoutMs: 2000,
  max: 12,
  maxPerAddress: 4,
  maxBufferedBodyBytes: 300_000,
  refusalIntervalMs: 500,
};

interface LogEntry {
  msg: string;
  listener?: string;
  reason?: string;
  reasons?: Record<string, number>;
  refused?: number;
  key?: string;
  client?: string;
  address?: string;
}

const PER_ADDRESS = `the address already holds ${SETTINGS.maxPerAddress} connections`;
const TOTAL = `the listener already holds ${SETTINGS.max} connections`;
const EVICTED = `the listener holds ${SETTINGS.max} connections: the oldest that had not finished a handshake or request was closed`;

describe('listeners: sockets, deadlines and memory', () => {
  let h: Harness;
  const logs: LogEntry[] = [];
  let pki: ReturnType<typeof devPkiPaths>;
  let client: { cert: Buffer; key: Buffer; ca: Buffer };
  const open: net.Socket[] = [];

  beforeAll(async () => {
    const logger = createLogger(
      { level: 'info', redactPatientData: true },
      { write: (line: string) => void logs.push(JSON.parse(line) as LogEntry) },
    );
    const listener = (name: string) => ({
      [`MHS_${name}_CONNECTIONS_MAX`]: String(SETTINGS.max),
      [`MHS_${name}_CONNECTIONS_MAX_PER_ADDRESS`]: String(SETTINGS.maxPerAddress),
      [`MHS_${name}_CONNECTIONS_HEADERS_TIMEOUT_MS`]: String(SETTINGS.headersTimeoutMs),
      [`MHS_${name}_CONNECTIONS_REQUEST_TIMEOUT_MS`]: String(SETTINGS.requestTimeoutMs),
      [`MHS_${name}_CONNECTIONS_KEEP_ALIVE_TIMEOUT_MS`]: String(SETTINGS.keepAliveTimeoutMs),
    });
    h = await startHarness({
      logger,
      env: {
        ...listener('API'),
        ...listener('INBOUND'),
        MHS_INBOUND_CONNECTIONS_HANDSHAKE_TIMEOUT_MS: String(SETTINGS.handshakeTimeoutMs),
        MHS_MAX_BUFFERED_BODY_BYTES: String(SETTINGS.maxBufferedBodyBytes),
        MHS_LOGGING_REFUSAL_INTERVAL_MS: String(SETTINGS.refusalIntervalMs),
      },
    });
    pki = devPkiPaths(join(h.dir, 'pki'));
    client = {
      cert: readFileSync(pki.simulatorCert),
      key: readFileSync(pki.simulatorKey),
      ca: readFileSync(pki.caCert),
    };
  });
  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await h?.close();
  });

  /** A plain TCP connection from `localAddress`; resolves once connected, with what it will see. */
  async function connect(
    port: number,
    localAddress = '127.0.0.1',
  ): Promise<{ socket: net.Socket; closed: Promise<{ at: number; data: string }>; connectedAt: number }> {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    open.push(socket);
    const parts: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    const closed = new Promise<{ at: number; data: string }>((resolve) => {
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ at: Date.now(), data: Buffer.concat(parts).toString('latin1') }));
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return { socket, closed, connectedAt: Date.now() };
  }

  async function slotPollStillAnswered(): Promise<void> {
    const poll = await postJson(`${h.control}/control/slot-polls`, { clinicId: 'CLINIC-1' });
    expect(poll.status, JSON.stringify(poll.body)).toBe(200);
    expect((poll.body.gatewayResponse as { kind: string }).kind).toBe('acknowledgment');
  }

  describe('connections that never speak', () => {
    it('closes a connection that never starts TLS after inbound.connections.handshakeTimeoutMs', async () => {
      const idle = await connect(h.gateway.inboundPort, '127.0.0.2');
      const { at } = await idle.closed;
      // Closed by the server (Node's default would hold it 120 s), and not before the deadline.
      expect(at - idle.connectedAt).toBeGreaterThanOrEqual(SETTINGS.handshakeTimeoutMs * 0.9);
      await slotPollStillAnswered();
    });

    it('closes an API connection that never sends a request after headersTimeoutMs, with 408', async () => {
      const idle = await connect(h.gateway.apiPort, '127.0.0.2');
      const { at, data } = await idle.closed;
      expect(data).toMatch(/^HTTP\/1\.1 408 /);
      expect(data).toContain('"detail":"the request did not arrive in time"');
      expect(at - idle.connectedAt).toBeGreaterThanOrEqual(SETTINGS.headersTimeoutMs * 0.9);
    });
  });

  describe('connection caps', () => {
    for (const listener of ['inbound', 'api'] as const) {
      it(`${listener}: refuses one connection over maxPerAddress at once; other addresses still get in`, async () => {
        const port = listener === 'inbound' ? h.gateway.inboundPort : h.gateway.apiPort;
        const held = await Promise.all(
          Array.from({ length: SETTINGS.maxPerAddress }, () => connect(port, '127.0.0.3')),
        );
        const extra = await connect(port, '127.0.0.3');
        let heldClosed = false;
        void Promise.race(held.map((c) => c.closed)).then(() => {
          heldClosed = true;
        });
        const refused = await extra.closed;
        // Closed by the cap, not by a deadline: the sockets before it are all still open.
        expect(refused.data).toBe('');
        expect(heldClosed).toBe(false);
        // Another address is not affected.
        const other = await connect(port, '127.0.0.4');
        expect(other.socket.destroyed).toBe(false);
        other.socket.destroy();
        expect(
          logs.some((e) => e.listener === listener && (e.reason === PER_ADDRESS || e.reasons?.[PER_ADDRESS])),
        ).toBe(true);
        for (const c of held) c.socket.destroy();
        await Promise.all(held.map((c) => c.closed));
        if (listener === 'inbound') await slotPollStillAnswered();
      });
    }

    it('at the total cap, closes the oldest silent connection to let a real peer in', async () => {
      // Three addresses, four silent sockets each: the inbound listener is full of connections
      // that never start TLS, yet the simulator's slot poll (a handshake, then a request) gets in.
      const silent = await Promise.all(
        Array.from({ length: SETTINGS.max }, (_, i) =>
          connect(h.gateway.inboundPort, `127.0.0.${10 + Math.floor(i / SETTINGS.maxPerAddress)}`),
        ),
      );
      await slotPollStillAnswered();
      const closedEarly = await Promise.all(
        silent.map((c) => Promise.race([c.closed.then(() => true), sleep(50).then(() => false)])),
      );
      expect(closedEarly.filter(Boolean).length).toBeGreaterThan(0);
      expect(
        logs.some((e) => e.listener === 'inbound' && (e.reason === EVICTED || e.reasons?.[EVICTED])),
      ).toBe(true);
      for (const c of silent) c.socket.destroy();
    });

    it('refuses a connection over the total when every connection has sent a request', async () => {
      // Kept-alive connections that each sent a request have proved themselves: none is closed for a newcomer.
      const held: Awaited<ReturnType<typeof connect>>[] = [];
      for (let i = 0; i < SETTINGS.max; i += 1) {
        const c = await connect(h.gateway.apiPort, `127.0.0.${20 + Math.floor(i / SETTINGS.maxPerAddress)}`);
        const before = c.socket.bytesRead;
        c.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
        if (!(await eventually(() => c.socket.bytesRead > before || c.socket.destroyed, 5_000))) break;
        if (c.socket.destroyed) break; // the test's own keep-alive sockets already count
        held.push(c);
      }
      const extra = await connect(h.gateway.apiPort, '127.0.0.30');
      const refused = await extra.closed;
      expect(refused.data).toBe('');
      expect(held.every((c) => !c.socket.destroyed)).toBe(true);
      expect(logs.some((e) => e.listener === 'api' && (e.reason === TOTAL || e.reasons?.[TOTAL]))).toBe(true);
      for (const c of held) c.socket.destroy();
      await Promise.all(held.map((c) => c.closed));
    });

    it('logs 40 refused connections in at most a few lines: the first at once, the rest summed', async () => {
      const from = logs.length;
      const held = await Promise.all(
        Array.from({ length: SETTINGS.maxPerAddress }, () => connect(h.gateway.inboundPort, '127.0.0.5')),
      );
      const started = Date.now();
      const refused = await Promise.all(
        Array.from({ length: 40 }, () => connect(h.gateway.inboundPort, '127.0.0.5').catch(() => undefined)),
      );
      await Promise.all(refused.map((c) => c?.closed));
      // On a busy machine the 40 refusals can span more than one summary interval.
      const intervals = Math.ceil((Date.now() - started) / SETTINGS.refusalIntervalMs);
      const mine = () =>
        logs
          .slice(from)
          .filter((e) => e.listener === 'inbound' && (e.reason === PER_ADDRESS || e.reasons?.[PER_ADDRESS]));
      const counted = () =>
        mine().reduce((n, e) => n + (e.reason === PER_ADDRESS ? 1 : (e.reasons?.[PER_ADDRESS] ?? 0)), 0);
      // Every refusal is accounted for once the summary interval has passed...
      expect(await eventually(() => counted() === 40, 5_000)).toBe(true);
      // ...in at most one full line per interval the refusals spanned, each followed by at most
      // one summary: never a line per connection.
      const full = mine().filter((e) => e.reason === PER_ADDRESS).length;
      expect(full).toBeLessThanOrEqual(intervals + 1);
      expect(mine().length - full).toBeLessThanOrEqual(full);
      expect(mine().length).toBeLessThan(20);
      for (const c of held) c.socket.destroy();
    });
  });

  describe('slow and buffered bodies', () => {
    /** Sends headers declaring `length` bytes and only `sent` of them, then stalls. */
    async function slowUpload(
      port: number,
      secure: boolean,
      headers: string,
      length: number,
      sent: number,
    ): Promise<{ closed: Promise<string>; startedAt: number }> {
      const socket: net.Socket = secure
        ? tls.connect({ host: '127.0.0.1', servername: 'localhost', port, ...client })
        : net.connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve, reject) => {
        socket.once(secure ? 'secureConnect' : 'connect', resolve);
        socket.once('error', reject);
      });
      const parts: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => parts.push(chunk));
      socket.on('error', () => undefined);
      const closed = new Promise<string>((resolve) =>
        socket.on('close', () => resolve(Buffer.concat(parts).toString('latin1'))),
      );
      socket.write(`POST / HTTP/1.1\r\nHost: localhost\r\n${headers}Content-Length: ${length}\r\n\r\n`);
      socket.write(Buffer.alloc(sent, 0x20));
      return { closed, startedAt: Date.now() };
    }

    it('cuts a slow inbound body after requestTimeoutMs with 408', async () => {
      const upload = await slowUpload(
        h.gateway.inboundPort,
        true,
        'Content-Type: text/xml\r\nSOAPAction: ebXML\r\n',
        100_000,
        1_000,
      );
      const closed = await upload.closed;
      expect(closed).toMatch(/^HTTP\/1\.1 408 /);
      expect(closed).toContain('<faultstring>Request timeout</faultstring>');
      expect(closed).toContain('the request did not arrive in time');
    });

    it('cuts a slow API body after requestTimeoutMs with 408', async () => {
      const upload = await slowUpload(
        h.gateway.apiPort,
        false,
        'Content-Type: application/json\r\nInteraction-Id: PRSC_IN090000UK09\r\nwait-for-response: false\r\n',
        100_000,
        1_000,
      );
      expect(await upload.closed).toMatch(/^HTTP\/1\.1 408 /);
    });

    it('refuses bodies past maxBufferedBodyBytes with 503 on both listeners, and admits again once memory is freed', async () => {
      // One slow upload holds most of the shared budget until its deadline cuts it.
      const holder = await slowUpload(
        h.gateway.inboundPort,
        true,
        'Content-Type: text/xml\r\nSOAPAction: ebXML\r\n',
        250_000,
        1_000,
      );
      const apiBody = JSON.stringify({ payload: `<x>${'a'.repeat(100_000)}</x>` });
      const api = () =>
        fetch(`${h.api}/`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Interaction-Id': 'PRSC_IN090000UK09',
            'wait-for-response': 'false',
          },
          body: apiBody,
        });
      // The holder's headers reach the server a moment after its socket is written to.
      let busy = await api();
      for (let tries = 0; busy.status !== 503 && tries < 20; tries += 1) {
        await busy.arrayBuffer();
        await sleep(25);
        busy = await api();
      }
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('5');
      expect(busy.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await busy.json()) as { detail: string }).detail).toMatch(/maxBufferedBodyBytes 300000/);

      const inbound = await new Promise<{ status: number; body: string; type?: string }>(
        (resolve, reject) => {
          const request = https.request(
            {
              host: '127.0.0.1',
              servername: 'localhost',
              port: h.gateway.inboundPort,
              method: 'POST',
              agent: false,
              ...client,
              headers: { 'Content-Type': 'text/xml', SOAPAction: 'ebXML', 'Content-Length': 100_000 },
            },
            (response) => {
              const parts: Buffer[] = [];
              response.on('data', (c: Buffer) => parts.push(c));
              response.on('end', () =>
                resolve({
                  status: response.statusCode ?? 0,
                  body: Buffer.concat(parts).toString('utf8'),
                  type: response.headers['content-type'],
                }),
              );
            },
          );
          request.on('error', reject);
          request.end(Buffer.alloc(100_000, 0x20));
        },
      );
      expect(inbound.status).toBe(503);
      expect(inbound.type).toMatch(/^text\/xml/);
      withFault(inbound.body, (code, reason) => {
        expect(code).toBe('SOAP:Server');
        expect(reason).toMatch(/gateway busy/);
      });

      // The holder is cut at its deadline; its reservation comes back and the same body is read.
      expect(await holder.closed).toMatch(/^HTTP\/1\.1 408 /);
      const after = await api();
      expect(after.status).not.toBe(503);
    });
  });

  describe('TLS', () => {
    it('refuses a client certificate with a 1024-bit RSA key right after the handshake, and says why', async () => {
      const weak = issueClientCertificate(1024);
      const from = logs.length;
      const outcome = await new Promise<string>((resolve) => {
        const request = https.request(
          {
            host: '127.0.0.1',
            servername: 'localhost',
            port: h.gateway.inboundPort,
            method: 'POST',
            agent: false,
            ca: client.ca,
            cert: weak.cert,
            key: weak.key,
            headers: { 'Content-Type': 'text/xml', 'Content-Length': 0 },
          },
          (response) => resolve(`answered ${response.statusCode}`),
        );
        request.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
        request.end();
      });
      expect(outcome).toMatch(/^error (ECONNRESET|EPIPE|ERR_SSL)/);
      const line = await eventually(
        () =>
          logs
            .slice(from)
            .find((e) => e.reason === 'client certificate key too weak' && e.listener === 'inbound'),
        5_000,
      );
      expect(line?.key).toBe('RSA key of 1024 bits, under the 2048-bit minimum');
      expect(line?.client).toMatch(/^CN=weak-client /);

      // The same CA's 2048-bit certificate is still answered.
      const strong = issueClientCertificate(2048);
      const status = await new Promise<number>((resolve, reject) => {
        const request = https.request(
          {
            host: '127.0.0.1',
            servername: 'localhost',
            port: h.gateway.inboundPort,
            method: 'GET',
            agent: false,
            ca: client.ca,
            cert: strong.cert,
            key: strong.key,
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end();
      });
      expect(status).toBe(405);
    });

    it('refuses TLS 1.2 renegotiation', async () => {
      const socket = tls.connect({
        host: '127.0.0.1',
        servername: 'localhost',
        port: h.gateway.inboundPort,
        maxVersion: 'TLSv1.2',
        ...client,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      const result = await new Promise<string>((resolve) => {
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
        socket.on('close', () => resolve('closed'));
        const started = socket.renegotiate({ rejectUnauthorized: true }, (error) =>
          resolve(error ? `error ${(error as NodeJS.ErrnoException).code}` : 'renegotiated'),
        );
        if (!started) resolve('not started');
        // The server only sees the renegotiation request once data flows.
        socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      });
      socket.destroy();
      expect(result).not.toBe('renegotiated');
      expect(result).toMatch(/^(error (ERR_SSL_NO_RENEGOTIATION|EPROTO|ECONNRESET)|closed)$/);
    });
  });

  describe('kept-alive connections at the idle boundary (issue 18)', () => {
    it('answers a client whose keep-alive idle time is just under the server’s, on the reused socket', async () => {
      // Like Go's or .NET's clients: the server's Keep-Alive hint is ignored and idle sockets are
      // dropped after a fixed time, here just under the server's keepAliveTimeoutMs.
      const agent = new FixedIdleAgent(SETTINGS.keepAliveTimeoutMs - 100);
      try {
        const first = await request(agent, 'POST');
        expect(first.status).toBe(400);
        // Idle until just before the client's own limit, then reuse the socket.
        await sleep(SETTINGS.keepAliveTimeoutMs - 200);
        const second = await request(agent, 'POST');
        expect(second.reused).toBe(true);
        expect(second.status).toBe(400);
      } finally {
        agent.destroy();
      }
    });

    it('answers a request sent on a raw socket just inside keepAliveTimeoutMs, and closes cleanly after it', async () => {
      const c = await connect(h.gateway.apiPort);
      const ask = () => c.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
      ask();
      await eventually(() => c.socket.bytesRead > 0, 5_000);
      const firstBytes = c.socket.bytesRead;
      await sleep(SETTINGS.keepAliveTimeoutMs - 100);
      expect(c.socket.destroyed).toBe(false);
      ask();
      expect(await eventually(() => c.socket.bytesRead > firstBytes, 5_000)).toBe(true);
      // Left idle, the server ends the connection itself (FIN, no reset) and nothing is lost.
      const { data } = await c.closed;
      expect(data.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    });
  });

  function request(agent: http.Agent, method: string): Promise<{ status: number; reused: boolean }> {
    return new Promise((resolve, reject) => {
      const body = '{}';
      const req = http.request(
        {
          host: '127.0.0.1',
          port: h.gateway.apiPort,
          method,
          path: '/',
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'Interaction-Id': 'PRSC_IN090000UK09',
            'wait-for-response': 'false',
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, reused: req.reusedSocket }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A client certificate from the harness's development CA with an RSA key of `bits`. */
  function issueClientCertificate(bits: number): { cert: string; key: string } {
    const pair = generateKeyPairSync('rsa', { modulusLength: bits });
    const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const caKey = forge.pki.privateKeyFromPem(readFileSync(pki.caKey, 'utf8'));
    const caCert = forge.pki.certificateFromPem(readFileSync(pki.caCert, 'utf8'));
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(
      pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
    cert.validity.notBefore = new Date(Date.now() - 3_600_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: bits < 2048 ? 'weak-client' : 'strong-client' }]);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', clientAuth: true },
    ]);
    cert.sign(caKey, forge.md.sha256.create());
    return { cert: forge.pki.certificateToPem(cert), key: keyPem };
  }
});

/** A keep-alive agent that drops idle sockets after a fixed time and ignores the server's hint. */
class FixedIdleAgent extends http.Agent {
  constructor(private readonly idleMs: number) {
    super({ keepAlive: true, maxSockets: 1 });
  }

  override keepSocketAlive(socket: net.Socket): boolean {
    socket.setKeepAlive(true);
    socket.unref();
    socket.setTimeout(this.idleMs);
    return true;
  }
}

function withFault(xml: string, check: (code: string, reason: string) => void): void {
  const doc = parseXml(xml);
  try {
    expect(element(doc.root, 'soap:Body/soap:Fault')).toBeDefined();
    check(
      text(doc.root, 'soap:Body/soap:Fault/faultcode') ?? '',
      text(doc.root, 'soap:Body/soap:Fault/faultstring') ?? '',
    );
  } finally {
    doc.dispose();
  }
}
