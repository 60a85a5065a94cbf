import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, packageRoot } from '../../src/config/index.js';
import { initDevPki } from '../../src/security/pki/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

interface Listing {
  routes: { method: string; path: string; summary: string; body?: Record<string, string> }[];
  faults: Record<string, string>;
}

/** The simulator's control API as a newcomer meets it: GET /control/ lists what is served, and the docs say it all. */
describe('simulator control API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-sim-control-'));
  let simulator: RunningSimulator;
  let control: string;

  beforeAll(async () => {
    const pki = (await initDevPki({ dir: join(dir, 'pki') })).paths;
    const config = loadConfig({
      env: {
        MHS_DATA_DIR: dir,
        MHS_LOGGING_LEVEL: 'silent',
        MHS_SIMULATOR_PORT: '0',
        MHS_SIMULATOR_CONTROL_PORT: '0',
        MHS_SIMULATOR_TLS_CERT: pki.simulatorCert,
        MHS_SIMULATOR_TLS_KEY: pki.simulatorKey,
        MHS_SIMULATOR_TLS_CA: pki.caCert,
      },
    });
    simulator = await startSimulator(config);
    control = `http://127.0.0.1:${simulator.controlPort}`;
  });
  afterAll(async () => {
    await simulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const listing = async (path = '/control/') => {
    const response = await fetch(`${control}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Listing;
  };

  it('answers GET /control/ (and /control) with every route it serves, each one served', async () => {
    const { routes } = await listing();
    expect(await listing('/control')).toEqual(await listing());
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /control/',
        'GET /control/messages',
        'GET /control/faults',
        'PUT /control/faults',
        'POST /control/slot-polls',
        'POST /control/booking-requests',
        'POST /control/cancellation-requests',
        'GET /sds/*',
      ]),
    );
    for (const route of routes) {
      const path = route.path.replace('/*', '/FHIR/R4/Device');
      // Bodies that are not JSON: each route that reads one refuses it itself, without side effects.
      const response = await fetch(`${control}${path}`, {
        method: route.method,
        ...(route.method === 'GET'
          ? {}
          : { body: 'not json', headers: { 'Content-Type': 'application/json' } }),
      });
      const body = (await response.json()) as { title?: string; detail?: string };
      expect(body.title, `${route.method} ${path}`).not.toBe('Not found');
      if (route.method !== 'GET') {
        expect(response.status, `${route.method} ${path}`).toBe(400);
        expect(body.detail).toBe('the body is not JSON');
      }
    }
    // Anything else is 404, and says where the list is.
    const unknown = await fetch(`${control}/control/fault`, { method: 'PUT', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toContain('GET /control/ lists');
  });

  it('lists every fault with what it does, takes each, and refuses an unknown one by name', async () => {
    const { faults, routes } = await listing();
    expect(Object.keys(faults).sort()).toEqual(
      [
        'applicationAck',
        'delayMs',
        'dropAcks',
        'duplicateDeliveries',
        'messageError',
        'responseDelayMs',
        'soapFault',
      ].sort(),
    );
    for (const [name, description] of Object.entries(faults))
      expect(description.length, name).toBeGreaterThan(40);
    expect(routes.find((r) => r.method === 'PUT')?.body).toEqual(faults);

    const put = (body: unknown) =>
      fetch(`${control}/control/faults`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const typo = await put({ dropAck: true });
    expect(typo.status).toBe(400);
    expect(((await typo.json()) as { detail: string }).detail).toContain('dropAck');
    const bad = await put({ applicationAck: 'AX' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/^applicationAck: /);
    const set = await put({ soapFault: { codes: ['206'], times: 2 }, applicationAck: 'AR' });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({
      soapFault: { codes: ['206'], times: 2 },
      applicationAck: 'AR',
      dropAcks: false,
    });
  });

  it('docs/simulator.md documents every route and every fault', async () => {
    const docs = readFileSync(join(packageRoot, 'docs', 'simulator.md'), 'utf8');
    const { routes, faults } = await listing();
    for (const route of routes) expect(docs, route.path).toContain(`${route.method} ${route.path}`);
    for (const name of Object.keys(faults)) expect(docs, name).toContain(`\`${name}\``);
  });
});
