import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapPayload } from '../../src/hl7/index.js';
import { OutboundSubmission } from '../../src/outbound/index.js';
import { Broker } from '../../src/queue/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import { applicationAckMessage } from '../../src/simulator/messages.js';
import { type MessageStore, openStore } from '../../src/store/index.js';
import { FakeSpine, SPINE_RESPONSES } from '../support/fake-spine.js';
import { freePort } from '../support/ports.js';
import {
  getJson,
  type Harness,
  postJson,
  quietLogger,
  sendInbound,
  startHarness,
  waitForStatus,
} from './harness.js';

const RELIABLE = 'REPC_IN150016UK05'; // async-reliable: resent on 200/206/208
const EXPRESS = 'QUPC_IN160101UK05'; // async-express: one attempt, then waits for its answer
const SYNC = 'QUPA_IN040000UK32';

/** The corpus of Spine's answers and what each must mean (also read by test/unit/outbound/spine-responses.test.ts). */
const { cases } = JSON.parse(readFileSync(join(SPINE_RESPONSES, 'cases.json'), 'utf8')) as {
  cases: { name: string; file: string; status: number; workflow: string; expect: Record<string, string> }[];
};
/** The end state each kind of answer leaves a message in. */
const END_STATE: Record<string, string> = { rejected: 'NACKED', retry: 'FAILED', replied: 'COMPLETED' };

/**
 * Issue 14: a fake Spine answering with recorded-style bodies (test/fixtures/spine/responses), as
 * the MHS adaptor's fake Spine does, through the real gateway, RabbitMQ, store and mutual TLS.
 * Each case asserts what a client of `POST /` sees and the end state the PAS is told on mhs.inbound.
 */
