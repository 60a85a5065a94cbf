import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, packageRoot } from '../../../src/config/index.js';

const file = join(packageRoot, 'config', 'hscn.example.json');

describe('config/hscn.example.json', () => {
  it('is a valid configuration as it stands (placeholders included)', () => {
    const config = loadConfig({ file, env: {} });
    expect(config.api.auth.mode).toBe('api-key');
    expect(config.inbound.allowedClients.length).toBeGreaterThan(0);
    expect(config.sds.url).toMatch(/^https:\/\//);
    expect(config.sds.forwardReliableEndpoint).toMatch(/\/reliablemessaging\/intermediary$/);
    expect(config.signing.enabled).toBe(true);
    expect(config.store).toMatch(/^postgres:\/\//);
    expect(config.amqp.url).toMatch(/^amqps:\/\//);
    expect(config.outbound.proxy.url).toMatch(/^http:\/\/[^@]+:\d+$/);
  });

  it('holds no secrets: no passwords in URLs, no SDS API key', () => {
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      store: string;
      amqp: { url: string };
      sds: { apiKey: string };
      outbound: { proxy: { url: string } };
    };
    expect(json.store).not.toMatch(/\/\/[^/@]*:[^/@]*@/);
    expect(json.outbound.proxy.url).not.toContain('@');
    expect(json.amqp.url).not.toMatch(/\/\/[^/@]*:[^/@]*@/);
    expect(json.sds.apiKey).toBe('');
  });

  it('takes its secrets from MHS_* variables over the file', () => {
    const config = loadConfig({
      file,
      env: {
        MHS_SDS_API_KEY: 'from-env',
        MHS_AMQP_URL: 'amqps://mhs:pw@rabbitmq.example:5671/mhs',
        MHS_OUTBOUND_PROXY_URL: 'http://rxx-mhs:proxy-pw@proxy.rxx.nhs.uk:3128',
      },
    });
    expect(config.sds.apiKey).toBe('from-env');
    expect(config.outbound.proxy).toEqual({
      url: 'http://rxx-mhs:proxy-pw@proxy.rxx.nhs.uk:3128',
      noProxy: ['localhost', '.rxx.nhs.uk'],
    });
    expect(config.amqp.url).toContain(':pw@');
  });
});
