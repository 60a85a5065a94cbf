import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlotCancellationPayload } from '../../../src/cab/index.js';
import { packageRoot } from '../../../src/config/index.js';
import {
  buildMessage,
  formatTimestamp,
  type HttpMessage,
  PARTY_TYPE,
  parseMessage,
  parseTimestamp,
  toHttpMessage,
} from '../../../src/ebxml/index.js';
import { parseApplicationAcknowledgement, parseWrapper, wrapPayload } from '../../../src/hl7/index.js';
import type { Logger } from '../../../src/ops/index.js';
import { loadRouteTable, reliabilityFlags } from '../../../src/routing/index.js';
import { initDevPki } from '../../../src/security/pki/index.js';
import { TlsContext } from '../../../src/security/tls/index.js';
import { type SigningIdentity, signEnvelope, verifyEnvelope } from '../../../src/security/xmldsig/index.js';
import {
  type BuildContext,
  FaultInjector,
  type ReceivedMessage,
  spineReceiver,
} from '../../../src/simulator/index.js';
import { tempDir } from '../security/pki/tools.js';

/**
 * The simulated Spine endpoint in process: the gateway's signed forward-reliable notification is
 * parsed once, its signature checked on that parse (the result must be what verifyEnvelope gives
 * on its own), and the two signals go back with the MessageIds their bodies carry.
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
const silent = { warn() {}, info() {}, error() {} } as unknown as Logger;

describe('the simulated Spine endpoint', () => {
  const temp = tempDir('sim-receiver');
  let tls: TlsContext;
  let gateway: SigningIdentity;
  let stranger: SigningIdentity;

  beforeAll(async () => {
    const { paths } = await initDevPki({ dir: join(temp.dir, 'pki') });
    const { paths: other } = await initDevPki({ dir: join(temp.dir, 'other') });
    tls = new TlsContext({ cert: paths.simulatorCert, key: paths.simulatorKey, ca: paths.caCert });
    const ours = new TlsContext({ cert: paths.gatewayCert, key: paths.gatewayKey, ca: paths.caCert });
    const theirs = new TlsContext({ cert: other.gatewayCert, key: other.gatewayKey, ca: other.caCert });
    gateway = { privateKey: ours.current.privateKey, certificate: ours.current.certificate };
    stranger = { privateKey: theirs.current.privateKey, certificate: theirs.current.certificate };
  });
  afterAll(() => temp.remove());

  function start() {
    const posted: HttpMessage[] = [];
    const received: ReceivedMessage[] = [];
    const faults = new FaultInjector(0, parties.partyKey);
    const context = (): BuildContext => ({
      parties,
      routes,
      now: new Date(),
      newId: () => randomUUID().toUpperCase(),
    });
    const link = {
      post: async (message: HttpMessage) => {
        posted.push(message);
        return { status: 202, body: Buffer.alloc(0) };
      },
    };
    const receive = spineReceiver({
      tls,
      faults,
      context,
      logger: silent,
      received,
      signals: { link: link as never, faults, context, sent: new Map() },
    });
    return { receive, received, posted };
  }

  it('records a valid signature, sends both signals and reports their MessageIds', async () => {
    const { receive, received, posted } = start();
    for (let i = 0; i < 3; i++) {
      const message = notification(gateway);
      expect(receive(message.contentType, message.soapAction, message.body).status).toBe(202);
    }
    await until(() => received.every((r) => r.signalsSent.length === 2));
    expect(received.map((r) => r.signature)).toEqual(Array(3).fill({ present: true, valid: true }));
    for (const record of received) {
      const [ack, appAck] = record.signalsSent.map((sent) => signalWithId(posted, sent.messageId));
      expect(ack!.kind).toBe('acknowledgment');
      expect(ack!.header.refToMessageId).toBe(record.messageId);
      expect(appAck!.header.refToMessageId).toBe(record.messageId);
      expect(appAck!.header.conversationId).toBe(record.conversationId);
      const hl7 = parseApplicationAcknowledgement(appAck!.payload!.content);
      expect(hl7).toMatchObject({ typeCode: 'AA', messageRef: parseWrapper(record.hl7!).messageId });
      expect(record.check).toEqual({ ok: true, problems: [] });
    }
  });

  it('refuses a bad signature with the reason verifyEnvelope gives, before and after a good one', () => {
    const { receive, received } = start();
    const bad = () => {
      const message = notification(gateway);
      const text = message.body.toString('latin1').replace(/<eb:CPAId>/, '<eb:CPAId>X');
      return { ...message, body: Buffer.from(text, 'latin1') };
    };
    const messages = [bad(), notification(gateway), bad(), notification(stranger), notification(stranger)];
    for (const message of messages) receive(message.contentType, message.soapAction, message.body);
    const expected = messages.map(verifiedAlone);
    expect(received.map((r) => r.signature)).toEqual(expected);
    expect(expected.map((e) => e.valid)).toEqual([false, true, false, false, false]);
    expect(expected[0]!.reason).toBe('digest mismatch for URI=""');
    expect(expected[3]!.reason).toMatch(/is not trusted/);
  });

  it('records an unsigned message as unsigned', () => {
    const { receive, received } = start();
    const message = notification(undefined);
    receive(message.contentType, message.soapAction, message.body);
    expect(received[0]!.signature).toEqual({ present: false });
  });

  /** What verifyEnvelope says of the message with the simulator's anchors, parsing it itself. */
  function verifiedAlone(message: HttpMessage) {
    const parsed = parseMessage(message.contentType, message.body, message.soapAction);
    const result = verifyEnvelope(parsed.envelopeXml, {
      trusted: tls.current.caCertificates,
      manifestHrefs: parsed.manifest.map((r) => r.href).filter((href) => href.startsWith('cid:')),
      parts: new Map(parsed.parts.map((p) => [p.contentId, p.content])),
      at: parseTimestamp(parsed.header.timestamp),
    });
    if (!result.present) return { present: false };
    return result.valid
      ? { present: true, valid: true }
      : { present: true, valid: false, reason: result.reason };
  }
});