describe("Spine's answers, as an MHS adaptor client and the PAS see them", () => {
  let h: Harness;
  let spine: FakeSpine;
  beforeAll(async () => {
    const port = await freePort();
    const endpoint = `https://localhost:${port}/reliablemessaging/reliablerequest`;
    h = await startHarness({
      env: { MHS_OUTBOUND_SWEEP_INTERVAL_MS: '1000' },
      routes: (routes) => {
        Object.assign(routes.routes[RELIABLE]!, {
          endpoint,
          reliability: { retryInterval: 'PT1S', retries: 2, persistDuration: 'PT30S' },
        });
        Object.assign(routes.routes[EXPRESS]!, {
          endpoint,
          // Waits at most two seconds for its answer: long enough to be sent, short enough to test.
          replyTimeout: 'PT2S',
          reliability: { retryInterval: 'PT1S', persistDuration: 'PT1S' },
        });
        Object.assign(routes.routes[SYNC]!, { endpoint });
      },
    });
    spine = await FakeSpine.start(h.config.simulator.tls, port);
  });
  afterAll(async () => {
    await spine?.close();
    await h?.close();
  });

  const hl7 = (interactionId: string, hl7MessageId: string) =>
    wrapPayload(
      {
        interactionId,
        messageId: hl7MessageId,
        creationTime: new Date(),
        toAsid: '928942012545',
        fromAsid: h.config.asid,
      },
      undefined,
    );
  /** `POST /` as an MHS adaptor client sends it; the body is JSON for errors, the HL7 reply otherwise. */
  const post = async (interactionId: string, messageId: string, wait: boolean, payload: string) => {
    const response = await fetch(`${h.api}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Interaction-Id': interactionId,
        'Message-Id': messageId,
        'wait-for-response': String(wait),
        'from-asid': h.config.asid,
      },
      body: JSON.stringify({ payload }),
    });
    const text = await response.text();
    const json = /json/.test(response.headers.get('content-type') ?? '');
    return {
      status: response.status,
      text,
      body: (json ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  };
  const told = (messageId: string, kind: string) =>
    h.pas.waitFor(
      (d) => d.headers.refToMessageId === messageId && d.headers.kind === kind,
      `${kind} for ${messageId}`,
    );
  const newId = () => randomUUID().toUpperCase();
  /** What the simulator builds e-RS's messages with: Spine's application acks come unsigned. */
  const buildContext = () => ({
    parties: {
      partyKey: h.config.simulator.partyKey,
      asid: h.config.simulator.asid,
      gatewayPartyKey: h.config.partyKey,
      gatewayAsid: h.config.asid,
    },
    routes: loadRouteTable(h.config.interactionsFile, h.config.routesFile),
    now: new Date(),
    newId,
  });

  it.each(cases)(
    'corpus: $name, as the client and the PAS see it',
    async ({ file, status, workflow, expect: want }) => {
      const interactionId = workflow === 'sync' ? SYNC : workflow === 'async-express' ? EXPRESS : RELIABLE;
      const messageId = newId();
      spine.script(messageId, [{ status, file }]);
      const answer = await post(interactionId, messageId, true, hl7(interactionId, messageId));
      const { kind, interactionId: replyRoot, ...fields } = want;
      expect((await getJson(`${h.api}/messages/${messageId}`)).body.status).toBe(END_STATE[kind!]);
      if (kind === 'replied') {
        expect(answer.status).toBe(200);
        expect(answer.text).toMatch(new RegExp(`^<\\?xml[^>]*\\?>\\s*<${replyRoot}[ >]`));
        return;
      }
      expect(replyRoot).toBeUndefined();
      expect(answer.status).toBe(500);
      expect((answer.body.errors as unknown[])[0]).toMatchObject(fields);
      const error = await told(messageId, 'error');
      expect(error.json.data).toMatchObject({ status: END_STATE[kind!], errors: [fields] });
    },
  );

  it('retries SOAP faults 206, then succeeds; the application ack names the HL7 id, not the Message-Id', async () => {
    const messageId = newId();
    const hl7Id = newId(); // the PAS chose its own HL7 id: Spine's ack will name this one
    spine.script(messageId, [
      { status: 500, file: 'soap-fault-206.xml' },
      { status: 500, file: 'soap-fault-206.xml' },
      { status: 202 },
    ]);
    const answer = await post(RELIABLE, messageId, false, hl7(RELIABLE, hl7Id));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ messageId, status: 'ACCEPTED' });
    const sent = await waitForStatus(h.api, messageId, 'SENT');
    expect(sent.attempts).toBe(3);
    expect(spine.requestsFor(messageId)).toHaveLength(3);

    const conversationId = String(sent.conversationId);
    const ack = applicationAckMessage(
      buildContext(),
      { messageId, hl7MessageId: hl7Id, conversationId },
      'AA',
    );
    expect((await sendInbound(h, ack)).status).toBe(200);
    await waitForStatus(h.api, messageId, 'COMPLETED');
    const reply = await told(messageId, 'application-ack');
    expect(reply.json.data).toMatchObject({ acknowledgement: 'AA', outcome: 'accepted' });
  });

  it('takes a MessageError sent with HTTP 500 as a final rejection: 500 with its errors, no retry', async () => {
    const messageId = newId();
    spine.script(messageId, [{ status: 500, file: 'message-error-unknown-cpaid.xml' }]);
    const response = await fetch(`${h.api}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Interaction-Id': RELIABLE,
        'Message-Id': messageId,
        'wait-for-response': 'true',
      },
      body: JSON.stringify({ payload: hl7(RELIABLE, messageId) }),
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as Record<string, unknown>;
    // The MHS adaptor's fields, as its component tests read them, beside our problem fields.
    expect(body).toMatchObject({
      error_message: 'Error(s) received from Spine. Contact system administrator.',
      process_key: 'EBXML_ERROR_HANDLER0005',
      status: 500,
      title: 'Error(s) received from Spine. Contact system administrator.',
    });
    expect((body.errors as unknown[])[0]).toEqual({
      errorType: 'ebxml_error',
      codeContext: 'urn:oasis:names:tc:ebxml-msg:service:errors',
      errorCode: 'ValueNotRecognized',
      severity: 'Error',
      description: '501319:Unknown eb:CPAId',
    });
    const nacked = await waitForStatus(h.api, messageId, 'NACKED');
    expect(nacked.attempts).toBe(1);
    expect(spine.requestsFor(messageId)).toHaveLength(1);
    const error = await told(messageId, 'error');
    expect(error.json.data).toMatchObject({
      status: 'NACKED',
      errors: [{ errorCode: 'ValueNotRecognized' }],
    });
  });

  it("gives the PAS Spine's fault codes when retriable faults run out, not a generic DeliveryFailure", async () => {
    const messageId = newId();
    spine.script(messageId, [{ status: 500, file: 'soap-fault-208.xml' }]);
    const answer = await post(RELIABLE, messageId, true, hl7(RELIABLE, messageId));
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ process_key: 'SOAP_ERROR_HANDLER0002' });
    const spineFault = {
      errorType: 'soap_fault',
      codeContext: 'urn:nhs:names:error:tms',
      errorCode: '208',
      severity: 'Error',
      location: 'Not Supported',
      description: 'Failure storing variable in memo',
    };
    expect(answer.body.errors).toEqual([spineFault]);
    const failed = await waitForStatus(h.api, messageId, 'FAILED');
    expect(failed.error).toEqual([spineFault]);
    expect(spine.requestsFor(messageId).length).toBeGreaterThan(1);
    const error = await told(messageId, 'error');
    expect(error.json.data).toMatchObject({ status: 'FAILED', errors: [spineFault] });
    const letters = (await getJson(`${h.api}/dead-letters`)).body.deadLetters as { messageId: string }[];
    expect(letters.map((l) => l.messageId)).toContain(messageId);
  });

  it('answers a sync SOAP fault with 500 and its errors, and a sync reply with the HL7 inside the wrapper', async () => {
    const faulted = newId();
    spine.script(faulted, [{ status: 500, file: 'sync-soap-fault-201.xml' }]);
    const fault = await post(SYNC, faulted, false, hl7(SYNC, faulted));
    expect(fault.status).toBe(500);
    expect(fault.body).toMatchObject({
      process_key: 'SOAP_ERROR_HANDLER0002',
      errors: [
        {
          errorType: 'soap_fault',
          codeContext: 'urn:nhs:names:error:tms',
          errorCode: '201',
          severity: 'Error',
          description: 'The message is not well formed',
        },
      ],
    });
    expect((await getJson(`${h.api}/messages/${faulted}`)).body.status).toBe('NACKED');

    // A retriable fault on a sync interaction (no retries in its profile): Spine's code, not ours.
    const busy = newId();
    spine.script(busy, [{ status: 500, file: 'soap-fault-200.xml' }]);
    const gaveUp = await post(SYNC, busy, false, hl7(SYNC, busy));
    expect(gaveUp.status).toBe(500);
    expect(gaveUp.body.errors).toMatchObject([
      {
        errorType: 'soap_fault',
        errorCode: '200',
        description: 'System failure to process message - default',
      },
    ]);
    expect((await getJson(`${h.api}/messages/${busy}`)).body.status).toBe('FAILED');

    const answered = newId();
    spine.script(answered, [{ status: 200, file: 'sync-reply-pds.xml' }]);
    const response = await fetch(`${h.api}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Interaction-Id': SYNC,
        'Message-Id': answered,
        'wait-for-response': 'false',
        'from-asid': h.config.asid,
      },
      body: JSON.stringify({ payload: hl7(SYNC, answered) }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^<\?xml[^>]*\?>\s*<QUPA_IN050000UK32[\s>]/);
    expect(text).toContain(`<messageRef><id root="${answered}"/></messageRef>`);
  });

  it('ends NACKED a sent message whose later MessageError names its ConversationId, not its MessageId', async () => {
    const messageId = newId();
    spine.script(messageId, [{ status: 202 }]);
    expect((await post(RELIABLE, messageId, false, hl7(RELIABLE, messageId))).status).toBe(202);
    const conversationId = String((await waitForStatus(h.api, messageId, 'SENT')).conversationId);
    // The corpus's MessageError, sent later on its own connection to our inbound endpoint, with
    // this conversation in both eb:ConversationId and eb:RefToMessageId and the parties of this run.
    const fixture = readFileSync(join(SPINE_RESPONSES, 'message-error-unknown-cpaid.xml'), 'utf8');
    const body = fixture
      .replaceAll('5F0C2E61-8B47-4D13-9A2E-61B7C4D0E9A3', conversationId)
      .replace('0E6D9B32-41C7-4F58-B0A2-7C19E3D5F846', newId())
      .replace('YES-0000806', h.config.simulator.partyKey)
      .replace('RTX-821088', h.config.partyKey);
    const answer = await sendInbound(h, {
      contentType: 'text/xml; charset=UTF-8',
      soapAction: '"urn:oasis:names:tc:ebxml-msg:service/MessageError"',
      body: Buffer.from(body),
    });
    expect(answer.status).toBe(202);
    const nacked = await waitForStatus(h.api, messageId, 'NACKED');
    expect(nacked.error).toMatchObject([
      { errorCode: 'ValueNotRecognized', description: '501319:Unknown eb:CPAId' },
    ]);
    const error = await told(messageId, 'error');
    expect(error.json.data).toMatchObject({ status: 'NACKED' });
  });

  it('ends a message whose HL7 Spine cannot read NACKED, with the PAS told', async () => {
    // POST / refuses such a payload now; the path is driven below that check, as a stored message.
    const store: MessageStore = await openStore(h.config.store);
    const broker = new Broker(h.config.amqp.url, {
      instanceId: `unreadable-${randomUUID()}`,
      logger: quietLogger,
    });
    await broker.start();
    const messageId = newId();
    try {
      const submission = new OutboundSubmission({
        partyKey: h.config.partyKey,
        asid: h.config.asid,
        routes: loadRouteTable(h.config.interactionsFile, h.config.routesFile),
        store,
        broker,
        signingIdentity: () => undefined,
        signatureAlgorithm: 'rsa-sha256',
      });
      // The README's own placeholder, once posted as is.
      const payloadXml = `<${RELIABLE} xmlns="urn:hl7-org:v3">…</${RELIABLE}>`;
      await submission.submit({ interactionId: RELIABLE, payloadXml, messageId });
    } finally {
      await broker.close();
      await store.close();
    }
    const nacked = await waitForStatus(h.api, messageId, 'NACKED');
    expect(nacked.error).toMatchObject([{ errorType: 'ebxml_error', errorCode: 'OtherXml' }]);
    const error = await told(messageId, 'error');
    expect(error.json.data).toMatchObject({
      status: 'NACKED',
      errors: [{ errorCode: 'OtherXml', description: 'HL7 payload is not well-formed XML' }],
    });
  });

  it('ends a sent message whose answer never comes UNANSWERED: the PAS told, a dead letter to discard', async () => {
    const messageId = newId();
    const answer = await post(EXPRESS, messageId, false, hl7(EXPRESS, messageId));
    expect(answer.status).toBe(202);
    await waitForStatus(h.api, messageId, 'SENT');
    const error = await told(messageId, 'error');
    expect(error.json.data).toMatchObject({
      status: 'UNANSWERED',
      errors: [{ errorType: 'ebxml_error', errorCode: 'DeliveryFailure', severity: 'Warning' }],
    });
    expect((await getJson(`${h.api}/messages/${messageId}`)).body.status).toBe('UNANSWERED');
    const letters = (await getJson(`${h.api}/dead-letters`)).body.deadLetters as Record<string, unknown>[];
    expect(letters.find((l) => l.messageId === messageId)).toMatchObject({ status: 'UNANSWERED' });
    // Spine's answer, too late: the PAS still hears it, marked late; the message stays a dead letter.
    const late = applicationAckMessage(
      buildContext(),
      { messageId, hl7MessageId: messageId, conversationId: String(error.json.conversationId) },
      'AA',
    );
    expect((await sendInbound(h, late)).status).toBe(200);
    const ack = await told(messageId, 'application-ack');
    expect(ack.json.data).toMatchObject({ acknowledgement: 'AA', late: true });
    expect((await getJson(`${h.api}/messages/${messageId}`)).body.status).toBe('UNANSWERED');
    const discard = await postJson(`${h.api}/dead-letters/${messageId}/discard`, {
      reason: 'PAS re-sent it',
    });
    expect(discard.status).toBe(200);
    expect((await getJson(`${h.api}/messages/${messageId}`)).body).toMatchObject({
      status: 'UNANSWERED',
      resolution: 'discarded',
    });
  });
});
