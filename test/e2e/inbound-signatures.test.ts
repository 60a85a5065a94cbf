import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSlotPollPayload } from '../../src/cab/index.js';
import {
  buildMessage,
  type HttpMessage,
  PARTY_TYPE,
  parseMessage,
  toHttpMessage,
} from '../../src/ebxml/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { loadTls } from '../../src/security/tls/index.js';
import { signEnvelope } from '../../src/security/xmldsig/index.js';
import { type Harness, postJson, sendInbound, startHarness } from './harness.js';

/** A slot poll signed with RSA-SHA1 / SHA-1 digests by the simulator's key. */
function sha1SignedPoll(h: Harness): HttpMessage {
  const tls = loadTls(h.config.simulator.tls);
  const messageId = randomUUID().toUpperCase();
  const header = {
    from: { id: h.config.simulator.partyKey, type: PARTY_TYPE },
    to: { id: h.config.partyKey, type: PARTY_TYPE },
    cpaId: 'S918999714114',
    conversationId: randomUUID().toUpperCase(),
    service: 'urn:nhs:names:services:ebs',
    action: 'PRSC_IN080000UK07',
    messageId,
    timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const payload = buildSlotPollPayload({
    requestId: randomUUID().toUpperCase(),
    clinicId: 'C1',
    period: { start: '2026-12-01T00:00:00.000Z', end: '2026-12-08T00:00:00.000Z' },
  });
  const built = buildMessage({
    header,
    reliability: {
      duplicateElimination: true,
      syncReply: false,
      ackRequested: { actor: 'urn:oasis:names:tc:ebxml-msg:actor:nextMSH', signed: false },
    },
    payloadXml: wrapPayload(
      {
        interactionId: 'PRSC_IN080000UK07',
        messageId,
        creationTime: new Date(),
        toAsid: h.config.asid,
        fromAsid: h.config.simulator.asid,
      },
      payload,
    ),
    attachments: [],
    externalAttachments: [],
  });
  const envelopeXml = signEnvelope(
    built.envelopeXml,
    built.parts,
    { privateKey: tls.privateKey, certificate: tls.certificate },
    { algorithm: 'rsa-sha1' },
  );
  return toHttpMessage({ envelopeXml, parts: built.parts }, header);
}

const kindOf = async (response: Promise<{ status: number; contentType?: string; body: Buffer }>) => {
  const answer = await response;
  return parseMessage(answer.contentType, answer.body);
};

describe('inbound signature policy per route', () => {
  describe('PRSC_IN080000UK07 requires a signature; SHA-1 not allowed', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        env: { MHS_SIMULATOR_SIGNING: 'false' },
        routes: (routes) => {
          routes.routes.PRSC_IN080000UK07!.requireSignature = true;
        },
      });
    });
    afterAll(() => h?.close());

    it('answers an unsigned poll with SecurityFailure', async () => {
      const poll = (await postJson(`${h.control}/control/slot-polls`, {})).body as {
        gatewayResponse: { kind: string; errors: { errorCode: string; description: string }[] };
      };
      expect(poll.gatewayResponse.kind).toBe('error');
      expect(poll.gatewayResponse.errors[0]).toMatchObject({
        errorCode: 'SecurityFailure',
        description: 'a signature is required and none is present',
      });
    });

    it('refuses a SHA-1 signature where the route does not allow it', async () => {
      const answer = await kindOf(sendInbound(h, sha1SignedPoll(h)));
      expect(answer.kind).toBe('error');
      expect(answer.errors?.[0]).toMatchObject({ errorCode: 'SecurityFailure' });
      expect(answer.errors?.[0]?.description).toMatch(/SHA-1|sha1/i);
    });
  });

  describe('PRSC_IN080000UK07 allows SHA-1', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        routes: (routes) => {
          routes.routes.PRSC_IN080000UK07!.allowSha1 = true;
        },
      });
    });
    afterAll(() => h?.close());

    it('accepts the SHA-1 signed poll', async () => {
      expect((await kindOf(sendInbound(h, sha1SignedPoll(h)))).kind).toBe('acknowledgment');
    });
  });
});
