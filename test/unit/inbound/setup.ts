// What the inbound unit tests share: the real route table, a temporary SQLite store, the one fake
// broker, and messages as Spine and e-RS send them, built with our own ebXML and HL7 builders.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../src/config/index.js';
import {
  ACTOR_NEXT_MSH,
  buildAcknowledgment,
  buildMessage,
  buildMessageError,
  type EbxmlError,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  PARTY_TYPE,
  toHttpMessage,
} from '../../../src/ebxml/index.js';
import { type InboundDependencies, InboundPipeline } from '../../../src/inbound/index.js';
import { createLogger } from '../../../src/ops/index.js';
import { loadRouteTable, type RouteTable } from '../../../src/routing/index.js';
import { type SigningIdentity, signEnvelope } from '../../../src/security/xmldsig/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';
import { applicationAckHl7, OUR_PARTY, SPINE_PARTY, slotPollHl7 } from '../../security/messages.js';
import { FakeBroker } from '../../support/fake-broker.js';

export { OUR_PARTY, SPINE_PARTY };

export const routes: RouteTable = loadRouteTable(
  join(packageRoot, 'config', 'interactions.json'),
  join(packageRoot, 'config', 'routes.json'),
);

export const silent = createLogger({ level: 'silent', redactPatientData: true });

export interface TestStore {
  store: SqliteMessageStore;
  /** Closes the store and removes its directory. */
  remove(): Promise<void>;
}

export function temporaryStore(): TestStore {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-unit-'));
  const store = new SqliteMessageStore(join(dir, 'state.db'));
  return {
    store,
    remove: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A pipeline over `store` and a fresh fake broker; no signatures required, no schema check. */
export function pipelineFor(
  store: SqliteMessageStore,
  overrides: Partial<InboundDependencies> = {},
): { pipeline: InboundPipeline; broker: FakeBroker } {
  const broker = new FakeBroker();
  const pipeline = new InboundPipeline({
    partyKey: OUR_PARTY,
    routes,
    store,
    broker,
    logger: silent,
    trusted: () => [],
    signingIdentity: () => {
      throw new Error('nothing is signed in these tests');
    },
    requireSignature: false,
    validateSchema: false,
    maxParts: 100,
    ...overrides,
  });
  return { pipeline, broker };
}

export const newId = () => randomUUID().toUpperCase();

/**
 * A business message from e-RS to us, as the routes file addresses `action`; `header` overrides
 * any header field; signed by `identity` if given.
 */
export function inboundMessage(
  action: string,
  hl7: (messageId: string, now: Date) => string,
  header: Partial<MessageHeader> = {},
  identity?: SigningIdentity,
  /** AckRequested eb:signed: the sender asks for a signed Acknowledgment (NRR). */
  signedAck = false,
): HttpMessage {
  const now = new Date();
  const route = routes.resolve(action);
  const messageId = header.messageId ?? newId();
  const full: MessageHeader = {
    from: { id: SPINE_PARTY, type: PARTY_TYPE },
    to: { id: OUR_PARTY, type: PARTY_TYPE },
    cpaId: route.cpaId,
    conversationId: newId(),
    service: route.service,
    action,
    timestamp: formatTimestamp(now),
    ...header,
    messageId,
  };
  const built = buildMessage({
    header: full,
    reliability: {
      duplicateElimination: true,
      ackRequested: { actor: ACTOR_NEXT_MSH, signed: signedAck },
      syncReply: false,
    },
    payloadXml: hl7(messageId, now),
    attachments: [],
    externalAttachments: [],
  });
  const envelopeXml = identity ? signEnvelope(built.envelopeXml, built.parts, identity) : built.envelopeXml;
  return toHttpMessage({ envelopeXml, parts: built.parts }, full);
}

/** A slot poll (PRSC_IN080000UK07) from e-RS to us. */
export function slotPoll(
  header: Partial<MessageHeader> = {},
  identity?: SigningIdentity,
  signedAck = false,
): HttpMessage {
  return inboundMessage('PRSC_IN080000UK07', slotPollHl7, header, identity, signedAck);
}

/** e-RS's application acknowledgement (AA) of the message whose HL7 id is `messageRef`. */
export function applicationAck(messageRef: string, header: Partial<MessageHeader> = {}): HttpMessage {
  return inboundMessage('MCCI_IN010000UK13', (id, now) => applicationAckHl7(id, messageRef, now), header);
}

/** A GP summary we sent to Spine: the message an Acknowledgment or MessageError answers. */
export function sentHeader(messageId: string): MessageHeader {
  const route = routes.resolve('REPC_IN150016UK05');
  return {
    from: { id: OUR_PARTY, type: PARTY_TYPE },
    to: { id: route.toPartyKey ?? SPINE_PARTY, type: PARTY_TYPE },
    cpaId: route.cpaId,
    conversationId: `C-${messageId}`,
    service: route.service,
    action: 'REPC_IN150016UK05',
    messageId,
    timestamp: formatTimestamp(new Date()),
  };
}

/** Stores a GP summary as sent (to `toPartyKey` when given, else to the party its route names). */
export async function storeSent(
  store: SqliteMessageStore,
  messageId: string,
  toPartyKey?: string,
  /** Whether a caller may wait on it (RouteSnapshot.awaited); absent, as in rows from before the flag. */
  awaited?: boolean,
): Promise<void> {
  const route = {
    ...(toPartyKey ? { toPartyKey } : {}),
    ...(awaited !== undefined ? { awaited } : {}),
  };
  await store.insert({
    messageId,
    direction: 'outbound',
    interactionId: 'REPC_IN150016UK05',
    conversationId: `C-${messageId}`,
    status: 'ACCEPTED',
    ...(Object.keys(route).length > 0 ? { route } : {}),
  });
  await store.transition(messageId, 'SENDING', { from: ['ACCEPTED'] });
  await store.transition(messageId, 'SENT', { from: ['SENDING'] });
}

const spineContext = () => ({
  ourParty: { id: SPINE_PARTY, type: PARTY_TYPE },
  messageId: newId(),
  timestamp: formatTimestamp(new Date()),
});

/** Spine's Acknowledgment of `sent`. */
export function acknowledgmentOf(sent: MessageHeader): HttpMessage {
  return buildAcknowledgment(sent, ACTOR_NEXT_MSH, spineContext());
}

/** Spine's MessageError about `sent`. */
export function messageErrorAbout(sent: MessageHeader, errors: EbxmlError[]): HttpMessage {
  return buildMessageError(sent, errors, spineContext());
}
