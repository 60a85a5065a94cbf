import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlotResponsePayload } from '../../src/cab/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { devPkiPaths } from '../../src/security/pki/index.js';
import { getJson, type Harness, postJson, startHarness, waitForStatus } from './harness.js';

/** The walking skeleton: a slot poll answered end to end (issue 2). */
describe('slot poll answered end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('is ready once RabbitMQ, the store and the certificates are', async () => {
    const ready = await getJson(`${h.api}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      ready: true,
      checks: { rabbitmq: { ok: true }, store: { ok: true }, certificates: { ok: true } },
    });
  });

  it('delivers the poll to the PAS, sends the answer (unsigned, as the shipped routes say), and completes on the application ack', async () => {
    // 1. e-RS (the simulator) polls for slots over mTLS.
    const poll = (await postJson(`${h.control}/control/slot-polls`, { clinicId: 'CLINIC-ORTHO-7' })).body as {
      messageId: string;
      conversationId: string;
      requestId: string;
      gatewayResponse: { status: number; kind: string; refToMessageId: string };
    };
    // 2. ...acknowledged only after it was queued for the PAS.
    expect(poll.gatewayResponse).toMatchObject({
      status: 200,
      kind: 'acknowledgment',
      refToMessageId: poll.messageId,
    });
    const request = await h.pas.waitFor((d) => d.messageId === poll.messageId, 'the slot poll');
    expect(request).toMatchObject({
      correlationId: poll.conversationId,
      type: 'PRSC_IN080000UK07',
      contentType: 'application/json',
    });
    expect(request.headers).toMatchObject({ kind: 'request' });
    expect(request.json).toMatchObject({
      interactionId: 'PRSC_IN080000UK07',
      messageId: poll.messageId,
      conversationId: poll.conversationId,
      data: {
        requestId: poll.requestId,
        clinicId: 'CLINIC-ORTHO-7',
        period: { start: expect.any(String), end: expect.any(String) },
      },
    });
    expect(request.json.hl7).toContain('PRSC_IN080000UK07');
    expect((await getJson(`${h.api}/messages/${poll.messageId}`)).body).toMatchObject({
      direction: 'inbound',
      status: 'DELIVERED',
    });

    // 3. The PAS answers in JSON.
    const usrn = randomUUID();
    const answer = await postJson(`${h.api}/cab/slot-responses`, {
      inResponseTo: poll.messageId,
      slots: [
        { usrn, start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:15:00Z', priority: 'urgent' },
        { usrn: randomUUID(), start: '2026-12-01T09:15:00Z', end: '2026-12-01T09:30:00Z' },
      ],
    });
    expect(answer.status).toBe(202);
    const messageId = answer.body.messageId as string;
    expect(answer.body).toMatchObject({ status: 'ACCEPTED', correlationId: poll.conversationId });

    // 4-6. Sent over mTLS, acknowledged, then completed by e-RS's AA.
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    const states = (done.history as { status: string }[]).map((e) => e.status);
    expect(states).toEqual(['ACCEPTED', 'SENDING', 'SENT', 'ACKED', 'COMPLETED']);
    expect(done).toMatchObject({
      interactionId: 'PRSC_IN090000UK09',
      conversationId: poll.conversationId,
      reply: { acknowledgement: 'AA', outcome: 'accepted' },
    });

    // The simulator received a forward-reliable envelope, unsigned: the shipped routes do not sign,
    // as Spine does not (a route signs only with "sign": true; cab-flows tests that path).
    const seen = (
      (await getJson(`${h.control}/control/messages`)).body.messages as Record<string, unknown>[]
    ).find((m) => m.messageId === messageId);
    expect(seen).toMatchObject({
      action: 'PRSC_IN090000UK09',
      conversationId: poll.conversationId,
      refToMessageId: poll.messageId,
      from: h.config.partyKey,
      duplicateElimination: true,
      ackRequested: { actor: 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH' },
      signature: { present: false },
    });
    expect(seen?.hl7).toContain(usrn);
    expect(seen?.hl7).toContain(poll.requestId);

    // The PAS hears the application acknowledgement, matched to its answer.
    const reply = await h.pas.waitFor(
      (d) => d.headers.kind === 'application-ack' && d.headers.refToMessageId === messageId,
      'the application ack',
    );
    expect(reply.type).toBe('MCCI_IN010000UK13');
    expect(reply.json).toMatchObject({
      refToMessageId: messageId,
      conversationId: poll.conversationId,
      data: { acknowledgement: 'AA' },
    });
  });

  it('takes the same path for the MHS-compatible POST /', async () => {
    // A PAS that writes its own HL7 answers a real poll: e-RS matches it by the poll's request id.
    const poll = (await postJson(`${h.control}/control/slot-polls`, { clinicId: 'C1' })).body as {
      messageId: string;
      conversationId: string;
      requestId: string;
    };
    const messageId = randomUUID().toUpperCase();
    const hl7 = wrapPayload(
      {
        interactionId: 'PRSC_IN090000UK09',
        messageId,
        creationTime: new Date(),
        toAsid: '918999199246',
        fromAsid: h.config.asid,
      },
      buildSlotResponsePayload({
        responseId: randomUUID().toUpperCase(),
        clinicId: 'C1',
        pollRequestId: poll.requestId,
        slots: [],
      }),
    );
    const posted = await postJson(
      `${h.api}/`,
      { payload: hl7 },
      {
        'Interaction-Id': 'PRSC_IN090000UK09',
        'wait-for-response': 'false',
        'Message-Id': messageId,
        'Correlation-Id': poll.conversationId,
      },
    );
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({ messageId, correlationId: poll.conversationId, status: 'ACCEPTED' });
    expect(posted.headers.get('message-id')).toBe(messageId);
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    expect((done.history as { status: string }[]).map((e) => e.status)).toContain('ACKED');
    const seen = (
      (await getJson(`${h.control}/control/messages`)).body.messages as Record<string, unknown>[]
    ).find((m) => m.messageId === messageId);
    expect(seen?.check).toEqual({ ok: true, problems: [], answers: poll.messageId });
  });

  it('refuses an inbound connection without a client certificate at TLS', async () => {
    const ca = readFileSync(devPkiPaths(`${h.dir}/pki`).caCert);
    const outcome = await new Promise<string>((resolve) => {
      const request = https.request(
        `https://localhost:${h.gateway.inboundPort}/`,
        { method: 'POST', ca },
        (response) => resolve(`HTTP ${response.statusCode}`),
      );
      request.on('error', (error) =>
        resolve(`error ${(error as NodeJS.ErrnoException).code ?? error.message}`),
      );
      request.end('<x/>');
    });
    expect(outcome).toMatch(/^error /);
    expect(outcome).not.toMatch(/HTTP/);
  });

  it('answers a message for another party with an ebXML MessageError, not a 500', async () => {
    const sent = await postJson(`${h.control}/control/slot-polls`, { toPartyKey: 'ZZZ-000001' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const poll = sent.body as {
      messageId: string;
      gatewayResponse: {
        status: number;
        kind: string;
        errors: { errorCode: string; description: string; severity: string }[];
      };
    };
    expect(poll.gatewayResponse.status).toBe(200);
    expect(poll.gatewayResponse.kind).toBe('error');
    expect(poll.gatewayResponse.errors[0]).toMatchObject({
      errorCode: 'ValueNotRecognized',
      severity: 'Error',
      description: '501314:Invalid To Party Type attribute',
    });
    expect((await getJson(`${h.api}/messages/${poll.messageId}`)).status).toBe(404);
  });

  it('answers a slot response with a missing field with a 400 problem naming the field', async () => {
    const response = await fetch(`${h.api}/cab/slot-responses`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        inResponseTo: 'X',
        slots: [{ start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:15:00Z' }],
      }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { detail: string; errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field)).toContain('slots[0].usrn');
    expect(problem.detail).toContain('slots[0].usrn');
  });
});
