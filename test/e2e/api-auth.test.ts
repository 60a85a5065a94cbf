import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/api/index.js';
import { buildSlotResponsePayload } from '../../src/cab/index.js';
import { packageRoot } from '../../src/config/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { initDevPki } from '../../src/security/pki/index.js';
import { freePort } from '../support/ports.js';
import { createTestVhost } from '../support/rabbitmq.js';
import { eventually, type Harness, startHarness } from './harness.js';

const bin = join(packageRoot, 'bin', 'mhs-gateway.js');

/** The REST API with authentication on, as `npm start`'s `start` runs it (issue 5). */
describe('REST API with API keys', () => {
  const key = generateApiKey();
  let h: Harness;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-auth-'));
    const keysFile = join(dir, 'api-keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify([{ name: 'pas-test', sha256: hashApiKey(key), createdAt: new Date().toISOString() }]),
    );
    h = await startHarness({ env: { MHS_API_AUTH_MODE: 'api-key', MHS_API_AUTH_KEYS_FILE: keysFile } });
  });
  afterAll(() => h?.close());

  const call = (path: string, init: RequestInit = {}) => fetch(`${h.api}${path}`, init);
  const slotResponse = (messageId: string) =>
    JSON.stringify({
      payload: wrapPayload(
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
          pollRequestId: randomUUID().toUpperCase(),
          slots: [],
        }),
      ),
    });
  const headers = (messageId: string, extra: Record<string, string> = {}) => ({
    'Content-Type': 'application/json',
    'Interaction-Id': 'PRSC_IN090000UK09',
    'wait-for-response': 'false',
    'Message-Id': messageId,
    ...extra,
  });

  it('leaves /healthz, /readyz and the API description open', async () => {
    expect((await call('/healthz')).status).toBe(200);
    expect((await call('/readyz')).status).toBe(200);
    expect((await call('/openapi.json')).status).toBe(200);
    expect((await call('/docs/')).status).toBe(200);
    expect((await call('/cab/slot-cancellations', { method: 'POST' })).status).toBe(401);
  });

  it('refuses a request with no key, before reading its body (nothing is submitted)', async () => {
    const messageId = randomUUID().toUpperCase();
    const response = await call('/', {
      method: 'POST',
      headers: headers(messageId),
      body: slotResponse(messageId),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="mhs-gateway"');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/an API key is required/);
    const lookup = await call(`/messages/${messageId}`, { headers: { Authorization: `Bearer ${key}` } });
    expect(lookup.status).toBe(404);
  });

  it('refuses a wrong key, without echoing it', async () => {
    const wrong = generateApiKey();
    const response = await call('/messages/anything', { headers: { 'X-API-Key': wrong } });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain('the API key is not valid');
    expect(text).not.toContain(wrong);
  });

  it('with the right key, POST / answers 202 and GET /messages/{id} 200', async () => {
    const messageId = randomUUID().toUpperCase();
    const posted = await call('/', {
      method: 'POST',
      headers: headers(messageId, { Authorization: `Bearer ${key}` }),
      body: slotResponse(messageId),
    });
    expect(posted.status, await posted.clone().text()).toBe(202);
    const got = await call(`/messages/${messageId}`, { headers: { 'X-API-Key': key } });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { messageId: string }).messageId).toBe(messageId);
  });
});

/** Start-up and development mode, through the built command line. */
describe('mhs-gateway start and dev with API authentication', () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => void)[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
    for (const cleanup of cleanups) cleanup();
  });

  it('start stops with one line naming a missing keys file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-auth-cli-'));
    const pki = await initDevPki({ dir: join(dir, 'pki') });
    const result = spawnSync(process.execPath, [bin, 'start'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        MHS_TLS_CERT: pki.paths.gatewayCert,
        MHS_TLS_KEY: pki.paths.gatewayKey,
        MHS_TLS_CA: pki.paths.caCert,
        MHS_API_AUTH_KEYS_FILE: join(dir, 'no-such-keys.json'),
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^mhs-gateway: API keys file .*no-such-keys\.json does not exist/);
  });

  it('dev turns authentication off and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-auth-dev-'));
    const [api, inbound, spine, control] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const vhost = createTestVhost();
    cleanups.push(() => vhost.remove());
    const routes = JSON.parse(readFileSync(join(packageRoot, 'config', 'routes.json'), 'utf8'));
    routes.defaults.endpoint = `https://localhost:${spine}/reliablemessaging/intermediary`;
    writeFileSync(join(dir, 'routes.json'), JSON.stringify(routes));
    const child = spawn(process.execPath, [bin, 'dev'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        MHS_API_PORT: String(api),
        MHS_INBOUND_PORT: String(inbound),
        MHS_SIMULATOR_PORT: String(spine),
        MHS_SIMULATOR_CONTROL_PORT: String(control),
        MHS_SIMULATOR_GATEWAY_INBOUND_URL: `https://localhost:${inbound}/`,
        MHS_AMQP_URL: vhost.url,
        MHS_ROUTES_FILE: join(dir, 'routes.json'),
        MHS_LOGGING_LEVEL: 'warn',
      },
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const started = await eventually(() => stderr.includes('mhs-gateway is running'), 30_000);
    expect(started, stderr).toBe(true);
    expect(stderr).toContain('API authentication is OFF (development mode)');
    const response = await fetch(`http://127.0.0.1:${api}/messages/none`);
    expect(response.status).toBe(404);
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
  });
});
