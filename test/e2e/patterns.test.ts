import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSlotPollPayload } from '../../src/cab/index.js';
import {
  buildAcknowledgment,
  buildMessage,
  buildMshRequest,
  type MessageHeader,
  PARTY_TYPE,
  parseMessage,
  parseStatusResponse,
  toHttpMessage,
} from '../../src/ebxml/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { Broker, QUEUES } from '../../src/queue/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import { loadTls } from '../../src/security/tls/index.js';
import { signEnvelope, signedReferences, verifyEnvelope } from '../../src/security/xmldsig/index.js';
import { ersMessage, slotPollMessage } from '../../src/simulator/index.js';
import {
  getJson,
  type Harness,
  postJson,
  putFaults,
  quietLogger,
  sendInbound,
  simulatorMessages,
  startHarness,
  waitForStatus,
} from './harness.js';

/** Issue 3: every messaging pattern against the simulator, Spine's faults, and inbound validation. */
describe('messaging patterns, faults and inbound validation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      routes: (routes) => {
        routes.defaults.sign = true;
        // Short retry intervals so retries happen within the test; same counts as the SDS data.
        // Resends stop at first attempt + interval × (retries + 1): with 2 retries the third attempt
        // has one interval of slack for two rounds of send, classify and requeue. 0.3 s was not
        // enough on a loaded machine (attempt 3 came ~0.88 s after the first, the deadline 0.9 s).
        routes.routes.REPC_IN150016UK05!.reliability = { retryInterval: 'PT1S' };
      },
    });
  });
  afterAll(() => h?.close());
  beforeEach(() =>
    putFaults(h, {
      applicationAck: 'AA',
      dropAcks: false,
      delayMs: 0,
      soapFault: { codes: [], times: 0 },
      messageError: { errorCode: 'ValueNotRecognized', description: '', times: 0 },
    }),
  );

  const hl7For = (interactionId: string, messageId: string) =>
    wrapPayload(
      { interactionId, messageId, creationTime: new Date(), toAsid: '928942012545', fromAsid: h.config.asid },
      undefined,
    );

  async function post(
    interactionId: string,
    headers: Record<string, string> = {},
    body: Record<string, unknown> = {},
  ) {
    const messageId = randomUUID().toUpperCase();
    const response = await postJson(
      `${h.api}/`,
      { payload: hl7For(interactionId, messageId), ...body },
      {
        'Interaction-Id': interactionId,
        'wait-for-response': 'false',
        'Message-Id': messageId,
        ...headers,
      },
    );
    return { messageId, response };
  }

  const statuses = (message: Record<string, unknown>) =>
    (message.history as { status: string }[]).map((e) => e.status);

  describe('sync (SOAP + WS-Addressing)', () => {
    it('answers POST / with the HL7 reply found under the Body, whatever wraps it', async () => {
      const messageId = randomUUID().toUpperCase();
      const response = await fetch(`${h.api}/`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Interaction-Id': 'QUPA_IN040000UK32',
          'wait-for-response': 'false',
          'Message-Id': messageId,
          'from-asid': '918999198738',
        },
        body: JSON.stringify({ payload: hl7For('QUPA_IN040000UK32', messageId) }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
      const text = await response.text();
      expect(text).toMatch(/^<\?xml/);
      expect(text).toContain('<QUPA_IN050000UK32');
      expect(text).not.toContain('retrievalQueryResponse');
      const seen = (await simulatorMessages(h)).find((m) => m.messageId === messageId);
      expect(seen).toMatchObject({
        action: 'urn:nhs:names:services:pdsquery/QUPA_IN040000UK32',
        from: '918999198738',
        to: '928942012545',
      });
      expect(statuses((await getJson(`${h.api}/messages/${messageId}`)).body)).toEqual([
        'ACCEPTED',
        'SENDING',
        'COMPLETED',
      ]);
    });

    it('requires from-asid and refuses attachments instead of dropping them', async () => {
      const noAsid = await post('QUPA_IN040000UK32');
      expect(noAsid.response.status).toBe(400);
      expect(noAsid.response.body.detail).toContain('from-asid');
      const withAttachment = await post(
        'QUPA_IN040000UK32',
        { 'from-asid': '918999198738' },
        {
          attachments: [
            { is_base64: false, content_type: 'text/plain', payload: 'hello', description: 'note' },
          ],
        },
      );
      expect(withAttachment.response.status).toBe(400);
      expect(withAttachment.response.body.detail).toContain('cannot carry attachments');
    });
  });

  it('async-reliable: SyncReply honoured, the Acknowledgment comes back in the HTTP response', async () => {
    const { messageId, response } = await post('REPC_IN150016UK05');
    expect(response.status).toBe(202);
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    expect(statuses(done)).toEqual(['ACCEPTED', 'SENDING', 'ACKED', 'COMPLETED']);
    const seen = (await simulatorMessages(h)).find((m) => m.messageId === messageId);
    expect(seen).toMatchObject({
      syncReply: true,
      duplicateElimination: true,
      ackRequested: { actor: 'urn:oasis:names:tc:ebxml-msg:actor:toPartyMSH' },
      answeredWith: 'HTTP 200 Acknowledgment',
      signature: { present: true, valid: true },
    });
  });

  it('async-express: no AckRequested, no DuplicateElimination, SyncReply; completed by the reply', async () => {
    const { messageId, response } = await post('QUPC_IN160101UK05');
    expect(response.status).toBe(202);
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    expect(statuses(done)).toEqual(['ACCEPTED', 'SENDING', 'SENT', 'COMPLETED']);
    const seen = (await simulatorMessages(h)).find((m) => m.messageId === messageId);
    expect(seen).toMatchObject({ syncReply: true, duplicateElimination: false, answeredWith: 'HTTP 202' });
    expect(seen).not.toHaveProperty('ackRequested');
  });

  it('retries a retriable SOAP fault (206) with the same MessageId and bytes, then succeeds', async () => {
    await putFaults(h, { soapFault: { codes: ['206'], times: 2 } });
    const { messageId } = await post('REPC_IN150016UK05');
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    expect(statuses(done)).toEqual([
      'ACCEPTED',
      'SENDING',
      'RETRYING',
      'SENDING',
      'RETRYING',
      'SENDING',
      'ACKED',
      'COMPLETED',
    ]);
    expect(done.attempts).toBe(3);
    const copies = (await simulatorMessages(h)).filter((m) => m.messageId === messageId);
    expect(copies.map((m) => m.answeredWith)).toEqual([
      'HTTP 500 SOAP fault 206',
      'HTTP 500 SOAP fault 206',
      'HTTP 200 Acknowledgment',
    ]);
    expect(new Set(copies.map((m) => m.hl7)).size).toBe(1);
  });

  it("reports a non-retriable SOAP fault to the PAS as a problem body carrying Spine's codes", async () => {
    await putFaults(h, { soapFault: { codes: ['300'], times: 1 } });
    const messageId = randomUUID().toUpperCase();
    const response = await postJson(
      `${h.api}/`,
      { payload: hl7For('REPC_IN150016UK05', messageId) },
      {
        'Interaction-Id': 'REPC_IN150016UK05',
        'wait-for-response': 'true',
        'Message-Id': messageId,
      },
    );
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      title: 'Error(s) received from Spine. Contact system administrator.',
      errors: [
        {
          errorType: 'soap_fault',
          codeContext: 'urn:nhs:names:error:tms',
          errorCode: '300',
          severity: 'Error',
        },
      ],
    });
    expect((await getJson(`${h.api}/messages/${messageId}`)).body.status).toBe('NACKED');
    const error = await h.pas.waitFor(
      (d) => d.headers.kind === 'error' && d.headers.refToMessageId === messageId,
      'the NACK',
    );
    expect(error.json.data).toMatchObject({ status: 'NACKED', errors: [{ errorCode: '300' }] });
  });

  it.each([
    ['HTTP 200, naming the MessageId', {}],
    ['HTTP 500, naming the ConversationId', { status: 500, refersTo: 'conversationId' }],
  ])('takes a MessageError from Spine as final (NACKED), without retrying (%s)', async (_label, variant) => {
    await putFaults(h, {
      messageError: {
        errorCode: 'ValueNotRecognized',
        description: '501319:Unknown eb:CPAId',
        times: 1,
        ...variant,
      },
    });
    const { messageId } = await post('REPC_IN150016UK05');
    const nacked = await waitForStatus(h.api, messageId, 'NACKED');
    expect(nacked.attempts).toBe(1);
    expect(nacked.error).toEqual([
      expect.objectContaining({
        errorType: 'ebxml_error',
        errorCode: 'ValueNotRecognized',
        description: '501319:Unknown eb:CPAId',
      }),
    ]);
  });

  it("fails after the route's retries and parks the message on mhs.dead-letter", async () => {
    await putFaults(h, { soapFault: { codes: ['200'], times: 3 } });
    const { messageId } = await post('REPC_IN150016UK05');
    const failed = await waitForStatus(h.api, messageId, 'FAILED');
    expect(failed.attempts).toBe(3);
    const broker = new Broker(h.config.amqp.url, {
      instanceId: `dlq-check-${randomUUID()}`,
      logger: quietLogger,
    });
    await broker.start();
    try {
      expect((await broker.queueDepth(QUEUES.deadLetter)).messages).toBeGreaterThanOrEqual(1);
    } finally {
      await broker.close();
    }
    const error = await h.pas.waitFor(
      (d) => d.headers.kind === 'error' && d.headers.refToMessageId === messageId,
      'the delivery failure',
    );
    // Spine's own last fault, not an error of ours: the PAS learns what Spine said (issue 14).
    expect(error.json.data).toMatchObject({
      status: 'FAILED',
      errors: [{ errorType: 'soap_fault', errorCode: '200', codeContext: 'urn:nhs:names:error:tms' }],
    });
  });

  describe('inbound validation answers with the right MessageError', () => {
    const routes = () => loadRouteTable(h.config.interactionsFile, h.config.routesFile);
    const context = () => ({
      parties: {
        partyKey: h.config.simulator.partyKey,
        asid: h.config.simulator.asid,
        gatewayPartyKey: h.config.partyKey,
        gatewayAsid: h.config.asid,
      },
      routes: routes(),
      now: new Date(),
      newId: () => randomUUID().toUpperCase(),
    });
    const poll = () => ({
      requestId: randomUUID().toUpperCase(),
      clinicId: 'C1',
      period: { start: '2026-12-01T00:00:00.000Z', end: '2026-12-08T00:00:00.000Z' },
    });
    const ids = () => ({ messageId: randomUUID().toUpperCase(), conversationId: randomUUID().toUpperCase() });

    function header(overrides: Partial<MessageHeader>): MessageHeader {
      return {
        from: { id: h.config.simulator.partyKey, type: PARTY_TYPE },
        to: { id: h.config.partyKey, type: PARTY_TYPE },
        cpaId: 'S918999714114',
        conversationId: randomUUID().toUpperCase(),
        service: 'urn:nhs:names:services:ebs',
        action: 'PRSC_IN080000UK07',
        messageId: randomUUID().toUpperCase(),
        timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        ...overrides,
      };
    }
    const send = (headerValues: MessageHeader, soapAction?: string) => {
      const built = buildMessage({
        header: headerValues,
        reliability: { duplicateElimination: true, syncReply: false },
        payloadXml: hl7For('PRSC_IN080000UK07', headerValues.messageId),
        attachments: [],
        externalAttachments: [],
      });
      const message = toHttpMessage(built, headerValues);
      return sendInbound(h, soapAction === undefined ? message : { ...message, soapAction });
    };
    const errorsOf = (response: { status: number; contentType?: string; body: Buffer }) => {
      expect(response.status).toBe(200);
      const parsed = parseMessage(response.contentType, response.body);
      expect(parsed.kind).toBe('error');
      return parsed.errors ?? [];
    };

    it('unknown CPAId: 501319', async () => {
      expect(errorsOf(await send(header({ cpaId: 'S000000000000' })))[0]).toMatchObject({
        errorCode: 'ValueNotRecognized',
        description: '501319:Unknown eb:CPAId',
      });
    });

    it('Service/Action not matching SOAPAction: Inconsistent', async () => {
      const [error] = errorsOf(await send(header({}), 'urn:nhs:names:services:ebs/PRSC_IN090000UK09'));
      expect(error).toMatchObject({ errorCode: 'Inconsistent', severity: 'Error' });
      expect(error?.description).toContain('does not match urn:nhs:names:services:ebs/PRSC_IN080000UK07');
    });

    it('unknown action: ValueNotRecognized', async () => {
      expect(errorsOf(await send(header({ action: 'PRSC_IN999999UK99' }), ''))[0]).toMatchObject({
        errorCode: 'ValueNotRecognized',
      });
    });

    it('Ping is answered with Pong on the same connection (conformance X1)', async () => {
      const ping = buildMshRequest(header({}));
      const answer = await sendInbound(h, ping);
      expect(answer.status).toBe(200);
      const pong = parseMessage(answer.contentType, answer.body);
      expect(pong.header).toMatchObject({
        service: 'urn:oasis:names:tc:ebxml-msg:service',
        action: 'Pong',
        to: { id: h.config.simulator.partyKey },
      });
      expect(pong.header.refToMessageId).toBe(/<eb:MessageId>([^<]+)</.exec(ping.body.toString())![1]);
    });

    it("StatusRequest is answered with the named message's status: Processed, or NotRecognized", async () => {
      const message = slotPollMessage(context(), poll(), ids());
      const delivered = /<eb:MessageId>([^<]+)</.exec(message.body.toString('utf8'))![1]!;
      expect((await sendInbound(h, message)).status).toBe(200);
      for (const [asked, expected] of [
        [delivered, 'Processed'],
        [randomUUID().toUpperCase(), 'NotRecognized'],
      ] as const) {
        const answer = await sendInbound(h, buildMshRequest(header({}), asked));
        const response = parseStatusResponse(answer.body.toString('utf8'));
        expect(response).toMatchObject({ refToMessageId: asked, messageStatus: expected });
        expect(parseMessage(answer.contentType, answer.body).header.action).toBe('StatusResponse');
      }
    });

    it('another MSH-service action (an unsolicited Pong): NotSupported', async () => {
      const values = header({ service: 'urn:oasis:names:tc:ebxml-msg:service', action: 'Pong' });
      const built = buildMessage({
        header: values,
        reliability: { duplicateElimination: false, syncReply: false },
        payloadXml: hl7For('PRSC_IN080000UK07', values.messageId),
        attachments: [],
        externalAttachments: [],
      });
      expect(errorsOf(await sendInbound(h, toHttpMessage(built, values)))[0]).toMatchObject({
        errorCode: 'NotSupported',
        severity: 'Error',
      });
    });

    it('an envelope the ebMS schema refuses: OtherXml naming the element', async () => {
      const values = header({});
      const built = buildMessage({
        header: values,
        reliability: { duplicateElimination: true, syncReply: false },
        payloadXml: hl7For('PRSC_IN080000UK07', values.messageId),
        attachments: [],
        externalAttachments: [],
      });
      // eb:Description without the xml:lang the schema requires, inside the MessageHeader.
      const broken = built.envelopeXml.replace(
        '</eb:MessageHeader>',
        '<eb:Description>no language</eb:Description></eb:MessageHeader>',
      );
      const [error] = errorsOf(
        await sendInbound(h, toHttpMessage({ ...built, envelopeXml: broken }, values)),
      );
      expect(error).toMatchObject({ errorCode: 'OtherXml', severity: 'Error' });
      expect(error?.description).toMatch(/eb:Description/);
    });

    it('expired TimeToLive: TimeToLiveExpired', async () => {
      expect(errorsOf(await send(header({ timeToLive: '2020-01-01T00:00:00Z' })))[0]).toMatchObject({
        errorCode: 'TimeToLiveExpired',
      });
    });

    it('an Acknowledgment for a message we never sent: ValueNotRecognized', async () => {
      // As Spine would send it: an ack of a message "from" us (so addressed to us) that we never sent.
      const ack = buildAcknowledgment(
        header({ from: { id: h.config.partyKey, type: PARTY_TYPE } }),
        undefined,
        {
          ourParty: { id: h.config.simulator.partyKey, type: PARTY_TYPE },
          messageId: randomUUID().toUpperCase(),
          timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      );
      expect(errorsOf(await sendInbound(h, ack))[0]).toMatchObject({ errorCode: 'ValueNotRecognized' });
    });

    it('a manifest reference without its part: MimeProblem', async () => {
      const message = slotPollMessage(context(), poll(), ids());
      const text = message.body.toString('latin1');
      const boundary = /boundary="([^"]+)"/.exec(message.contentType)![1]!;
      const withoutPayload =
        text.slice(0, text.indexOf(`--${boundary}`, text.indexOf(`--${boundary}`) + 1)) +
        `--${boundary}--\r\n`;
      expect(
        errorsOf(await sendInbound(h, { ...message, body: Buffer.from(withoutPayload, 'latin1') }))[0],
      ).toMatchObject({ errorCode: 'MimeProblem' });
    });

    it('a signature that does not verify: SecurityFailure', async () => {
      const identity = loadTls(h.config.simulator.tls);
      const signed = ersMessage(
        { ...context(), identity: { privateKey: identity.privateKey, certificate: identity.certificate } },
        'PRSC_IN080000UK07',
        hl7For('PRSC_IN080000UK07', 'X'),
        ids(),
      );
      const tampered = Buffer.from(
        signed.body
          .toString('utf8')
          .replace('<eb:CPAId>S918999714114</eb:CPAId>', '<eb:CPAId>S918999714114 </eb:CPAId>'),
      );
      const [error] = errorsOf(await sendInbound(h, { ...signed, body: tampered }));
      expect(error).toMatchObject({ errorCode: 'SecurityFailure' });
    });

    it('a signed acknowledgment when AckRequested says eb:signed="true" (NRR: the message\'s references inside)', async () => {
      const simulatorTls = loadTls(h.config.simulator.tls);
      const values = header({ cpaId: 'S918999714114' });
      const built = buildMessage({
        header: values,
        reliability: {
          duplicateElimination: true,
          syncReply: false,
          ackRequested: { actor: 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH', signed: true },
        },
        payloadXml: wrapPayload(
          {
            interactionId: 'PRSC_IN080000UK07',
            messageId: values.messageId,
            creationTime: new Date(),
            toAsid: h.config.asid,
            fromAsid: '918999199246',
          },
          buildSlotPollPayload(poll()),
        ),
        attachments: [],
        externalAttachments: [],
      });
      const envelopeXml = signEnvelope(built.envelopeXml, built.parts, {
        privateKey: simulatorTls.privateKey,
        certificate: simulatorTls.certificate,
      });
      const answer = await sendInbound(h, toHttpMessage({ envelopeXml, parts: built.parts }, values));
      expect(answer.status).toBe(200);
      const ack = answer.body.toString('utf8');
      const verified = verifyEnvelope(ack, {
        trusted: simulatorTls.caCertificates,
        manifestHrefs: [],
        parts: new Map(),
      });
      expect(verified).toMatchObject({ present: true, valid: true });
      const copied = signedReferences(envelopeXml);
      expect(copied).toHaveLength(2);
      const acknowledgment = ack.slice(
        ack.indexOf('<eb:Acknowledgment'),
        ack.indexOf('</eb:Acknowledgment>'),
      );
      for (const reference of copied) {
        const digest = /<ds:DigestValue>([^<]+)</.exec(reference)![1]!;
        expect(acknowledgment).toContain(digest);
      }
    });

    it('a duplicate gets the original acknowledgment, byte for byte, and is not delivered twice', async () => {
      const message = slotPollMessage(context(), poll(), ids());
      const messageId = /<eb:MessageId>([^<]+)</.exec(message.body.toString('utf8'))![1]!;
      const first = await sendInbound(h, message);
      const second = await sendInbound(h, message);
      expect(first.status).toBe(200);
      expect(parseMessage(first.contentType, first.body).kind).toBe('acknowledgment');
      expect(second.body.equals(first.body)).toBe(true);
      await h.pas.waitFor((d) => d.messageId === messageId, 'the first copy');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(h.pas.received.filter((d) => d.messageId === messageId)).toHaveLength(1);
    });
  });
});
