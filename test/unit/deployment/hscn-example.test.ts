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
  });

  it('holds no secrets: no passwords in URLs, no SDS API key', () => {
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      store: string;
      amqp: { url: string };
      sds: { apiKey: string };
    };
    expect(json.store).not.toMatch(/\/\/[^/@]*:[^/@]*@/);
    expect(json.amqp.url).not.toMatch(/\/\/[^/@]*:[^/@]*@/);
    expect(json.sds.apiKey).toBe('');
  });

  it('takes its secrets from MHS_* variables over the file', () => {
    const config = loadConfig({
      file,
      env: { MHS_SDS_API_KEY: 'from-env', MHS_AMQP_URL: 'amqps://mhs:pw@rabbitmq.example:5671/mhs' },
    });
    expect(config.sds.apiKey).toBe('from-env');
    expect(config.amqp.url).toContain(':pw@');
  });
});
