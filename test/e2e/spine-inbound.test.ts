// Issue 14, "accept what Spine sends": our own fixtures, written from what NHS Digital's MHS adaptor
// captures and fake Spine show (docs/conformance.md, "Real Spine"), posted as Spine would through the
// real inbound mTLS server. Each case asserts what the PAS then sees: the answer Spine gets, what
// arrives on mhs.inbound, and the stored state of the message and of the request it answers.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/ebxml/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { freePort } from '../support/ports.js';
import {
  eventually,
  getJson,
  type Harness,
  type PasDelivery,
  postJson,
  sendInbound,
  startHarness,
} from './harness.js';

const DIR = new URL('../fixtures/spine/inbound/', import.meta.url);
const SPINE_CT =
  'multipart/related; boundary="--=_MIME-Boundary"; charset="UTF-8"; type="text/xml"; start="<ebXMLHeader@spine.nhs.uk>"';
const GP2GP_CT = 'multipart/related; boundary="--=_MIME-Boundary"; type="text/xml"; start="<ContentRoot>"';

/** Outbound requests the acks and replies answer go to a Spine that says 202 and nothing else. */
const ANSWERED = [
  'PRSC_IN100000UK06',
  'REPC_IN150016UK05',
  'PRPA_IN000203UK03',
  'COPC_IN000001UK01',
  'QUPC_IN160101UK05',
];

interface Case {
  file: string;
  /** What the case shows. */
  shows: string;
  contentType?: string;
  soapAction: string;
  messageId: string;
  /** POST / this interaction first; the fixture's {{ref}} and {{conversation}} become its ids. */
  answers?: string;
  /** What Spine gets back on the same connection. */
  answer: { kind: 'acknowledgment' } | { kind: 'error'; errorCode: string; location?: string };
  /** What the PAS reads from mhs.inbound (messageId = the inbound MessageId), `{{ref}}` substituted. */
  pas?: Record<string, unknown>;
  /** Attachment bytes the PAS must get, decoded, as base64. */
  attachments?: { contentId: string; contentType: string; base64: string }[];
  /** The inbound message's stored state, and the words its last history entry holds. */
  stored?: { status: string; detail: string };
  /** The stored state of the request it answers. */
  requestStatus?: string;
}

const png = readFileSync(new URL('payload-not-first-ebXML-uppercase.mime', DIR))
  .toString('latin1')
  .match(/Content-Type: image\/png\r\nContent-Transfer-Encoding: base64\r\n\r\n([\s\S]*?)\r\n----/)![1]!
  .replace(/\r\n/g, '');

