import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findApiKey, loadApiKeys } from '../../../src/api/index.js';
import { runApiKey } from '../../../src/cli/apikey.js';

describe('mhs-gateway apikey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-apikey-'));
  const keys = join(dir, 'nested', 'api-keys.json');
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  afterEach(() => {
    stdout.mockClear();
    stderr.mockClear();
  });

  it('create prints the key once on stdout and stores only its hash, mode 0600', async () => {
    await runApiKey(['create', 'pas-prod', '--keys', keys]);
    expect(stdout).toHaveBeenCalledTimes(1);
    const key = String(stdout.mock.calls[0]![0]).trim();
    expect(key).toMatch(/^mhs_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(keys, 'utf8');
    expect(text).not.toContain(key);
    expect(statSync(keys).mode & 0o777).toBe(0o600);
    const records = loadApiKeys(keys);
    expect(records).toEqual([
      { name: 'pas-prod', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), createdAt: expect.any(String) },
    ]);
    expect(findApiKey(records, key)?.name).toBe('pas-prod');
    expect(String(stderr.mock.calls[0]![0])).toContain('shown once');
  });

  it('create refuses a duplicate name and a bad name', async () => {
    await expect(runApiKey(['create', 'pas-prod', '--keys', keys])).rejects.toThrow(
      /an API key named pas-prod already exists/,
    );
    await expect(runApiKey(['create', 'bad name!', '--keys', keys])).rejects.toThrow(/must be 1-64 letters/);
    await expect(runApiKey(['create', '--keys', keys])).rejects.toThrow(
      'apikey create needs exactly one NAME',
    );
    expect(loadApiKeys(keys)).toHaveLength(1);
  });

  it('list shows names, revoke removes one', async () => {
    await runApiKey(['create', 'dashboard', '--keys', keys]);
    stdout.mockClear();
    await runApiKey(['list', '--keys', keys]);
    expect(stdout.mock.calls.map((call) => String(call[0]).split('\t')[0])).toEqual([
      'pas-prod',
      'dashboard',
    ]);
    await runApiKey(['revoke', 'pas-prod', '--keys', keys]);
    expect(loadApiKeys(keys).map((r) => r.name)).toEqual(['dashboard']);
    await expect(runApiKey(['revoke', 'pas-prod', '--keys', keys])).rejects.toThrow(
      /no API key named pas-prod/,
    );
    expect(statSync(keys).mode & 0o777).toBe(0o600);
  });
});
