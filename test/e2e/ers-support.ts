import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { clientAssertion, loadSigningKey, tokenRequestBody } from '../../src/ers-fhir/index.js';
import type { Harness } from './harness.js';

/** Settings for a gateway with the e-RS FHIR side on, against the simulator on the run's control port. */
export function ersEnv(budget: number, extra: Record<string, string> = {}) {
  return {
    env: {
      MHS_ERS_FHIR_ENABLED: 'true',
      MHS_ERS_FHIR_SERVICES: '["700001"]',
      MHS_ERS_FHIR_DAILY_A008_BUDGET: String(budget),
      MHS_ERS_FHIR_SYNC_INTERVAL_MS: '3600000',
      MHS_ERS_FHIR_PENDING_RETRY_MS: '200',
      MHS_ERS_FHIR_MAX_RETRIES: '2',
      ...extra,
    },
    envFromPki: (pki: { gatewayKey: string }) => ({
      MHS_ERS_FHIR_PRIVATE_KEY_FILE: pki.gatewayKey,
      // Beside the run's other files (the key is in <run>/pki/).
      MHS_ERS_FHIR_ATTACHMENTS_DIR: join(dirname(dirname(pki.gatewayKey)), 'attachments'),
    }),
    envFromPorts: (ports: { control: number }) => ({
      MHS_ERS_FHIR_BASE_URL: `http://127.0.0.1:${ports.control}/referrals/FHIR`,
      MHS_ERS_FHIR_TOKEN_URL: `http://127.0.0.1:${ports.control}/oauth2/token`,
    }),
  };
}

/** The simulator's control API (JSON in and out). */
export async function control(h: Harness, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.control}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return (await response.json()) as Record<string, unknown>;
}

/** A token the platform issued to a user's session (here: minted against the simulator directly). */
export async function userSessionToken(h: Harness): Promise<string> {
  const tokenUrl = h.config.ersFhir.tokenUrl;
  const assertion = clientAssertion(loadSigningKey(h.config.ersFhir.privateKeyFile, ''), {
    apiKey: h.config.ersFhir.apiKey,
    tokenUrl,
    keyId: h.config.ersFhir.keyId,
    jti: randomUUID(),
    now: new Date(),
  });
  const issued = (await (
    await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: tokenRequestBody(assertion),
    })
  ).json()) as { access_token: string };
  return issued.access_token;
}
