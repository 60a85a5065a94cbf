// Golden files: output must equal the committed file byte for byte. UPDATE_GOLDEN=1 rewrites
// them (review the diff before committing).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const GOLDEN_DIR = fileURLToPath(new URL('../../../mim-samples/ebxml/', import.meta.url));

export function expectGolden(name: string, actual: Buffer | string): void {
  const path = `${GOLDEN_DIR}${name}`;
  const bytes = typeof actual === 'string' ? Buffer.from(actual, 'utf8') : actual;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${name} is missing; run with UPDATE_GOLDEN=1 to create it`);
  }
  const expected = readFileSync(path);
  // Compare as text first for a readable diff, then as bytes so CRLF and encoding differences count.
  expect(bytes.toString('latin1')).toBe(expected.toString('latin1'));
  expect(bytes.equals(expected)).toBe(true);
}
