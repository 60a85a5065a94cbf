// Golden files for C&B samples: output must equal the committed file byte for byte.
// UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function expectGolden(relativePath: string, actual: string | Buffer): void {
  const file = join(REPO_ROOT, relativePath);
  const bytes = typeof actual === 'string' ? Buffer.from(actual, 'utf8') : actual;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${relativePath} is missing; run with UPDATE_GOLDEN=1`);
  const expected = readFileSync(file);
  // Text first for a readable diff, then bytes so CRLF and encoding differences count.
  expect(bytes.toString('latin1'), relativePath).toBe(expected.toString('latin1'));
  expect(bytes.equals(expected)).toBe(true);
}

export function readGolden(relativePath: string): Buffer {
  return readFileSync(join(REPO_ROOT, relativePath));
}
