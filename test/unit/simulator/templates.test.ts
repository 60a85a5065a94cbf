import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import { ACTOR_NEXT_MSH, type MessageHeader, PARTY_TYPE } from '../../../src/ebxml/index.js';
import { loadRouteTable } from '../../../src/routing/index.js';
import { initDevPki } from '../../../src/security/pki/index.js';
import { TlsContext } from '../../../src/security/tls/index.js';
import type { SigningIdentity } from '../../../src/security/xmldsig/index.js';
import {
  acknowledgmentFor,
  applicationAckMessage,
  type BuildContext,
} from '../../../src/simulator/messages.js';
import {
  acknowledgment,
  acknowledgmentTemplate,
  applicationAck,
  applicationAckTemplate,
} from '../../../src/simulator/templates.js';
import { tempDir } from '../security/pki/tools.js';

/**
 * The signals rendered from a template are byte for byte what the builders make in full, for every
 * shape and for ids the template cannot take (those are built in full).
 */
const routes = loadRouteTable(
  join(packageRoot, 'config', 'interactions.json'),
  join(packageRoot, 'config', 'routes.json'),
);
const parties = {
  partyKey: 'X26-9199246',
  asid: '918999199246',
  gatewayPartyKey: 'RTX-821088',
  gatewayAsid: '918999198738',
};

/** The same context twice over: `newId` gives the same id to both calls. */
function contexts(id: string, now: Date, identity?: SigningIdentity): [BuildContext, BuildContext] {
  const context = (): BuildContext => ({ parties, routes, now, newId: () => id, identity });
  return [context(), context()];
}

const ODD_IDS = ['a&b', 'with space', 'quote"d', 'ünïcode', '<tag>', 'x\ty', '--=_MIME-Boundary'];

describe('signal templates', () => {
  const temp = tempDir('sim-templates');
  let identity: SigningIdentity;
  beforeAll(async () => {
    const { paths } = await initDevPki({ dir: join(temp.dir, 'pki') });
    const tls = new TlsContext({ cert: paths.simulatorCert, key: paths.simulatorKey, ca: paths.caCert });
    identity = { privateKey: tls.current.privateKey, certificate: tls.current.certificate };
  });
  afterAll(() => temp.remove());

  it('has a template for every shape the simulator sends', () => {
    const [context] = contexts('ID', new Date());
    for (const actor of [undefined, ACTOR_NEXT_MSH])
      expect(acknowledgmentTemplate(context, header(undefined), actor)).not.toBeNull();
    for (const typeCode of ['AA', 'AE', 'AR'] as const)
      expect(applicationAckTemplate(context, typeCode)).not.toBeNull();
  });

  it('renders the Acknowledgment as acknowledgmentFor does, for every shape and id', () => {
    const shapes: Partial<MessageHeader>[] = [
      {},
      { from: { id: 'OTHER-1', type: PARTY_TYPE } },
      { from: { id: 'urn:party:no-type' } },
      { cpaId: 'S&1' },
      // Not part of the shape: what the Acknowledgment does not carry must not reach it.
      {
        to: { id: 'ELSEWHERE', type: PARTY_TYPE },
        service: 'urn:other',
        action: 'OTHER',
        refToMessageId: 'R-1',
        timestamp: '2020-01-01T00:00:00Z',
      },
    ];
    const times = [new Date(), new Date('2030-12-31T23:59:59.999Z'), new Date('2026-01-02T03:04:05Z')];
    for (const shape of shapes)
      for (const actor of [undefined, ACTOR_NEXT_MSH])
        for (const now of times)
          for (const odd of [undefined, ...ODD_IDS]) {
            const id = randomUUID().toUpperCase();
            const received = { ...header(odd), ...shape };
            const [forTemplate, forBuilder] = contexts(id, now);
            const templated = acknowledgment(forTemplate, received, actor);
            const built = acknowledgmentFor(forBuilder, received, actor);
            expect(templated.messageId).toBe(id);
            expect(templated.message.contentType).toBe(built.contentType);
            expect(templated.message.soapAction).toBe(built.soapAction);
            expect(templated.message.body.toString('utf8')).toBe(built.body.toString('utf8'));
          }
  });

  it('renders the application acknowledgement as applicationAckMessage does', () => {
    for (const typeCode of ['AA', 'AE', 'AR'] as const)
      for (const why of [undefined, 'UBRN 1 is not the request\'s 2 & "3"'])
        for (const odd of [undefined, ...ODD_IDS])
          for (const now of [new Date(), new Date('2029-02-03T04:05:06.007Z')]) {
            const id = randomUUID().toUpperCase();
            const answered = {
              messageId: odd ?? randomUUID().toUpperCase(),
              hl7MessageId: randomUUID().toUpperCase(),
              conversationId: randomUUID().toUpperCase(),
            };
            const [forTemplate, forBuilder] = contexts(id, now);
            const templated = applicationAck(forTemplate, answered, typeCode, why);
            const built = applicationAckMessage(forBuilder, answered, typeCode, why);
            expect(templated.messageId).toBe(id);
            expect(templated.message).toEqual(built);
          }
  });

  it('signs a templated application acknowledgement as the builder does', () => {
    const id = randomUUID().toUpperCase();
    const answered = { messageId: 'M-1', hl7MessageId: 'H-1', conversationId: 'C-1' };
    const [forTemplate, forBuilder] = contexts(id, new Date(), identity);
    const templated = applicationAck(forTemplate, answered, 'AA');
    // RSA PKCS#1 v1.5 signatures are deterministic: the same bytes are signed to the same value.
    expect(templated.message).toEqual(applicationAckMessage(forBuilder, answered, 'AA'));
    expect(templated.message.body.toString('utf8')).toContain('<ds:SignatureValue>');
  });
});

function header(odd: string | undefined): MessageHeader {
  return {
    from: { id: 'RTX-821088', type: PARTY_TYPE },
    to: { id: 'X26-9199246', type: PARTY_TYPE },
    cpaId: 'S918999714116',
    conversationId: odd ?? randomUUID().toUpperCase(),
    service: 'urn:nhs:names:services:ebs',
    action: 'PRSC_IN100000UK06',
    messageId: randomUUID().toUpperCase(),
    timestamp: formatted(new Date()),
  };
}

function formatted(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
