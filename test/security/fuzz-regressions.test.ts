// Inputs the fuzz test found that made InboundPipeline.receive reject instead of answering: a
// refusal quoting received text that XML 1.0 cannot carry (NUL, U+FFFE) could not be written.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { buildMessageError, buildSoapFault, PARTY_TYPE } from '../../src/ebxml/index.js';
import { InboundPipeline } from '../../src/inbound/index.js';
import { createLogger } from '../../src/ops/index.js';
import { Broker } from '../../src/queue/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import { SqliteMessageStore } from '../../src/store/index.js';
import { parseXml, text } from '../../src/xml/index.js';

const FIXTURE = join(packageRoot, 'test', 'fixtures', 'inbound', 'spine-forward-reliable.mime');
const CONTENT_TYPE =
  'multipart/related; boundary="--=_MIME-Boundary"; charset="UTF-8"; type="text/xml"; start="<ebXMLHeader@spine.nhs.uk>"';

describe('refusals that quote hostile text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-fuzz-regression-'));
  const store = new SqliteMessageStore(join(dir, 'state.db'));
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // These refusals happen before anything is stored or queued: the broker is never connected.
  const pipeline = new InboundPipeline({
    partyKey: 'RTX-821088',
    routes: loadRouteTable(
      join(packageRoot, 'config', 'interactions.json'),
      join(packageRoot, 'config', 'routes.json'),
    ),
    store,
    broker: new Broker('amqp://127.0.0.1:1', { instanceId: 'unused', logger: console }),
    logger: createLogger({ level: 'silent', redactPatientData: true }),
    trusted: () => [],
    signingIdentity: () => {
      throw new Error('no signing in these cases');
    },
    requireSignature: false,
    validateSchema: true,
    maxParts: 100,
  });

  it('a Content-Type holding U+FFFE gets a 400 SOAP fault, not a rejected promise', async () => {
    const answer = await pipeline.receive('\uFFFE', '', readFileSync(FIXTURE));
    expect(answer.status).toBe(400);
    const doc = parseXml(answer.body);
    try {
      expect(text(doc.root, 'soap:Body/soap:Fault/faultstring')).toBe(
        'Content-Type "\uFFFD" is neither multipart/related nor XML',
      );
    } finally {
      doc.dispose();
    }
  });

  it('a SOAPAction holding NUL gets a MessageError naming it, not a rejected promise', async () => {
    const answer = await pipeline.receive(CONTENT_TYPE, '\u0000', readFileSync(FIXTURE));
    expect(answer.status).toBe(200);
    const doc = parseXml(answer.body);
    try {
      expect(text(doc.root, 'soap:Header/eb:ErrorList/eb:Error/eb:Description')).toMatch(
        /^SOAPAction \uFFFD does not match /,
      );
    } finally {
      doc.dispose();
    }
  });

  it('the builders write such text as U+FFFD instead of throwing', () => {
    const fault = buildSoapFault('SOAP:Client', 'bad \u0001 \uFFFF', 'detail \u0000');
    expect(() => parseXml(fault).dispose()).not.toThrow();
    expect(fault).toContain('bad \uFFFD \uFFFD');
    const error = buildMessageError(
      { messageId: 'M1', from: { id: 'YES-0000806', type: PARTY_TYPE } },
      [{ errorCode: 'MimeProblem', severity: 'Error', description: 'x\u0008y', location: 'cid:\u0001' }],
      {
        ourParty: { id: 'RTX-821088', type: PARTY_TYPE },
        messageId: 'M2',
        timestamp: '2026-01-01T00:00:00Z',
      },
    );
    const body = error.body.toString('utf8');
    expect(() => parseXml(body).dispose()).not.toThrow();
    expect(body).toContain('x\uFFFDy');
    expect(body).toContain('eb:location="cid:\uFFFD"');
  });
});
