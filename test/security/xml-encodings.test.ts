// XML in any encoding meets the same DTD refusal (issue 13). Before, a UTF-16 envelope without a
// byte order mark slipped past a DTD check made on UTF-8 bytes, libxml2 expanded its entities,
// and the schema check threw into a bare `500 internal error` that Spine would resend forever.
// Now anything but UTF-8 is refused, with a SOAP fault naming the encoding, on the real server.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRouteTable, type RouteTable } from '../../src/routing/index.js';
import { devPkiPaths } from '../../src/security/pki/index.js';
import { element, NS, parseXml, text } from '../../src/xml/index.js';
import { type Harness, postJson, startHarness } from '../e2e/harness.js';
import { slotPollMessage } from './messages.js';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

describe('XML encodings on the inbound endpoint', () => {
  let h: Harness;
  let routes: RouteTable;
  let client: { cert: Buffer; key: Buffer; ca: Buffer };

  beforeAll(async () => {
    h = await startHarness();
    routes = loadRouteTable(h.config.interactionsFile, h.config.routesFile);
    const pki = devPkiPaths(join(h.dir, 'pki'));
    client = {
      cert: readFileSync(pki.simulatorCert),
      key: readFileSync(pki.simulatorKey),
      ca: readFileSync(pki.caCert),
    };
  });
  afterAll(async () => {
    await h?.close();
  });

  function post(body: Buffer, headers: Record<string, string>): Promise<Answer> {
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
          headers: { ...headers, 'Content-Length': body.length },
        },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (chunk: Buffer) => parts.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              contentType: response.headers['content-type'],
              body: Buffer.concat(parts).toString('utf8'),
            }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  /** A real slot poll whose SOAP envelope part is rewritten by `rewrite` (text in, bytes out). */
  function pollWithEnvelope(rewrite: (envelope: string) => Buffer): {
    body: Buffer;
    headers: Record<string, string>;
  } {
    const poll = slotPollMessage(routes);
    const raw = poll.body.toString('latin1');
    const start = raw.indexOf('<?xml');
    const end = raw.indexOf('</SOAP:Envelope>') + '</SOAP:Envelope>'.length;
    const envelope = Buffer.from(raw.slice(start, end), 'latin1').toString('utf8');
    const body = Buffer.concat([
      Buffer.from(raw.slice(0, start), 'latin1'),
      rewrite(envelope),
      Buffer.from(raw.slice(end), 'latin1'),
    ]);
    return { body, headers: { 'Content-Type': poll.contentType, SOAPAction: poll.soapAction } };
  }

  /** The envelope with a DTD whose internal entity becomes the CPAId: harmless if expanded, but proof. */
  function withEntity(envelope: string, declaration: string): string {
    return envelope
      .replace(/^<\?xml[^>]*\?>/, `${declaration}<!DOCTYPE SOAP:Envelope [<!ENTITY cpa "S918999714114">]>`)
      .replace(/<eb:CPAId>[^<]*<\/eb:CPAId>/, '<eb:CPAId>&cpa;</eb:CPAId>');
  }

  function faultString(answer: Answer): string {
    expect(answer.contentType).toMatch(/^text\/xml/);
    const doc = parseXml(answer.body);
    try {
      expect(element(doc.root, 'soap:Body/soap:Fault')).toBeDefined();
      return text(doc.root, 'soap:Body/soap:Fault/faultstring') ?? '';
    } finally {
      doc.dispose();
    }
  }

  const cases: { name: string; rewrite: (envelope: string) => Buffer; fault: string }[] = [
    {
      name: 'UTF-16LE without a byte order mark, with an internal entity',
      rewrite: (e) => Buffer.from(withEntity(e, '<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le'),
      fault: 'ebXML header part: XML document is UTF-16 without a byte order mark; only UTF-8 is accepted',
    },
    {
      name: 'UTF-16BE without a byte order mark, with an internal entity',
      rewrite: (e) =>
        Buffer.from(withEntity(e, '<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le').swap16(),
      fault: 'ebXML header part: XML document is UTF-16 without a byte order mark; only UTF-8 is accepted',
    },
    {
      name: 'UTF-16LE with a byte order mark',
      rewrite: (e) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withEntity(e, ''), 'utf16le')]),
      fault: 'ebXML header part: XML document is UTF-16 (byte order mark); only UTF-8 is accepted',
    },
    {
      name: 'UTF-32LE without a byte order mark',
      rewrite: (e) => {
        const units = [...withEntity(e, '')].map((c) => c.codePointAt(0)!);
        const out = Buffer.alloc(units.length * 4);
        for (const [i, u] of units.entries()) out.writeUInt32LE(u, i * 4);
        return out;
      },
      fault: 'ebXML header part: XML document is UTF-32 (or UCS-4); only UTF-8 is accepted',
    },
    {
      name: 'an ASCII-compatible document declaring another encoding',
      rewrite: (e) => Buffer.from(e.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1'),
      fault: 'ebXML header part: XML document declares encoding "ISO-8859-1"; only UTF-8 is accepted',
    },
  ];

  for (const { name, rewrite, fault } of cases) {
    it(`refuses ${name} with a SOAP fault naming the encoding`, async () => {
      const { body, headers } = pollWithEnvelope(rewrite);
      const answer = await post(body, headers);
      expect(answer.status, answer.body).toBe(400);
      expect(faultString(answer)).toBe(fault);
    });
  }

  it('still accepts the same poll in UTF-8, and after all the above', async () => {
    const { body, headers } = pollWithEnvelope((e) => Buffer.from(e, 'utf8'));
    const answer = await post(body, headers);
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body).toContain('eb:Acknowledgment');
    const poll = await postJson(`${h.control}/control/slot-polls`, { clinicId: 'CLINIC-1' });
    expect(poll.status).toBe(200);
    expect(NS.soap).toBeDefined();
  });
});
