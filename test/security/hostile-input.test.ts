// Hostile input on every port (issue 5): each attack gets a clear refusal, the gateway answers a
// valid slot poll afterwards, and the process's memory stays bounded. Runs against the real
// gateway (startHarness): mutual TLS on the inbound endpoint, plain HTTP on the REST API.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRouteTable, type RouteTable } from '../../src/routing/index.js';
import { devPkiPaths } from '../../src/security/pki/index.js';
import { element, NS, parseXml, text } from '../../src/xml/index.js';
import { type Harness, postJson, startHarness } from '../e2e/harness.js';
import { slotPollMessage } from './messages.js';

/**
 * The whole test process (gateway, simulator and test code) stays under this resident size; measured
 * on Node 20: about 110 MB before the attacks and 170 MB at the peak (the 6 MB JSON body and the
 * 100,000-deep document).
 */
const RSS_LIMIT = 512 * 1024 * 1024;
/** ...and grows by at most this much over all the attacks. */
const RSS_GROWTH_LIMIT = 192 * 1024 * 1024;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('hostile input', () => {
  let h: Harness;
  let routes: RouteTable;
  let client: { cert: Buffer; key: Buffer; ca: Buffer };
  let rssStart = 0;
  let rssPeak = 0;
  const sample = () => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);

  beforeAll(async () => {
    h = await startHarness();
    routes = loadRouteTable(h.config.interactionsFile, h.config.routesFile);
    const pki = devPkiPaths(join(h.dir, 'pki'));
    // The simulator's certificate: issued by the gateway's CA, so TLS lets us in.
    client = {
      cert: readFileSync(pki.simulatorCert),
      key: readFileSync(pki.simulatorKey),
      ca: readFileSync(pki.caCert),
    };
    rssStart = process.memoryUsage().rss;
  });
  afterAll(async () => {
    clearInterval(timer);
    await h?.close();
  });
  // After every attack the gateway still does its job.
  afterEach(async () => {
    sample();
    await expectSlotPollAnswered();
  });

  async function expectSlotPollAnswered(): Promise<void> {
    const poll = await postJson(`${h.control}/control/slot-polls`, { clinicId: 'CLINIC-1' });
    expect(poll.status, JSON.stringify(poll.body)).toBe(200);
    expect((poll.body.gatewayResponse as { kind: string }).kind).toBe('acknowledgment');
  }

  /** POST over mutual TLS; `length: false` sends the body chunked (no Content-Length). */
  function postInbound(
    body: Buffer | Buffer[],
    headers: Record<string, string | number>,
    options: { length?: boolean } = {},
  ): Promise<Answer> {
    const chunks = Array.isArray(body) ? body : [body];
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port: h.gateway.inboundPort,
          method: 'POST',
          path: '/',
          agent: false,
          ...client,
          headers: {
            ...headers,
            ...(options.length === false
              ? {}
              : { 'Content-Length': chunks.reduce((n, chunk) => n + chunk.length, 0) }),
          },
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(parts).toString('utf8'),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      const writeAll = async () => {
        for (const chunk of chunks) {
          if (request.destroyed) return;
          if (!request.write(chunk)) await new Promise((r) => request.once('drain', r));
        }
        request.end();
      };
      writeAll().catch(reject);
    });
  }

  /** Raw bytes on a TLS socket (for requests Node's client refuses to send); the reply as text. */
  function rawInbound(request: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', servername: 'localhost', port: h.gateway.inboundPort, ...client },
        () => socket.end(request),
      );
      const parts: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => parts.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(parts).toString('latin1')));
      socket.on('error', reject);
    });
  }

  /** Raw bytes to the REST API over plain TCP. */
  function rawApi(request: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: h.gateway.apiPort }, () => socket.end(request));
      const parts: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => parts.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(parts).toString('latin1')));
      socket.on('error', reject);
    });
  }

  const XML = { 'Content-Type': 'text/xml; charset=UTF-8', SOAPAction: 'ebXML' };

  /** A SOAP envelope whose header is a real slot poll's, with `body` inside SOAP:Body. */
  function envelope(prolog: string, bodyXml: string): Buffer {
    return Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n${prolog}<SOAP:Envelope xmlns:SOAP="${NS.soap}"><SOAP:Header/><SOAP:Body>${bodyXml}</SOAP:Body></SOAP:Envelope>`,
    );
  }

  function faultString(answer: Answer): string {
    expect(answer.headers['content-type']).toMatch(/^text\/xml/);
    const doc = parseXml(answer.body);
    try {
      expect(doc.root.namespaceUri).toBe(NS.soap);
      expect(element(doc.root, 'soap:Body/soap:Fault')).toBeDefined();
      return text(doc.root, 'soap:Body/soap:Fault/faultstring') ?? '';
    } finally {
      doc.dispose();
    }
  }

  describe('inbound endpoint (mutual TLS)', () => {
    it('refuses a billion-laughs envelope before expanding anything', async () => {
      const entities = ['<!ENTITY lol "lol">'];
      for (let i = 1; i <= 9; i++)
        entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
      const answer = await postInbound(
        envelope(`<!DOCTYPE SOAP:Envelope [${entities.join('')}]>`, '<x>&lol9;</x>'),
        XML,
      );
      expect(answer.status).toBe(400);
      expect(faultString(answer)).toBe(
        'ebXML header part: XML document declares a DTD or entity, which is not allowed',
      );
    });

    it('refuses an external entity (XXE) and never reads the file', async () => {
      const answer = await postInbound(
        envelope('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', '<x>&xxe;</x>'),
        XML,
      );
      expect(answer.status).toBe(400);
      expect(faultString(answer)).toMatch(/declares a DTD or entity/);
      expect(answer.body).not.toContain('root:');
    });

    it('refuses a DTD (external subset) and an entity reference without one', async () => {
      const dtd = await postInbound(
        envelope('<!DOCTYPE SOAP:Envelope SYSTEM "http://127.0.0.1:1/evil.dtd">', '<x/>'),
        XML,
      );
      expect(dtd.status).toBe(400);
      expect(faultString(dtd)).toMatch(/declares a DTD or entity/);
      const undeclared = await postInbound(envelope('', '<x>&undeclared;</x>'), XML);
      expect(undeclared.status).toBe(400);
      expect(faultString(undeclared)).toMatch(/^ebXML header part: XML is not well-formed: /);
    });

    it('refuses a 100,000-deep nested document', async () => {
      const depth = 100_000;
      const answer = await postInbound(envelope('', `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`), XML);
      expect(answer.status).toBe(400);
      expect(faultString(answer)).toMatch(/^ebXML header part: XML is not well-formed: .*depth/i);
    });

    it('refuses 150 MIME parts', async () => {
      const poll = slotPollMessage(routes);
      const boundary = /boundary="([^"]+)"/.exec(poll.contentType)![1]!;
      const extra = Array.from(
        { length: 150 },
        (_, i) =>
          `--${boundary}\r\nContent-Id: <extra-${i}@hostile>\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`,
      ).join('');
      const body = Buffer.from(
        poll.body.toString('latin1').replace(`--${boundary}--`, `${extra}--${boundary}--`),
        'latin1',
      );
      const answer = await postInbound(body, {
        'Content-Type': poll.contentType,
        SOAPAction: poll.soapAction,
      });
      expect(answer.status).toBe(400);
      expect(faultString(answer)).toBe(`body has more than ${h.config.inbound.maxParts} MIME parts`);
    });

    it('refuses a body over inbound.maxBodyBytes, declared in Content-Length', async () => {
      const size = h.config.inbound.maxBodyBytes + 1;
      const answer = await postInbound(Buffer.alloc(size, 0x20), XML);
      expect(answer.status).toBe(413);
      expect(answer.body).toBe(`body over ${h.config.inbound.maxBodyBytes} bytes\n`);
    });

    it('refuses a body over inbound.maxBodyBytes sent chunked, without reading it all', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const count = Math.ceil((h.config.inbound.maxBodyBytes * 2) / chunk.length);
      const answer = await postInbound(Array(count).fill(chunk), XML, { length: false }).catch(
        (error: NodeJS.ErrnoException) => ({ status: 0, headers: {}, body: error.code ?? error.message }),
      );
      expect(answer.status, answer.body).toBe(413);
      expect(answer.body).toBe(`body over ${h.config.inbound.maxBodyBytes} bytes\n`);
    });

    it('refuses invalid UTF-8 in the envelope', async () => {
      const poll = slotPollMessage(routes);
      const body = Buffer.from(poll.body);
      const at = body.indexOf('<eb:CPAId>') + '<eb:CPAId>'.length;
      body[at] = 0xff;
      const answer = await postInbound(body, {
        'Content-Type': poll.contentType,
        SOAPAction: poll.soapAction,
      });
      expect(answer.status).toBe(400);
      expect(faultString(answer)).toBe('ebXML header part: XML document is not valid UTF-8');
    });

    it('refuses CR/LF in SOAPAction at the HTTP parser, and never reflects injected headers', async () => {
      // Node's client will not send it, so the request is written byte for byte.
      const poll = slotPollMessage(routes);
      const head = (soapAction: string) =>
        Buffer.from(
          `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${poll.contentType}\r\nSOAPAction: ${soapAction}\r\nContent-Length: ${poll.body.length}\r\nConnection: close\r\n\r\n`,
          'latin1',
        );
      const bareCr = await rawInbound(
        Buffer.concat([head(`${poll.soapAction}\rX-Injected: yes`), poll.body]),
      );
      expect(bareCr).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      // Spine's language, naming the problem: a SOAP fault, not Node's empty 400.
      expect(bareCr).toContain('Content-Type: text/xml; charset=UTF-8');
      expect(bareCr).toMatch(
        /<faultcode>SOAP:Client<\/faultcode>\s*<faultstring>Malformed HTTP request<\/faultstring>/,
      );
      expect(bareCr).toMatch(/malformed HTTP request: [^<]*\(HPE_[A-Z_]+\)/);
      expect(bareCr).not.toContain('X-Injected');
      const bareLf = await rawInbound(
        Buffer.concat([head(`${poll.soapAction}\nX-Injected: yes`), poll.body]),
      );
      expect(bareLf).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      // CR/LF smuggled as XML character references into eb:Action reaches neither a header nor the log line.
      const smuggled = Buffer.from(
        poll.body
          .toString('latin1')
          .replace(
            '<eb:Action>PRSC_IN080000UK07',
            '<eb:Action>PRSC_IN080000UK07&#13;&#10;Set-Cookie: evil=1',
          ),
        'latin1',
      );
      const answer = await postInbound(smuggled, { 'Content-Type': poll.contentType, SOAPAction: 'ebXML' });
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('eb:ErrorList');
    });
  });

  describe('REST API', () => {
    const mhsHeaders = { 'Interaction-Id': 'PRSC_IN090000UK09', 'wait-for-response': 'false' };

    it('refuses a JSON body over api.maxBodyBytes with 413', async () => {
      const response = await fetch(`${h.api}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...mhsHeaders },
        body: JSON.stringify({ payload: 'x'.repeat(h.config.api.maxBodyBytes) }),
      });
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({
        title: 'Request body too large',
        detail: `limit is ${h.config.api.maxBodyBytes} bytes`,
      });
    });

    it('refuses a small gzip body that inflates past api.maxBodyBytes (a zip bomb) with 413', async () => {
      const bomb = gzipSync(Buffer.from(`{"payload":"${'0'.repeat(h.config.api.maxBodyBytes)}"}`));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const response = await fetch(`${h.api}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', ...mhsHeaders },
        body: bomb,
      });
      expect(response.status).toBe(413);
    });

    it('refuses deeply nested JSON with a 400 naming the field', async () => {
      const depth = 100_000;
      for (const body of [
        `${'['.repeat(depth)}${']'.repeat(depth)}`,
        `{"payload":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
      ]) {
        const response = await fetch(`${h.api}/`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...mhsHeaders },
          body,
        });
        expect(response.status).toBe(400);
        const problem = (await response.json()) as { title: string; errors: { field: string }[] };
        expect(problem.title).toBe('Invalid request');
      }
    });

    it('refuses invalid UTF-8 in a JSON body', async () => {
      const body = Buffer.concat([
        Buffer.from('{"payload":"<x>'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('</x>"}'),
      ]);
      const response = await fetch(`${h.api}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...mhsHeaders },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        title: 'Invalid request',
        detail: 'body is not valid UTF-8',
      });
    });

    it('refuses a charset or content encoding it cannot read with a 415 problem, not a 500', async () => {
      const cases: Record<string, string>[] = [
        { 'Content-Type': 'application/json; charset=latin2' },
        { 'Content-Type': 'application/json', 'Content-Encoding': 'x-unknown' },
      ];
      for (const headers of cases) {
        const response = await fetch(`${h.api}/`, {
          method: 'POST',
          headers: { ...headers, ...mhsHeaders },
          body: JSON.stringify({ payload: '<x/>' }),
        });
        expect(response.status).toBe(415);
        expect(((await response.json()) as { detail: string }).detail).toMatch(
          /^unsupported (charset|content encoding) /,
        );
      }
    });

    it('refuses a Message-Id with CR/LF', async () => {
      const json = JSON.stringify({ payload: '<x/>' });
      const request = (messageId: string) =>
        Buffer.from(
          `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nInteraction-Id: PRSC_IN090000UK09\r\nwait-for-response: false\r\nMessage-Id: ${messageId}\r\nContent-Length: ${json.length}\r\nConnection: close\r\n\r\n${json}`,
          'latin1',
        );
      const bareCr = await rawApi(request('ABC\rX-Injected: yes'));
      expect(bareCr).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      // The PAS's language, naming the problem: a problem body, not Node's empty 400.
      expect(bareCr).toContain('Content-Type: application/problem+json');
      const problem = JSON.parse(bareCr.slice(bareCr.indexOf('\r\n\r\n') + 4));
      expect(problem).toMatchObject({ title: 'Malformed HTTP request', status: 400 });
      expect(problem.detail).toMatch(/^malformed HTTP request: .*\(HPE_[A-Z_]+\)$/);
      expect(await rawApi(request('ABC\nX-Injected: yes'))).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      // Folded onto a continuation line: the API sees one value with a space in it and names the header.
      const folded = await rawApi(request('ABC\r\n X-Injected: yes'));
      expect(folded).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      // A well-formed header with a value that is not an id: the API names the header.
      const spaced = await rawApi(request('ABC DEF'));
      expect(spaced).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(spaced).toContain('application/problem+json');
      expect(spaced).toContain('"detail":"Message-Id must be 1-100 letters, digits');
    });
  });

  it('keeps idle connections longer than common HTTP clients do (95 s: above 60 s load balancers and 90 s Go clients)', async () => {
    // Node's default was 5 s: a client with a longer idle timeout could send on a socket the
    // server was closing and get no answer (issue 18). The limit itself is in listeners.test.ts.
    const api = await fetch(`${h.api}/healthz`);
    expect(api.headers.get('keep-alive')).toBe('timeout=95');
    const agent = new https.Agent({ keepAlive: true, ...client });
    try {
      const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
        const request = https.request(
          { host: '127.0.0.1', servername: 'localhost', port: h.gateway.inboundPort, method: 'GET', agent },
          (response) => {
            response.resume();
            resolve(String(response.headers['keep-alive']));
          },
        );
        request.on('error', reject);
        request.end();
      });
      expect(keepAlive).toBe('timeout=95');
    } finally {
      agent.destroy();
    }
  });

  it(`kept the process under ${RSS_LIMIT / 1048576} MB resident`, () => {
    sample();
    expect(rssPeak, `peak RSS ${(rssPeak / 1048576).toFixed(0)} MB`).toBeLessThan(RSS_LIMIT);
    expect(rssPeak - rssStart).toBeLessThan(RSS_GROWTH_LIMIT);
  });
});