/** A PRSC_IN100000UK06 slot cancellation as the gateway sends it, signed by `identity` when given. */
function notification(identity: SigningIdentity | undefined): HttpMessage {
  const route = routes.resolve('PRSC_IN100000UK06');
  const messageId = randomUUID().toUpperCase();
  const now = new Date();
  const hl7 = wrapPayload(
    {
      interactionId: 'PRSC_IN100000UK06',
      messageId,
      creationTime: now,
      toAsid: parties.asid,
      fromAsid: parties.gatewayAsid,
    },
    buildSlotCancellationPayload({ listId: randomUUID().toUpperCase(), usrns: [randomUUID().toUpperCase()] }),
  );
  const header = {
    from: { id: parties.gatewayPartyKey, type: PARTY_TYPE },
    to: { id: route.toPartyKey, type: PARTY_TYPE },
    cpaId: route.cpaId,
    conversationId: randomUUID().toUpperCase(),
    service: route.service,
    action: route.action,
    messageId,
    timestamp: formatTimestamp(now),
  };
  const built = buildMessage({
    header,
    reliability: reliabilityFlags(route),
    payloadXml: hl7,
    attachments: [],
    externalAttachments: [],
  });
  const envelopeXml = identity ? signEnvelope(built.envelopeXml, built.parts, identity) : built.envelopeXml;
  return toHttpMessage({ envelopeXml, parts: built.parts }, header);
}

/** The posted signal whose eb:MessageId is `messageId`, parsed. */
function signalWithId(posted: HttpMessage[], messageId: string) {
  const all = posted.map((message) => parseMessage(message.contentType, message.body));
  const found = all.filter((parsed) => parsed.header.messageId === messageId);
  expect(found).toHaveLength(1);
  return found[0];
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done()).toBe(true);
}
