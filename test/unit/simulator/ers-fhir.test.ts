// The simulated e-RS's parts, through the one handler the control server calls: token endpoint,
// fault injection, decisions' version checks, the object store and the /control/ers route table.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAssertion } from '../../../src/ers-fhir/index.js';
import { ErsFhirSimulator } from '../../../src/simulator/ers-fhir/index.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = join(mkdtempSync(join(tmpdir(), 'ers-sim-')), 'key.pem');
writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));

let server: http.Server;
let base: string;
let sim: ErsFhirSimulator;

function collect(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
  });
}

beforeAll(async () => {
  server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://sim');
    if (!(await sim.handle(request, response, url, () => collect(request)))) response.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim = new ErsFhirSimulator({
    apiKey: 'app-key',
    keyId: 'key-1',
    privateKeyFile: keyFile,
    keyPassword: '',
    tokenUrl: `${base}/oauth2/token`,
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function grant(jti: string = randomUUID()): Promise<Response> {
  const assertion = clientAssertion(privateKey, {
    apiKey: 'app-key',
    keyId: 'key-1',
    tokenUrl: `${base}/oauth2/token`,
    jti,
    now: new Date(),
  });
  return fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
}

async function fhir(path: string, init: RequestInit = {}): Promise<Response> {
  const token = ((await (await grant()).json()) as { access_token: string }).access_token;
  return fetch(`${base}/referrals/FHIR${path}`, {
    ...init,
    redirect: 'manual',
    headers: {
      Authorization: `Bearer ${token}`,
      'NHSD-End-User-Organisation-ODS': 'R69',
      ...(init.headers as Record<string, string>),
    },
  });
}

const control = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${base}/control/ers${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });

describe('the simulated e-RS', () => {
  it('grants a token once per jti, and a token expired through the control API is refused', async () => {
    expect((await grant('jti-1')).status).toBe(200);
    const again = await grant('jti-1');
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      error: 'invalid_request',
      error_description: 'jti is missing or reused',
    });
    const token = ((await (await grant()).json()) as { access_token: string }).access_token;
    expect(await (await control('/tokens/expire', 'POST')).json()).toMatchObject({
      expired: expect.any(Number),
    });
    const refused = await fetch(`${base}/referrals/FHIR/STU3/CodeSystem/PRIORITY`, {
      headers: { Authorization: `Bearer ${token}`, 'NHSD-End-User-Organisation-ODS': 'R69' },
    });
    expect(refused.status).toBe(401);
  });

  it('issues a clinician-session token through the control API that the FHIR endpoints accept', async () => {
    const session = await control('/user-session', 'POST');
    expect(session.status).toBe(201);
    const { accessToken, expiresIn } = (await session.json()) as { accessToken: string; expiresIn: number };
    expect(expiresIn).toBeGreaterThan(0);
    const read = await fetch(`${base}/referrals/FHIR/STU3/CodeSystem/PRIORITY`, {
      headers: { Authorization: `Bearer ${accessToken}`, 'NHSD-End-User-Organisation-ODS': 'R69' },
    });
    expect(read.status).toBe(200);
    const forged = await fetch(`${base}/referrals/FHIR/STU3/CodeSystem/PRIORITY`, {
      headers: { Authorization: `Bearer ${accessToken}x`, 'NHSD-End-User-Organisation-ODS': 'R69' },
    });
    expect(forged.status).toBe(401);
  });

  it('answers an injected 429 with no body and Retry-After, then the referral with its version', async () => {
    const referral = sim.addReferral({ version: 3 });
    await control('/faults', 'PUT', { endpoint: 'A005', status: 429, retryAfter: '2', times: 1 });
    const limited = await fhir(`/STU3/ReferralRequest/${referral.ubrn}`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.text()).toBe('');
    const read = await fhir(`/STU3/ReferralRequest/${referral.ubrn}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"3"');
  });

  it('checks a decision’s If-Match, lock and version before moving the version on', async () => {
    const referral = sim.addReferral();
    const accept = (ifMatch?: string) =>
      fhir(`/STU3/ReferralRequest/${referral.ubrn}/$ers.acceptReferral`, {
        method: 'POST',
        headers: ifMatch ? { 'If-Match': ifMatch } : {},
      });
    expect((await accept()).status).toBe(412);
    expect((await accept('W/"7"')).status).toBe(409);
    await control(`/referrals/${referral.ubrn}/lock`, 'POST');
    expect((await accept('W/"1"')).status).toBe(423);
    await control(`/referrals/${referral.ubrn}/unlock`, 'POST');
    const accepted = await accept('W/"1"');
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('etag')).toBe('W/"2"');
    expect(sim.referrals.get(referral.ubrn)?.list).toBeNull();
  });

  it('redirects A042 to its object store, which refuses a request carrying Authorization', async () => {
    const referral = sim.addReferral({ attachments: [{ content: 'letter body' }] });
    const redirect = await fhir(`/R4/Binary/${referral.attachments[0]!.binaryId}`);
    expect(redirect.status).toBe(307);
    const location = redirect.headers.get('location')!;
    expect((await fetch(location, { headers: { Authorization: 'Bearer leaked' } })).status).toBe(400);
    const file = await fetch(location);
    expect(await file.text()).toBe('letter body');
    expect(
      ((await (await control('')).json()) as { objectStoreAuthRefusals: number }).objectStoreAuthRefusals,
    ).toBe(1);
  });

  it('answers 404 for a FHIR path or control route it does not know, and leaves other paths alone', async () => {
    const unknown = await fhir('/STU3/Nothing');
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(await unknown.json())).toContain('GET /STU3/Nothing is not simulated');
    const route = await control('/nothing', 'DELETE');
    expect(route.status).toBe(404);
    expect(await route.json()).toEqual({ title: 'Not found', detail: 'DELETE /control/ers/nothing' });
    expect((await fetch(`${base}/control/other`)).status).toBe(418);
  });
});
