// The rules of the receive pipeline, with the one fake broker and a real SQLite store: what is
// stored, what is published where, and what the sender is answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMshRequest,
  formatTimestamp,
  type HttpMessage,
  MSH_SERVICE,
  PARTY_TYPE,
  parseMessage,
} from '../../../src/ebxml/index.js';
import type { InboundAnswer } from '../../../src/inbound/index.js';
import { type PasMessage, parseSignal, QUEUES } from '../../../src/queue/index.js';
import { initDevPki } from '../../../src/security/pki/index.js';
import { loadTls } from '../../../src/security/tls/index.js';
import { signEnvelope, verifyEnvelope } from '../../../src/security/xmldsig/index.js';
import type { SqliteMessageStore } from '../../../src/store/index.js';
import {
  acknowledgmentOf,
  applicationAck,
  messageErrorAbout,
  newId,
  OUR_PARTY,
  pipelineFor,
  SPINE_PARTY,
  sentHeader,
  slotPoll,
  storeSent,
  type TestStore,
  temporaryStore,
} from './setup.js';

const send = (pipeline: ReturnType<typeof pipelineFor>['pipeline'], http: HttpMessage, parties = ['*']) =>
  pipeline.receive(http.contentType, http.soapAction, http.body, { parties });

/** The ebXML message an answer carries. */
const read = (answer: InboundAnswer) => parseMessage(answer.contentType, answer.body);
const idOf = (http: HttpMessage) => parseMessage(http.contentType, http.body).header.messageId;

