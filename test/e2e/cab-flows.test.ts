import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  parseAppointmentCancellation,
  parseCancellationResponse,
  parseDnaList,
  parseRequestedAppointment,
  parseSlotCancellation,
} from '../../src/cab/index.js';
import { parseWrapper } from '../../src/hl7/index.js';
import {
  type Harness,
  postJson,
  putFaults,
  simulatorMessages,
  startHarness,
  waitForStatus,
} from './harness.js';

/**
 * Issue 4: every Choose and Book flow end to end, through the gateway and the simulator playing
 * e-RS, over real mutual TLS and RabbitMQ. Each asserts the JSON the PAS sees and the HL7 e-RS gets.
 */
describe('Choose and Book flows', () => {
  let h: Harness;
  beforeAll(async () => {
    // Signed, so the simulator's verification of our signatures is exercised (routes sign only when asked).
    h = await startHarness({
      routes: (routes) => {
        routes.defaults.sign = true;
      },
    });
  });
  afterAll(() => h?.close());
  beforeEach(() => putFaults(h, { applicationAck: 'AA' }));

  /** e-RS sends a request; returns it as the PAS reads it from mhs.inbound. */
  async function ersRequest(path: string, body: Record<string, unknown>) {
    const sent = (await postJson(`${h.control}/control/${path}`, body)).body as {
      messageId: string;
      conversationId: string;
      gatewayResponse: { kind: string };
    };
    expect(sent.gatewayResponse.kind).toBe('acknowledgment');
    const delivery = await h.pas.waitFor((d) => d.messageId === sent.messageId, path);
    expect(delivery.headers.kind).toBe('request');
    return { sent, delivery };
  }

  /** What the simulator (e-RS) received for a message, once its application ack has gone back. */
  async function ersView(messageId: string) {
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    const seen = (await simulatorMessages(h)).find((m) => m.messageId === messageId) as {
      hl7: string;
      check: { ok: boolean; problems: string[]; answers?: string };
      conversationId: string;
      signature: { valid: boolean };
    };
    expect(seen.signature.valid).toBe(true);
    const reply = await h.pas.waitFor(
      (d) => d.headers.kind === 'application-ack' && d.headers.refToMessageId === messageId,
      `the app ack for ${messageId}`,
    );
    expect(reply.json.data).toMatchObject({
      acknowledgement: 'AA',
      outcome: 'accepted',
      summary: 'e-RS accepted the message (AA).',
    });
    return { done, seen, wrapper: parseWrapper(seen.hl7) };
  }

  describe('booking', () => {
    it('confirm: the PAS names the request; e-RS gets PRSC_IN050000UK06 in wrapper A with the UBRN and USRN it asked for', async () => {
      const { sent, delivery } = await ersRequest('booking-requests', {
        ubrn: '123456789012',
        nhsNumber: '9434765919',
        priority: 'urgent',
      });
      const usrn = (delivery.json.data as { usrn: string }).usrn;
      expect(delivery.json).toMatchObject({
        interactionId: 'PRSC_IN040000UK08',
        data: { ubrn: '123456789012', nhsNumber: '9434765919', usrn, priority: 'urgent' },
      });
      const answer = await postJson(`${h.api}/cab/appointment-confirmations`, {
        inResponseTo: sent.messageId,
      });
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({
        interactionId: 'PRSC_IN050000UK06',
        inResponseTo: sent.messageId,
        correlationId: sent.conversationId,
      });
      const { seen, wrapper } = await ersView(answer.body.messageId as string);
      expect(seen.check).toEqual({ ok: true, problems: [], answers: sent.messageId });
      expect(wrapper.acknowledgement).toMatchObject({ typeCode: 'AA', messageRef: sent.messageId });
      expect(parseRequestedAppointment(wrapper.payloadXml!)).toEqual({ usrn, ubrn: '123456789012' });
    });

    it("reject: PRSC_IN060000UK06 carrying the PAS's business reason", async () => {
      const { sent } = await ersRequest('booking-requests', {});
      const answer = await postJson(`${h.api}/cab/appointment-rejections`, {
        inResponseTo: sent.messageId,
        reasons: [{ code: 'SLOT-TAKEN', displayName: 'Slot already booked' }],
      });
      expect(answer.status).toBe(202);
      const { seen, wrapper } = await ersView(answer.body.messageId as string);
      expect(seen.check.ok).toBe(true);
      expect(wrapper.interactionId).toBe('PRSC_IN060000UK06');
      expect(wrapper.reasons).toEqual([
        expect.objectContaining({ code: 'SLOT-TAKEN', displayName: 'Slot already booked', qualifier: 'ER' }),
      ]);
    });
  });

  describe('cancellation requested by e-RS', () => {
    it('the PAS reads the request with its reason as code and word', async () => {
      const { delivery } = await ersRequest('cancellation-requests', { ubrn: '210987654321', reason: '21' });
      expect(delivery.json).toMatchObject({
        interactionId: 'PRSC_IN070000UK08',
        data: { ubrn: '210987654321', reason: { code: '21', word: 'patient-ill' }, nhsNumber: '9434765919' },
      });
    });

    it.each([
      ['cancellation-confirmations', 'PRSC_IN140000UK06'],
      ['cancellation-rejections', 'PRSC_IN150000UK06'],
    ])('%s: %s in wrapper A with the UBRN', async (path, interactionId) => {
      const { sent } = await ersRequest('cancellation-requests', { ubrn: '210987654321' });
      const answer = await postJson(`${h.api}/cab/${path}`, { inResponseTo: sent.messageId });
      expect(answer.status).toBe(202);
      const { seen, wrapper } = await ersView(answer.body.messageId as string);
      expect(seen.check.ok).toBe(true);
      expect(wrapper).toMatchObject({ interactionId, acknowledgement: { messageRef: sent.messageId } });
      expect(parseCancellationResponse(wrapper.payloadXml!)).toEqual({ ubrn: '210987654321' });
    });
  });

  describe('notifications the provider starts', () => {
    it('slot cancellation: PRSC_IN100000UK06 listing the USRNs', async () => {
      const usrns = [randomUUID(), randomUUID()];
      const answer = await postJson(`${h.api}/cab/slot-cancellations`, { usrns });
      expect(answer.status).toBe(202);
      const { wrapper } = await ersView(answer.body.messageId as string);
      expect(wrapper.toAsid).toBe('918999199246');
      expect(parseSlotCancellation(wrapper.payloadXml!).usrns.map((u) => u.toLowerCase())).toEqual(usrns);
    });

    it('appointment cancellation: PRSC_IN130000UK07 with the reason given as a word', async () => {
      const usrn = randomUUID();
      const answer = await postJson(`${h.api}/cab/appointment-cancellations`, {
        ubrn: '555566667777',
        usrn,
        nhsNumber: '9434765919',
        reason: 'clinic-cancelled',
      });
      expect(answer.status).toBe(202);
      const { wrapper } = await ersView(answer.body.messageId as string);
      expect(parseAppointmentCancellation(wrapper.payloadXml!)).toMatchObject({
        ubrn: '555566667777',
        nhsNumber: '9434765919',
        reason: { code: '01' },
      });
    });

    it('did-not-attend list: PRSC_IN110000UK08 with each appointment', async () => {
      const appointments = [
        { ubrn: '111122223333', usrn: randomUUID(), nhsNumber: '9434765919', reason: 'patient-forgot' },
        { ubrn: '444455556666', usrn: randomUUID(), nhsNumber: '9434765870', reason: '8' },
      ];
      const answer = await postJson(`${h.api}/cab/did-not-attend-lists`, { appointments });
      expect(answer.status).toBe(202);
      const { wrapper } = await ersView(answer.body.messageId as string);
      const list = parseDnaList(wrapper.payloadXml!);
      expect(list.appointments.map((a) => [a.ubrn, a.reason.code])).toEqual([
        ['111122223333', '3'],
        ['444455556666', '8'],
      ]);
    });
  });

  describe('when e-RS says no', () => {
    it.each([
      [
        'AE',
        'REJECTED',
        'business-error',
        /^e-RS could not act on the message: business error \(AE\): Slot no longer available \(code 5001\)\.$/,
      ],
      [
        'AR',
        'REJECTED',
        'rejected',
        /^e-RS rejected the message \(AR\): Message rejected by e-RS \(code 9001\)\.$/,
      ],
    ])(
      'an %s reaches the PAS as JSON saying what went wrong in words and codes',
      async (typeCode, status, outcome, summary) => {
        await putFaults(h, { applicationAck: typeCode });
        const answer = await postJson(`${h.api}/cab/slot-cancellations`, { usrns: [randomUUID()] });
        const messageId = answer.body.messageId as string;
        const done = await waitForStatus(h.api, messageId, status);
        expect(done.reply).toMatchObject({ acknowledgement: typeCode, outcome });
        const reply = await h.pas.waitFor(
          (d) => d.headers.kind === 'application-ack' && d.headers.refToMessageId === messageId,
          'the rejection',
        );
        expect(reply.json.data).toMatchObject({
          acknowledgement: typeCode,
          outcome,
          summary: expect.stringMatching(summary),
        });
        const codes =
          typeCode === 'AE'
            ? (reply.json.data as { reasons: { code: string }[] }).reasons
            : (reply.json.data as { details: { code: string }[] }).details;
        expect(codes.map((c) => c.code)).toEqual([typeCode === 'AE' ? '5001' : '9001']);
      },
    );
  });

  describe('refusals that never reach e-RS', () => {
    it('an answer naming an unknown request: 404 naming inResponseTo', async () => {
      const answer = await postJson(`${h.api}/cab/appointment-confirmations`, { inResponseTo: randomUUID() });
      expect(answer.status).toBe(404);
      expect(answer.body.errors).toEqual([{ field: 'inResponseTo', message: 'unknown request' }]);
    });

    it('an answer naming the wrong kind of request: 409', async () => {
      const { sent } = await ersRequest('cancellation-requests', {});
      const answer = await postJson(`${h.api}/cab/appointment-confirmations`, {
        inResponseTo: sent.messageId,
      });
      expect(answer.status).toBe(409);
      expect(answer.body.detail).toContain('PRSC_IN070000UK08');
    });

    it('a bad NHS number, an unknown DNA reason: 400 naming the field', async () => {
      const answer = await postJson(`${h.api}/cab/did-not-attend-lists`, {
        appointments: [
          { ubrn: '111122223333', usrn: randomUUID(), nhsNumber: '9434765918', reason: 'bored' },
        ],
      });
      expect(answer.status).toBe(400);
      const fields = (answer.body.errors as { field: string }[]).map((e) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['appointments[0].nhsNumber', 'appointments[0].reason']));
    });
  });
});
