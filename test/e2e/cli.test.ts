import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { freePort } from '../support/ports.js';
import { createTestVhost } from '../support/rabbitmq.js';
import { eventually } from './harness.js';

const bin = join(packageRoot, 'bin', 'mhs-gateway.js');

/** The command line as a user meets it (the built dist/, as `npm start` runs it). */
describe('mhs-gateway command line', () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => void)[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGTERM');
    for (const cleanup of cleanups) cleanup();
  });

  it('dev: creates a PKI on first run and serves a ready gateway with the simulator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-cli-'));
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
    const ready = await eventually(async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${api}/readyz`);
        return response.status === 200 ? await response.json() : undefined;
      } catch {
        return undefined;
      }
    }, 30_000);
    expect(ready, stderr).toMatchObject({ ready: true });
    expect(stderr).toContain('mhs-gateway is running');
    expect(readFileSync(join(dir, '.mhs', 'pki', 'ca.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    const poll = await fetch(`http://127.0.0.1:${control}/control/slot-polls`, { method: 'POST' });
    expect(((await poll.json()) as { gatewayResponse: { kind: string } }).gatewayResponse.kind).toBe(
      'acknowledgment',
    );
    // The e-RS FHIR side runs against the simulator with no set-up: its start-up sync read the seeded worklists.
    const sync = await eventually(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${api}/ers/sync`)).json()) as {
        lastRuns: { outcome: string }[];
      };
      return body.lastRuns.length === 2 ? body : undefined;
    }, 15_000);
    expect(
      sync?.lastRuns.map((r) => r.outcome),
      stderr,
    ).toEqual(['synced', 'synced']);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('stops with one line naming a bad configuration value', () => {
    const result = spawnSync(process.execPath, [bin, 'start'], {
      env: { PATH: process.env.PATH, MHS_API_PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('mhs-gateway: MHS_API_PORT: "eighty" is not a number\n');
  });

  it('stops with one line naming a missing certificate file', () => {
    const result = spawnSync(process.execPath, [bin, 'start'], {
      env: { PATH: process.env.PATH, MHS_TLS_CERT: '/nonexistent/gateway.pem' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('/nonexistent/gateway.pem');
  });

  it("refuses inbound retention shorter than a route's persist duration, in one line", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-cli-'));
    const result = spawnSync(process.execPath, [bin, 'dev'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        MHS_RETENTION_INBOUND_MESSAGES: 'PT1M',
        MHS_API_PORT: '0',
        MHS_INBOUND_PORT: '0',
        MHS_SIMULATOR_PORT: '0',
        MHS_SIMULATOR_CONTROL_PORT: '0',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^mhs-gateway: configuration key retention\.inboundMessages .*PT1M is shorter than the longest route persist duration \(600 s\)/,
    );
  });

  it('refuses an unknown command in one line', () => {
    const result = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('mhs-gateway: unknown command "frobnicate" (see mhs-gateway --help)\n');
  });
});