const CASES: Case[] = [
  {
    file: 'ack-ebs.mime',
    shows: 'an application acknowledgement under ebs completes the e-RS message it answers',
    soapAction: 'urn:nhs:names:services:ebs/MCCI_IN010000UK13',
    messageId: '5C0E8A41-7D2B-4F6A-9E31-0B8D4C2A7F10',
    answers: 'PRSC_IN100000UK06',
    answer: { kind: 'acknowledgment' },
    pas: {
      kind: 'application-ack',
      interactionId: 'MCCI_IN010000UK13',
      refToMessageId: '{{ref}}',
      data: { acknowledgement: 'AA', outcome: 'accepted' },
    },
    stored: { status: 'DELIVERED', detail: 'queued on mhs.signals' },
    requestStatus: 'COMPLETED',
  },
  {
    file: 'ack-psis.mime',
    shows: 'an application acknowledgement under psis (SCR upload) is accepted, not refused for its service',
    soapAction: 'urn:nhs:names:services:psis/MCCI_IN010000UK13',
    messageId: '8E2F6B13-4A9C-4D07-B5E8-1C3A9F6D2E40',
    answers: 'REPC_IN150016UK05',
    answer: { kind: 'acknowledgment' },
    pas: {
      kind: 'application-ack',
      interactionId: 'MCCI_IN010000UK13',
      refToMessageId: '{{ref}}',
      data: { acknowledgement: 'AA' },
    },
    stored: { status: 'DELIVERED', detail: 'queued on mhs.signals' },
    requestStatus: 'COMPLETED',
  },
  {
    file: 'ack-pds.mime',
    shows: 'an AE under pds, answering a request routed only by the routes file, rejects that request',
    soapAction: 'urn:nhs:names:services:pds/MCCI_IN010000UK13',
    messageId: '3B7D1E95-6C2A-4E8F-A041-9D5B7C3E1F62',
    answers: 'PRPA_IN000203UK03',
    answer: { kind: 'acknowledgment' },
    pas: {
      kind: 'application-ack',
      refToMessageId: '{{ref}}',
      data: { acknowledgement: 'AE', outcome: 'business-error', details: [{ typeCode: 'ER', code: '5000' }] },
    },
    stored: { status: 'DELIVERED', detail: 'queued on mhs.signals' },
    requestStatus: 'REJECTED',
  },
  {
    file: 'ack-gp2gp.mime',
    shows: 'an application acknowledgement under gp2gp completes a GP2GP common-content message',
    soapAction: 'urn:nhs:names:services:gp2gp/MCCI_IN010000UK13',
    messageId: 'D4A19C27-0E5B-4B3D-8F62-7A1E5C9B3D84',
    answers: 'COPC_IN000001UK01',
    answer: { kind: 'acknowledgment' },
    pas: { kind: 'application-ack', refToMessageId: '{{ref}}', data: { acknowledgement: 'AA' } },
    stored: { status: 'DELIVERED', detail: 'queued on mhs.signals' },
    requestStatus: 'COMPLETED',
  },
  {
    file: 'ack-unknown-service.mime',
    shows: 'a service no catalogued interaction belongs to is still an ebXML fault',
    soapAction: 'urn:nhs:names:services:nosuchservice/MCCI_IN010000UK13',
    messageId: '6F3A2D58-1B9E-4C74-9A05-E2D8B6C4F193',
    answer: { kind: 'error', errorCode: 'ValueNotRecognized', location: 'eb:MessageHeader/eb:Service' },
  },
  {
    file: 'express-reply-psisquery.mime',
    shows: 'an express reply (no AckRequested, no DuplicateElimination) to an async-express query',
    soapAction: 'urn:nhs:names:services:psisquery/QUPC_IN160102UK05',
    messageId: 'A2C4E6F8-1B3D-4F5A-8C7E-9D0B2A4C6E81',
    answers: 'QUPC_IN160101UK05',
    answer: { kind: 'acknowledgment' },
    pas: { kind: 'reply', interactionId: 'QUPC_IN160102UK05', refToMessageId: '{{ref}}', data: {} },
    stored: { status: 'DELIVERED', detail: 'queued on mhs.inbound' },
    requestStatus: 'COMPLETED',
  },
  {
    file: 'attachments-every-encoding.mime',
    shows:
      'attachments in base64 (line breaks and stray characters), 7bit, 8bit, binary and quoted-printable',
    soapAction: 'urn:nhs:names:services:gp2gp/COPC_IN000001UK01',
    messageId: 'F1E2D3C4-B5A6-4978-8695-A4B3C2D1E0F9',
    answer: { kind: 'acknowledgment' },
    pas: { kind: 'request', interactionId: 'COPC_IN000001UK01' },
    attachments: [
      { contentId: 'att-base64@spine.nhs.uk', contentType: 'image/png', base64: png },
      {
        contentId: 'att-7bit@spine.nhs.uk',
        contentType: 'text/plain',
        base64: Buffer.from('Plain US-ASCII text, sent 7bit.').toString('base64'),
      },
      {
        contentId: 'att-8bit@spine.nhs.uk',
        contentType: 'text/plain; charset=UTF-8',
        base64: Buffer.from('Café notes – ½ dose ✔', 'utf8').toString('base64'),
      },
      {
        contentId: 'att-binary@spine.nhs.uk',
        contentType: 'application/octet-stream',
        base64: Buffer.from([
          0x00, 0x01, 0x0d, 0x0a, 0x2d, 0x2d, 0x7f, 0x80, 0xfe, 0xff, 0x0a, 0x0d,
        ]).toString('base64'),
      },
      {
        contentId: 'att-qp@spine.nhs.uk',
        contentType: 'text/plain; charset=UTF-8',
        base64: Buffer.from('Dose: ½ tablet = 5 mg', 'utf8').toString('base64'),
      },
    ],
    stored: { status: 'DELIVERED', detail: 'queued on mhs.inbound' },
  },
  ...(
    [
      [
        'payload-not-first-ebxml-lowercase.mime',
        '7C9E1A35-4B6D-4F80-A2C4-E6F8091B3D5F',
        'the …/ebxml/… spelling',
      ],
      [
        'payload-not-first-ebXML-uppercase.mime',
        '0A1B2C3D-4E5F-4061-8728-394A5B6C7D8E',
        'the …/ebXML/… spelling',
      ],
      [
        'payload-not-first-no-manifest-marker.mime',
        '9F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A',
        'no marker: the HL7 XML part',
      ],
    ] as const
  ).map(
    ([file, messageId, how]): Case => ({
      file,
      shows: `a PNG listed before the HL7 part (GP2GP shape): the payload found by ${how}`,
      contentType: GP2GP_CT,
      soapAction: 'urn:nhs:names:services:gp2gp/RCMR_IN030000UK06',
      messageId,
      answer: { kind: 'acknowledgment' },
      pas: { kind: 'request', interactionId: 'RCMR_IN030000UK06' },
      attachments: [
        { contentId: 'Attachment1@gp.example.nhs.uk/GP2GP', contentType: 'image/png', base64: png },
      ],
      stored: { status: 'DELIVERED', detail: 'queued on mhs.inbound' },
    }),
  ),
  {
    file: 'unreadable-hl7.mime',
    shows: 'HL7 that is not well-formed: acknowledged, and parked for the PAS with the raw payload',
    soapAction: 'urn:nhs:names:services:gp2gp/COPC_IN000001UK01',
    messageId: '2468ACE0-1357-49BD-8F02-468ACE013579',
    answer: { kind: 'acknowledgment' },
    pas: { kind: 'error', interactionId: 'COPC_IN000001UK01', data: { status: 'UNREADABLE_HL7' } },
    stored: { status: 'DELIVERED', detail: 'HL7 unreadable' },
  },
  {
    file: 'unreadable-ack.mime',
    shows: 'an application acknowledgement without messageRef: acknowledged, parked, not a MessageError',
    soapAction: 'urn:nhs:names:services:psis/MCCI_IN010000UK13',
    messageId: '5A6B7C8D-9E0F-4A1B-8C2D-3E4F5A6B7C8D',
    answer: { kind: 'acknowledgment' },
    pas: {
      kind: 'error',
      interactionId: 'MCCI_IN010000UK13',
      data: {
        status: 'UNREADABLE_HL7',
        detail: 'HL7 payload: MCCI_IN010000UK13/acknowledgement/messageRef/id/@root is missing',
      },
    },
    stored: { status: 'DELIVERED', detail: 'HL7 unreadable' },
  },
];

