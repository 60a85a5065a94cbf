import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SigningIdentity,
  SigningPool,
  signEnvelope,
  verifyEnvelope,
} from '../../../../src/security/xmldsig/index.js';
import { ebxmlEnvelope, MANIFEST_HREFS, PARTS, partsMap } from './envelope-fixture.js';
import { createTestPki, type TestPki } from './pki-fixture.js';

let pki: TestPki;
let identity: SigningIdentity;
let pool: SigningPool;

beforeAll(() => {
  pki = createTestPki();
  identity = { privateKey: pki.leaf.privateKey, certificate: pki.leaf.certificate };
  pool = new SigningPool(2);
});
afterAll(async () => {
  await pool?.close();
  pki?.cleanup();
});

describe('SigningPool', () => {
  it('signs on its threads exactly as on this one, many at once', async () => {
    const envelopes = Array.from({ length: 20 }, (_, i) => ebxmlEnvelope('SOAP', `S2000${i}`));
    const signed = await Promise.all(envelopes.map((e) => pool.sign(e, PARTS, identity, {})));
    signed.forEach((xml, i) => {
      // RSA PKCS#1 v1.5 is deterministic: the same input signs to the same bytes wherever it runs.
      expect(xml).toBe(signEnvelope(envelopes[i]!, PARTS, identity));
      const result = verifyEnvelope(xml, {
        trusted: [pki.ca.certificate],
        manifestHrefs: MANIFEST_HREFS,
        parts: partsMap(),
      });
      expect(result).toMatchObject({ present: true, valid: true });
    });
  });

  it('rejects with the signer’s own reason, and keeps signing after it', async () => {
    const mismatched = { privateKey: pki.ca.privateKey, certificate: pki.leaf.certificate };
    await expect(pool.sign(ebxmlEnvelope(), PARTS, mismatched, {})).rejects.toThrow(
      /private key does not match the signing certificate/,
    );
    await expect(pool.sign(ebxmlEnvelope(), PARTS, identity, { algorithm: 'rsa-sha1' })).resolves.toContain(
      'rsa-sha1',
    );
  });

  it('refuses work once closed', async () => {
    const closing = new SigningPool(1);
    await closing.close();
    await expect(closing.sign(ebxmlEnvelope(), PARTS, identity, {})).rejects.toThrow(/closed/);
  });
});