describe('the inbound pipeline', () => {
  let temp: TestStore;
  let store: SqliteMessageStore;

  beforeAll(() => {
    temp = temporaryStore();
    store = temp.store;
  });
  afterAll(() => temp.remove());

  describe('business messages', () => {
    it('stores, publishes to mhs.inbound for the PAS, and only then acknowledges', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const poll = slotPoll();
      const answer = await send(pipeline, poll);
      expect(answer.status).toBe(200);
      const ack = read(answer);
      expect(ack.kind).toBe('acknowledgment');
      expect(ack.acknowledgment?.refToMessageId).toBe(idOf(poll));
      const [pas] = broker.json(QUEUES.inbound) as PasMessage[];
      expect(pas).toMatchObject({
        kind: 'request',
        interactionId: 'PRSC_IN080000UK07',
        messageId: idOf(poll),
      });
      expect(broker.published[0]?.properties).toMatchObject({
        messageId: idOf(poll),
        type: 'PRSC_IN080000UK07',
      });
      expect(broker.json(QUEUES.signals)).toEqual([]);
      const stored = await store.get(idOf(poll));
      expect(stored?.status).toBe('DELIVERED');
      expect(stored?.ack?.body.equals(answer.body)).toBe(true);
    });

    it('publishes a duplicate once and answers every copy with the original acknowledgment', async () => {
      let duplicates = 0;
      const { pipeline, broker } = pipelineFor(store, { onDuplicate: () => (duplicates += 1) });
      const poll = slotPoll();
      const first = await send(pipeline, poll);
      const second = await send(pipeline, poll);
      const third = await send(pipeline, poll);
      expect(second.status).toBe(200);
      expect(second.body.equals(first.body)).toBe(true);
      expect(third.body.equals(first.body)).toBe(true);
      expect(broker.published).toHaveLength(1);
      expect(duplicates).toBe(2);
    });

    it('parks unreadable HL7 for the PAS and still acknowledges', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const poll = slotPoll();
      const text = poll.body
        .toString('utf8')
        .replace(/<interactionId [^>]*\/>/, '<interactionId root="x" extension="PRSC_IN040000UK08"/>');
      const answer = await send(pipeline, { ...poll, body: Buffer.from(text) });
      expect(read(answer).kind).toBe('acknowledgment');
      const [pas] = broker.json(QUEUES.inbound) as PasMessage[];
      expect(pas?.kind).toBe('error');
      expect(pas?.data).toMatchObject({ status: 'UNREADABLE_HL7', from: SPINE_PARTY });
    });

    it('delivers a reply to a message we sent and tells correlation the request is answered', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const requestId = newId();
      await storeSent(store, requestId);
      const reply = slotPoll({ refToMessageId: requestId });
      expect((await send(pipeline, reply)).status).toBe(200);
      const [pas] = broker.json(QUEUES.inbound) as PasMessage[];
      expect(pas).toMatchObject({ kind: 'reply', refToMessageId: requestId });
      expect(pas?.unmatched).toBeUndefined();
      const signals = broker.published.filter((p) => p.queue === QUEUES.signals);
      expect(signals).toHaveLength(1);
      expect(parseSignal(signals[0]!.body)).toMatchObject({
        kind: 'reply',
        signalId: idOf(reply),
        refToMessageId: requestId,
        interactionId: 'PRSC_IN080000UK07',
      });
      expect(signals[0]!.properties).toMatchObject({ type: 'PRSC_IN080000UK07', headers: { kind: 'reply' } });
    });

    it('delivers a reply to a message we never sent marked unmatched, with no signal', async () => {
      const { pipeline, broker } = pipelineFor(store);
      await send(pipeline, slotPoll({ refToMessageId: newId() }));
      expect(broker.json(QUEUES.inbound)).toMatchObject([{ kind: 'reply', unmatched: true }]);
      expect(broker.json(QUEUES.signals)).toEqual([]);
    });

    it('delivers a reply to a message sent to a party its client may not speak for unmatched, with no signal', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const requestId = newId();
      await storeSent(store, requestId, 'X26-9199246');
      // The client may send for Spine (the reply's From), not for e-RS, to whom the request went.
      expect((await send(pipeline, slotPoll({ refToMessageId: requestId }), [SPINE_PARTY])).status).toBe(200);
      expect(broker.json(QUEUES.inbound)).toMatchObject([
        { kind: 'reply', refToMessageId: requestId, unmatched: true },
      ]);
      expect(broker.json(QUEUES.signals)).toEqual([]);
    });

    it('tells correlation which parties the client of an application acknowledgement may speak for', async () => {
      const { pipeline, broker } = pipelineFor(store);
      await send(pipeline, applicationAck(newId()), [SPINE_PARTY]);
      const [signal] = broker.published.filter((p) => p.queue === QUEUES.signals);
      expect(parseSignal(signal!.body).senderParties).toEqual([SPINE_PARTY]);
    });

    it('sends an application acknowledgement to correlation, not to the PAS, and acknowledges it', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const messageRef = newId();
      const answer = await send(pipeline, applicationAck(messageRef));
      expect(read(answer).kind).toBe('acknowledgment');
      expect(broker.json(QUEUES.inbound)).toEqual([]);
      const [signal] = broker.published.filter((p) => p.queue === QUEUES.signals);
      expect(signal?.properties.type).toBe('MCCI_IN010000UK13');
      expect(parseSignal(signal!.body)).toMatchObject({
        kind: 'application-ack',
        applicationAck: { typeCode: 'AA', messageRef },
      });
    });
  });

  describe('header checks', () => {
    it.each([
      ['another To party', { to: { id: 'RTX-000000', type: PARTY_TYPE } }, 'ValueNotRecognized', '501314'],
      ['an unknown CPAId', { cpaId: 'S000000000000' }, 'ValueNotRecognized', '501319'],
      [
        'a passed TimeToLive',
        { timeToLive: formatTimestamp(new Date(Date.now() - 60_000)) },
        'TimeToLiveExpired',
        undefined,
      ],
    ])(
      'answers %s with a MessageError and stores and publishes nothing',
      async (_name, header, code, spineCode) => {
        const { pipeline, broker } = pipelineFor(store);
        const poll = slotPoll(header);
        const answer = await send(pipeline, poll);
        expect(answer.status).toBe(200);
        const error = read(answer);
        expect(error.kind).toBe('error');
        expect(error.header.refToMessageId).toBe(idOf(poll));
        expect(error.errors?.[0]).toMatchObject({ errorCode: code, ...(spineCode ? { spineCode } : {}) });
        expect(await store.get(idOf(poll))).toBeUndefined();
        expect(broker.published).toEqual([]);
      },
    );

    it('answers a sender that may not speak for the From party with SecurityFailure', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const answer = await send(pipeline, slotPoll(), ['X26-0000000']);
      expect(read(answer).errors?.[0]?.errorCode).toBe('SecurityFailure');
      expect(broker.published).toEqual([]);
    });

    it('answers an unsigned message with SecurityFailure where a signature is required', async () => {
      const { pipeline } = pipelineFor(store, { requireSignature: true });
      const error = read(await send(pipeline, slotPoll()));
      expect(error.errors?.[0]).toMatchObject({
        errorCode: 'SecurityFailure',
        description: 'a signature is required and none is present',
      });
    });
  });

  describe('schema and signature on the one parsed envelope', () => {
    let dir: string;
    let tls: ReturnType<typeof loadTls>;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'mhs-pipeline-'));
      const pki = await initDevPki({ dir });
      tls = loadTls({ cert: pki.paths.simulatorCert, key: pki.paths.simulatorKey, ca: pki.paths.caCert });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const checking = () =>
      pipelineFor(store, {
        validateSchema: true,
        requireSignature: true,
        trusted: () => tls.caCertificates,
      });

    it('validates the document, then verifies its signature: a signed, valid message is acknowledged', async () => {
      const { pipeline, broker } = checking();
      const poll = slotPoll({}, { privateKey: tls.privateKey, certificate: tls.certificate });
      const answer = await send(pipeline, poll);
      expect(answer.status).toBe(200);
      expect(read(answer).kind).toBe('acknowledgment');
      expect(broker.published.map((p) => p.queue)).toEqual([QUEUES.inbound]);
    });

    it('signs the Acknowledgment a signed message asks for with the signer it is given (the signing pool)', async () => {
      const identity = { privateKey: tls.privateKey, certificate: tls.certificate };
      const signed: string[] = [];
      const { pipeline } = pipelineFor(store, {
        requireSignature: true,
        trusted: () => tls.caCertificates,
        signingIdentity: () => identity,
        sign: async (envelopeXml, parts, signer, options) => {
          signed.push(envelopeXml);
          return signEnvelope(envelopeXml, parts, signer, options);
        },
      });
      const poll = slotPoll({}, identity, true);
      const answer = await send(pipeline, poll);
      expect(answer.status).toBe(200);
      expect(signed).toHaveLength(1);
      const ack = answer.body.toString('utf8');
      expect(ack).toContain('<ds:Signature');
      // NRR: the Acknowledgment carries the references of the message it acknowledges.
      expect(signed[0]).toMatch(/<eb:Acknowledgment[\s\S]*<ds:Reference /);
      const verified = verifyEnvelope(ack, {
        trusted: tls.caCertificates,
        manifestHrefs: [],
        parts: new Map(),
      });
      expect(verified).toMatchObject({ present: true, valid: true });
    });

    it('answers an envelope that breaks ebMS 2.0 with OtherXml naming the schema, before the signature', async () => {
      const { pipeline, broker } = checking();
      const poll = slotPoll();
      const text = poll.body.toString('utf8');
      const broken = text.replace('<eb:DuplicateElimination/>', '<eb:DuplicateElimination/><eb:Unknown/>');
      expect(broken).not.toBe(text);
      const error = read(await send(pipeline, { ...poll, body: Buffer.from(broken) }));
      expect(error.errors?.[0]).toMatchObject({ errorCode: 'OtherXml' });
      expect(error.errors?.[0]?.description).toMatch(/not valid against the ebMS 2\.0 schema/);
      expect(broker.published).toEqual([]);
    });
  });

  describe('signals', () => {
    it('passes an Acknowledgment of a message we sent to correlation and answers 202', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const sentId = newId();
      await storeSent(store, sentId);
      const ack = acknowledgmentOf(sentHeader(sentId));
      const answer = await send(pipeline, ack);
      expect(answer).toMatchObject({ status: 202 });
      expect(answer.body.byteLength).toBe(0);
      const [signal] = broker.published;
      expect(signal?.queue).toBe(QUEUES.signals);
      expect(signal?.properties).toMatchObject({ messageId: idOf(ack), type: 'Acknowledgment' });
      expect(parseSignal(signal!.body)).toMatchObject({ kind: 'acknowledgment', refToMessageId: sentId });
    });

    it('passes a MessageError with its errors', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const sentId = newId();
      await storeSent(store, sentId);
      const errors = [{ errorCode: 'DeliveryFailure', severity: 'Error' as const, description: 'gone' }];
      expect((await send(pipeline, messageErrorAbout(sentHeader(sentId), errors))).status).toBe(202);
      const signal = parseSignal(broker.published[0]!.body);
      expect(signal).toMatchObject({ kind: 'message-error', refToMessageId: sentId });
      expect(signal.errors?.[0]).toMatchObject({ errorCode: 'DeliveryFailure', description: 'gone' });
    });

    it('matches a MessageError naming our ConversationId, as Spine may send it, to the one message waiting in it', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const sentId = newId();
      await storeSent(store, sentId);
      const errors = [
        { errorCode: 'ValueNotRecognized', severity: 'Error' as const, description: 'Unknown eb:CPAId' },
      ];
      // RefToMessageId = ConversationId = C-<MessageId> (sentHeader's conversation).
      const byConversation = messageErrorAbout({ ...sentHeader(sentId), messageId: `C-${sentId}` }, errors);
      expect((await send(pipeline, byConversation)).status).toBe(202);
      expect(parseSignal(broker.published[0]!.body)).toMatchObject({
        kind: 'message-error',
        refToMessageId: sentId,
        conversationId: `C-${sentId}`,
      });
    });

    it('matches no message when the conversation a MessageError names has several waiting, or it is an Acknowledgment', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const first = newId();
      await storeSent(store, first);
      const second = newId();
      await store.insert({
        messageId: second,
        direction: 'outbound',
        interactionId: 'REPC_IN150016UK05',
        conversationId: `C-${first}`,
        status: 'ACCEPTED',
      });
      await store.transition(second, 'SENDING', { from: ['ACCEPTED'] });
      const namingConversation = { ...sentHeader(first), messageId: `C-${first}` };
      const error = messageErrorAbout(namingConversation, [
        { errorCode: 'DeliveryFailure', severity: 'Error', description: 'gone' },
      ]);
      expect((await send(pipeline, error)).status).toBe(202);
      const ack = await send(
        pipeline,
        acknowledgmentOf({ ...sentHeader(newId()), messageId: `C-${first}`, conversationId: `C-${first}` }),
      );
      expect(read(ack).errors?.[0]).toMatchObject({ errorCode: 'ValueNotRecognized' });
      expect(broker.published).toEqual([]);
    });

    it('ignores an Acknowledgment for a message we never sent, answering a MessageError', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const answer = await send(pipeline, acknowledgmentOf(sentHeader(newId())));
      expect(read(answer).errors?.[0]).toMatchObject({ errorCode: 'ValueNotRecognized' });
      expect(broker.published).toEqual([]);
    });

    it('ignores a MessageError for a message we never sent, answering nothing but 202 (no error loops)', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const answer = await send(
        pipeline,
        messageErrorAbout(sentHeader(newId()), [
          { errorCode: 'DeliveryFailure', severity: 'Error', description: 'gone' },
        ]),
      );
      expect(answer.status).toBe(202);
      expect(answer.body.byteLength).toBe(0);
      expect(broker.published).toEqual([]);
    });

    it('ignores a signal from a client that may not speak for the party the message was sent to', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const sentId = newId();
      await storeSent(store, sentId, 'X26-9199246');
      // May speak for Spine (the signal's From), not for e-RS, to whom the message went.
      const answer = await send(pipeline, acknowledgmentOf(sentHeader(sentId)), [SPINE_PARTY]);
      expect(read(answer).errors?.[0]?.errorCode).toBe('SecurityFailure');
      expect(broker.published).toEqual([]);
    });
  });

  describe('MSH requests and faults', () => {
    const mshHeader = (action: string) => ({
      ...sentHeader(newId()),
      from: { id: SPINE_PARTY, type: PARTY_TYPE },
      to: { id: OUR_PARTY, type: PARTY_TYPE },
      service: MSH_SERVICE,
      action,
    });

    it('answers Ping with Pong', async () => {
      const { pipeline, broker } = pipelineFor(store);
      const pong = read(await send(pipeline, buildMshRequest(mshHeader('Ping'))));
      expect(pong.header.action).toBe('Pong');
      expect(broker.published).toEqual([]);
    });

    it('answers a StatusRequest from what the store knows', async () => {
      const { pipeline } = pipelineFor(store);
      const poll = slotPoll();
      await send(pipeline, poll);
      const answer = await send(pipeline, buildMshRequest(mshHeader('StatusRequest'), idOf(poll)));
      expect(answer.body.toString('utf8')).toMatch(/messageStatus="Processed"/);
      const unknown = await send(pipeline, buildMshRequest(mshHeader('StatusRequest'), newId()));
      expect(unknown.body.toString('utf8')).toMatch(/messageStatus="NotRecognized"/);
    });

    it('answers a body that is not ebXML with a SOAP Client fault', async () => {
      const { pipeline } = pipelineFor(store);
      const answer = await pipeline.receive('text/xml', undefined, Buffer.from('<hello/>'));
      expect(answer.status).toBe(400);
      expect(answer.body.toString('utf8')).toContain('SOAP:Client');
    });
  });
});