describe('real Spine shapes through the inbound server', () => {
  let h: Harness;
  let quietSpine: Server;
  beforeAll(async () => {
    const quietPort = await freePort();
    h = await startHarness({
      routes: (routes) => {
        for (const id of ANSWERED)
          routes.routes[id] = {
            ...routes.routes[id],
            endpoint: `https://localhost:${quietPort}/quiet/${id}`,
          };
        // Interactions the MHS adaptor's catalogue routes and ours now does too, from the routes file.
        routes.routes.PRPA_IN000203UK03!.cpaId = 'S918999404301';
        routes.routes.COPC_IN000001UK01!.cpaId = 'S918999404302';
        routes.routes.RCMR_IN030000UK06 = { cpaId: 'S918999404303' };
      },
    });
    const tls = h.config.simulator.tls;
    quietSpine = createServer(
      {
        cert: readFileSync(tls.cert),
        key: readFileSync(tls.key),
        ca: readFileSync(tls.ca),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        request.resume().on('end', () => response.writeHead(202).end());
      },
    );
    await new Promise<void>((resolve) => quietSpine.listen(quietPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => quietSpine?.close(resolve));
  });

  /** POSTs the request a case answers, as a PAS would, and waits until it is out with Spine. */
  async function sendRequest(interactionId: string): Promise<{ ref: string; conversation: string }> {
    const ref = randomUUID().toUpperCase();
    const conversation = randomUUID().toUpperCase();
    const payload = wrapPayload(
      {
        interactionId,
        messageId: ref,
        creationTime: new Date(),
        toAsid: '928942012545',
        fromAsid: h.config.asid,
      },
      undefined,
    );
    const posted = await postJson(
      `${h.api}/`,
      { payload },
      {
        'Interaction-Id': interactionId,
        'wait-for-response': 'false',
        'Message-Id': ref,
        'Correlation-Id': conversation,
      },
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    const out = await eventually(async () => {
      const status = (await getJson(`${h.api}/messages/${ref}`)).body.status as string;
      return ['SENT', 'ACKED'].includes(status) ? status : undefined;
    });
    expect(out, `${interactionId} never reached the quiet Spine`).toBeDefined();
    return { ref, conversation };
  }

  it.each(CASES.map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    const ids = c.answers ? await sendRequest(c.answers) : { ref: '', conversation: '' };
    // GP2GP senders give a TimeToLive some hours ahead of the message's Timestamp.
    const ttl = new Date(Date.now() + 6 * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const fill = (text: string) =>
      text
        .replaceAll('{{ref}}', ids.ref)
        .replaceAll('{{conversation}}', ids.conversation)
        .replaceAll('{{ttl}}', ttl);
    const body = Buffer.from(fill(readFileSync(new URL(c.file, DIR)).toString('latin1')), 'latin1');

    const response = await sendInbound(h, {
      contentType: c.contentType ?? SPINE_CT,
      soapAction: c.soapAction,
      body,
    });
    expect(response.status).toBe(200);
    const answer = parseMessage(response.contentType, response.body);
    if (c.answer.kind === 'acknowledgment') {
      expect(answer.kind, JSON.stringify(answer.errors)).toBe('acknowledgment');
      expect(answer.acknowledgment?.refToMessageId).toBe(c.messageId);
    } else {
      expect(answer.kind).toBe('error');
      expect(answer.errors?.[0]).toMatchObject({
        errorCode: c.answer.errorCode,
        location: c.answer.location,
      });
      expect((await getJson(`${h.api}/messages/${c.messageId}`)).status).toBe(404);
    }

    if (c.pas) {
      const delivery: PasDelivery = await h.pas.waitFor((d) => d.messageId === c.messageId, c.file);
      const expected = JSON.parse(fill(JSON.stringify(c.pas))) as Record<string, unknown>;
      expect(delivery.json).toMatchObject(expected);
      expect(delivery.headers.kind).toBe(expected.kind);
      expect(delivery.json.unmatched).toBeUndefined();
      if (expected.kind === 'error') {
        // Parked with the raw payload exactly as received, for the PAS to deal with.
        const text = body.toString('utf8');
        const end = text.lastIndexOf('\r\n----=_MIME-Boundary--');
        expect(delivery.json.hl7).toBe(text.slice(text.lastIndexOf('\r\n\r\n', end) + 4, end));
      }
    }
    if (c.attachments) {
      const delivery = await h.pas.waitFor((d) => d.messageId === c.messageId, c.file);
      expect(delivery.json.attachments).toEqual(c.attachments);
      // The HL7 part is the payload, never one of the attachments.
      expect(delivery.json.hl7 as string).toContain(`extension="${delivery.json.interactionId}"`);
    }
    if (c.stored) {
      const stored = (await getJson(`${h.api}/messages/${c.messageId}`)).body;
      expect(stored).toMatchObject({ direction: 'inbound', status: c.stored.status });
      const history = stored.history as { detail: string }[];
      expect(history.at(-1)?.detail).toContain(c.stored.detail);
    }
    if (c.requestStatus) {
      const done = await eventually(async () => {
        const status = (await getJson(`${h.api}/messages/${ids.ref}`)).body.status;
        return status === c.requestStatus ? status : undefined;
      });
      expect(done, `${c.answers} did not become ${c.requestStatus}`).toBe(c.requestStatus);
    }
  });

  it('answers POST / for a catalogued interaction nothing routes as the MHS adaptor does: 500, naming what is missing', async () => {
    const messageId = randomUUID().toUpperCase();
    const payload = wrapPayload(
      {
        interactionId: 'PORX_IN020101UK31',
        messageId,
        creationTime: new Date(),
        toAsid: '1',
        fromAsid: h.config.asid,
      },
      undefined,
    );
    const posted = await postJson(
      `${h.api}/`,
      { payload },
      { 'Interaction-Id': 'PORX_IN020101UK31', 'wait-for-response': 'false', 'Message-Id': messageId },
    );
    expect(posted.status).toBe(500);
    expect(posted.body).toMatchObject({
      title: 'Error obtaining outbound URL',
      detail: 'route for PORX_IN020101UK31 has no cpaId (neither SDS nor the routes file gives one)',
    });
    expect((await getJson(`${h.api}/messages/${messageId}`)).status).toBe(404);
  });
});
