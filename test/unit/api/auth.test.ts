import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  type ApiKeyRecord,
  findApiKey,
  generateApiKey,
  hashApiKey,
  loadApiKeys,
  requireApiKey,
} from '../../../src/api/index.js';

const key = generateApiKey();
const other = generateApiKey();
const records: ApiKeyRecord[] = [
  { name: 'dashboard', sha256: hashApiKey(other), createdAt: '2026-01-01T00:00:00.000Z' },
  { name: 'pas-prod', sha256: hashApiKey(key), createdAt: '2026-01-02T00:00:00.000Z' },
];

function app() {
  const api = express();
  api.use(requireApiKey(records));
  api.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  api.get('/readyz', (_req, res) => res.json({ ready: true }));
  api.post('/', (_req, res) => res.status(202).json({ who: res.locals.apiKeyName }));
  api.get('/messages/:id', (_req, res) => res.json({ who: res.locals.apiKeyName }));
  return api;
}

describe('API key authentication', () => {
  it('generates 256-bit keys and stores SHA-256 hex', () => {
    expect(key).toMatch(/^mhs_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(findApiKey(records, key)?.name).toBe('pas-prod');
    expect(findApiKey(records, `${key}x`)).toBeUndefined();
  });

  it('refuses a request with no key: 401 problem with a Bearer challenge', async () => {
    const response = await request(app()).post('/').send({});
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="mhs-gateway"');
    expect(response.body).toMatchObject({
      title: 'Unauthorized',
      status: 401,
      detail: 'an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>',
    });
  });

  it('refuses a wrong key without echoing it', async () => {
    const wrong = 'mhs_thisIsNotAKeyThatExistsAnywhere0123456789';
    const response = await request(app()).get('/messages/1').set('Authorization', `Bearer ${wrong}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(response.body.detail).toBe('the API key is not valid (unknown or revoked)');
    expect(response.text).not.toContain(wrong);
  });

  it('names a wrong scheme, an empty Bearer, and two different keys', async () => {
    const basic = await request(app()).post('/').set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(basic.status).toBe(401);
    expect(basic.body.detail).toMatch(/must use the Bearer scheme/);
    expect(basic.text).not.toContain('dXNlcjpwYXNz');
    const empty = await request(app()).post('/').set('Authorization', 'Bearer ');
    expect(empty.body.detail).toMatch(/no key after Bearer/);
    const both = await request(app()).post('/').set('Authorization', `Bearer ${key}`).set('X-API-Key', other);
    expect(both.status).toBe(401);
    expect(both.body.detail).toMatch(/different keys/);
  });

  it('admits the right key by Authorization or X-API-Key, and names it', async () => {
    const bearer = await request(app()).post('/').set('Authorization', `Bearer ${key}`).send({});
    expect(bearer.status).toBe(202);
    expect(bearer.body).toEqual({ who: 'pas-prod' });
    const header = await request(app()).get('/messages/1').set('X-API-Key', other);
    expect(header.status).toBe(200);
    expect(header.body).toEqual({ who: 'dashboard' });
  });

  it('leaves /healthz and /readyz open', async () => {
    expect((await request(app()).get('/healthz')).status).toBe(200);
    expect((await request(app()).get('/readyz')).status).toBe(200);
    expect((await request(app()).post('/healthz')).status).toBe(401);
  });
});

describe('loadApiKeys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-keys-'));
  const file = (name: string, content?: string) => {
    const path = join(dir, name);
    if (content !== undefined) writeFileSync(path, content);
    return path;
  };

  it('reads a valid file', () => {
    expect(loadApiKeys(file('good.json', JSON.stringify(records)))).toEqual(records);
  });

  it('stops with one line naming the file for each way it can be wrong', () => {
    const cases: [string, RegExp][] = [
      [file('missing.json'), /^API keys file .*missing\.json does not exist \(create a key with/],
      [file('bad.json', '{ nope'), /^API keys file .*bad\.json is not valid JSON: /],
      [file('object.json', '{}'), /^API keys file .*object\.json is invalid: /],
      [
        file('short.json', JSON.stringify([{ name: 'x', sha256: 'abc', createdAt: 'now' }])),
        /^API keys file .*short\.json is invalid at 0\.sha256: must be 64 lower-case hex digits$/,
      ],
      [file('empty.json', '[]'), /^API keys file .*empty\.json holds no keys/],
      [file('twice.json', JSON.stringify([records[0], records[0]])), /names dashboard twice$/],
    ];
    for (const [path, message] of cases) {
      expect(() => loadApiKeys(path)).toThrow(message);
      try {
        loadApiKeys(path);
      } catch (error) {
        expect((error as Error).name).toBe('ConfigError');
        expect((error as Error).message).not.toContain('\n');
      }
    }
  });

  it.skipIf(process.getuid?.() === 0)('names an unreadable file', () => {
    const path = file('locked.json', JSON.stringify(records));
    chmodSync(path, 0o000);
    expect(() => loadApiKeys(path)).toThrow(/locked\.json is not readable \(permission denied\)/);
  });
});
