import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentName, loadConfig } from '../../../src/config/index.js';

describe('loadConfig', () => {
  it('loads the embedded defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config.api.port).toBe(8080);
    expect(config.inbound.port).toBe(8443);
    expect(config.partyKey).toBe('RTX-821088');
  });

  it('names every leaf by its MHS_ variable', () => {
    expect(environmentName(['api', 'maxBodyBytes'])).toBe('MHS_API_MAX_BODY_BYTES');
    expect(environmentName(['partyKey'])).toBe('MHS_PARTY_KEY');
  });

  it('overrides from MHS_* variables, typed by the default', () => {
    const config = loadConfig({
      env: {
        MHS_API_PORT: '18080',
        MHS_SIGNING_ENABLED: 'false',
        MHS_PARTY_KEY: 'ABC-123',
        MHS_STORE: 'sqlite:/tmp/x.db',
      },
    });
    expect(config.api.port).toBe(18080);
    expect(config.signing.enabled).toBe(false);
    expect(config.partyKey).toBe('ABC-123');
    expect(config.store).toBe('sqlite:/tmp/x.db');
  });

  it('merges a config file between defaults and environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mhs-config-'));
    const file = join(dir, 'site.json');
    writeFileSync(file, JSON.stringify({ api: { port: 9999 }, odsCode: 'XYZ' }));
    const config = loadConfig({ file, env: { MHS_ODS_CODE: 'ENV' } });
    expect(config.api.port).toBe(9999);
    expect(config.api.host).toBe('127.0.0.1');
    expect(config.odsCode).toBe('ENV');
  });

  it('stops with one line naming the key and why for a bad value', () => {
    expect(() => loadConfig({ env: { MHS_API_PORT: 'eighty' } })).toThrow(
      'MHS_API_PORT: "eighty" is not a number',
    );
    expect(() => loadConfig({ env: { MHS_API_PORT: '70000' } })).toThrow(
      /^configuration key api\.port \(MHS_API_PORT\): .+/,
    );
    expect(() => loadConfig({ env: { MHS_PARTY_KEY: 'nonsense' } })).toThrow(
      /partyKey .*must look like ODS-number/,
    );
  });

  it('reads the dashboard session and proxy settings, refusing a session of no length', () => {
    const defaults = loadConfig({ env: {} }).dashboard;
    expect(defaults).toEqual({
      showPatientData: false,
      trustProxy: false,
      session: { idleTimeout: 'PT30M', lifetime: 'PT12H' },
    });
    const set = loadConfig({
      env: {
        MHS_DASHBOARD_TRUST_PROXY: 'true',
        MHS_DASHBOARD_SESSION_IDLE_TIMEOUT: 'PT0.5S',
        MHS_DASHBOARD_SESSION_LIFETIME: 'P1D',
      },
    }).dashboard;
    expect(set).toEqual({
      showPatientData: false,
      trustProxy: true,
      session: { idleTimeout: 'PT0.5S', lifetime: 'P1D' },
    });
    expect(() => loadConfig({ env: { MHS_DASHBOARD_SESSION_IDLE_TIMEOUT: 'PT0S' } })).toThrow(
      'configuration key dashboard.session.idleTimeout (MHS_DASHBOARD_SESSION_IDLE_TIMEOUT): must be longer than zero',
    );
  });

  it('rejects unknown MHS_ variables and unknown file keys', () => {
    expect(() => loadConfig({ env: { MHS_API_PROT: '1' } })).toThrow(
      'environment variable MHS_API_PROT is not a configuration key',
    );
    const dir = mkdtempSync(join(tmpdir(), 'mhs-config-'));
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ api: { prot: 1 } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(/configuration key api\.prot/);
  });

  it('names an unreadable config file', () => {
    expect(() => loadConfig({ file: '/nonexistent/mhs.json', env: {} })).toThrow(
      'configuration file /nonexistent/mhs.json cannot be read: ENOENT',
    );
  });
});
