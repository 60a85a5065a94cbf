// Regression for a loss the soak found: an inbound message stored as RECEIVED whose queueing failed
// (RabbitMQ restarting, or the instance killed before the ack) was refused with a 500 on every
// resend, so the sender gave up and the PAS never saw it. A resend now finishes the delivery.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { InboundPipeline } from '../../src/inbound/index.js';
import { createLogger } from '../../src/ops/index.js';
import { type Broker, BrokerUnavailableError, type PublishProperties } from '../../src/queue/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import { initDevPki } from '../../src/security/pki/index.js';
import { loadTls } from '../../src/security/tls/index.js';
import { SqliteMessageStore } from '../../src/store/index.js';
import { OUR_PARTY, slotPollMessage } from '../security/messages.js';

describe('an inbound message whose first delivery was interrupted', () => {
  let dir: string;
  let store: SqliteMessageStore;
  let pipeline: InboundPipeline;
  const published: { queue: string; messageId: string }[] = [];
  let failures = 0;
  const routes = loadRouteTable(
    join(packageRoot, 'config', 'interactions.json'),
    join(packageRoot, 'config', 'routes.json'),
  );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-resume-'));
    store = new SqliteMessageStore(join(dir, 'state.db'));
    const pki = await initDevPki({ dir: join(dir, 'pki') });
    const ours = loadTls({ cert: pki.paths.gatewayCert, key: pki.paths.gatewayKey, ca: pki.paths.caCert });
    // Stands in for RabbitMQ: refuses `failures` publishes (a broker restarting), then confirms.
    const broker = {
      publish: async (queue: string, _body: Buffer, properties: PublishProperties) => {
        if (failures > 0) {
          failures -= 1;
          throw new BrokerUnavailableError('RabbitMQ is not connected');
        }
        published.push({ queue, messageId: properties.messageId });
      },
    } as unknown as Broker;
    pipeline = new InboundPipeline({
      partyKey: OUR_PARTY,
      routes,
      store,
      broker,
      logger: createLogger({ level: 'silent', redactPatientData: true }),
      trusted: () => ours.caCertificates,
      signingIdentity: () => ({ privateKey: ours.privateKey, certificate: ours.certificate }),
      requireSignature: false,
      validateSchema: false,
      maxParts: 100,
    });
  });

  afterAll(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is delivered by the resend, once, and every later copy gets the same acknowledgment', async () => {
    const message = slotPollMessage(routes);
    const messageId = /<eb:MessageId>([^<]+)</.exec(message.body.toString('utf8'))![1]!;
    const receive = () => pipeline.receive(message.contentType, message.soapAction, message.body);

    failures = 1;
    const first = await receive();
    expect(first.status).toBe(500);
    expect((await store.get(messageId))?.status).toBe('RECEIVED');
    expect(published).toEqual([]);

    const second = await receive();
    expect(second.status).toBe(200);
    expect(second.body.toString('utf8')).toContain('Acknowledgment');
    expect(published).toEqual([{ queue: 'mhs.inbound', messageId }]);
    expect((await store.get(messageId))?.status).toBe('DELIVERED');

    const third = await receive();
    expect(third.status).toBe(200);
    expect(third.body.equals(second.body)).toBe(true);
    expect(published).toHaveLength(1);
  });
});
