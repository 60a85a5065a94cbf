import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initDevPki } from '../../../src/security/pki/index.js';
import { measureRsaSigning, nearestRank } from '../../../tools/bench/floor.js';

describe('nearestRank', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('takes the value at rank ceil(p/100 * n)', () => {
    expect(nearestRank(values, 50)).toBe(50);
    expect(nearestRank(values, 95)).toBe(95);
    expect(nearestRank(values, 99)).toBe(99);
    expect(nearestRank([3, 7, 9, 20], 50)).toBe(7);
    expect(nearestRank([3, 7, 9, 20], 51)).toBe(9);
  });

  it('stays inside the data at the edges', () => {
    expect(nearestRank([5], 99)).toBe(5);
    expect(nearestRank(values, 0)).toBe(1);
    expect(nearestRank(values, 100)).toBe(100);
    expect(nearestRank([], 50)).toBe(0);
  });
});

describe('measureRsaSigning', () => {
  let dir: string;
  let gatewayKey: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-bench-sign-'));
    gatewayKey = readFileSync((await initDevPki({ dir })).paths.gatewayKey, 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs with the gateway dev key for the requested time', () => {
    const result = measureRsaSigning({ privateKeyPem: gatewayKey, durationMs: 300 });
    expect(result).toMatchObject({ algorithm: 'RSA-SHA256', keyBits: 2048 });
    expect(result.signaturesPerSecond).toBeGreaterThan(0);
    expect(result.seconds).toBeGreaterThanOrEqual(0.3);
    expect(result.seconds).toBeLessThan(5);
  });

  it('refuses a key that is not RSA and a duration that is not positive', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => measureRsaSigning({ privateKeyPem: ec, durationMs: 10 })).toThrow(/not an RSA key/);
    expect(() => measureRsaSigning({ privateKeyPem: gatewayKey, durationMs: 0 })).toThrow(RangeError);
  });
});
