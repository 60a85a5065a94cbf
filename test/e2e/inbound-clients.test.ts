import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, postJson, startHarness } from './harness.js';

const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;

describe('inbound client certificates are mapped to the parties they may send for', () => {
  describe('the simulator certificate allowed for e-RS (X26-9199246) only', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        envFromPki: (pki) => ({
          MHS_INBOUND_ALLOWED_CLIENTS: JSON.stringify([
            { fingerprint256: fingerprint(pki.simulatorCert), parties: ['X26-9199246'] },
          ]),
        }),
      });
    });
    afterAll(() => h?.close());

    it('accepts a message from the allowed party', async () => {
      const poll = (await postJson(`${h.control}/control/slot-polls`, {})).body as {
        gatewayResponse: { kind: string };
      };
      expect(poll.gatewayResponse.kind).toBe('acknowledgment');
    });
  });

  describe('the simulator certificate allowed for another party', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        envFromPki: (pki) => ({
          MHS_INBOUND_ALLOWED_CLIENTS: JSON.stringify([
            { fingerprint256: fingerprint(pki.simulatorCert), parties: ['ABC-1234'] },
          ]),
        }),
      });
    });
    afterAll(() => h?.close());

    it('answers SecurityFailure for a From party the certificate may not use', async () => {
      const poll = (await postJson(`${h.control}/control/slot-polls`, {})).body as {
        gatewayResponse: { kind: string; errors: { errorCode: string; description: string }[] };
      };
      expect(poll.gatewayResponse.kind).toBe('error');
      expect(poll.gatewayResponse.errors[0]).toMatchObject({ errorCode: 'SecurityFailure' });
      expect(poll.gatewayResponse.errors[0]?.description).toContain('X26-9199246');
    });
  });

  describe('a list that does not name the simulator certificate', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        envFromPki: (pki) => ({
          MHS_INBOUND_ALLOWED_CLIENTS: JSON.stringify([
            { fingerprint256: fingerprint(pki.gatewayCert), parties: ['*'] },
          ]),
        }),
      });
    });
    afterAll(() => h?.close());

    it('refuses the connection with 403 before reading the message', async () => {
      const poll = (await postJson(`${h.control}/control/slot-polls`, {})).body as {
        gatewayResponse: { status: number; body: string };
      };
      expect(poll.gatewayResponse.status).toBe(403);
      expect(poll.gatewayResponse.body).toContain('is not allowed to send to this endpoint');
    });
  });
});
