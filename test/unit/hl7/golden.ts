// Golden-file comparison: byte for byte against a committed file; UPDATE_GOLDEN=1 rewrites it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function expectGolden(relativePath: string, actual: string): void {
  const file = join(REPO_ROOT, relativePath);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${relativePath} is missing; run with UPDATE_GOLDEN=1`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

export function readGolden(relativePath: string): string {
  return readFileSync(join(REPO_ROOT, relativePath), 'utf8');
}

/** Runs `xmllint --noout` over every .xml file in the folder; returns the files checked. */
export function xmllintFolder(relativeDir: string): string[] {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'xmllint is not installed (Debian: apt-get install libxml2-utils); it is needed to check golden files',
    );
  }
  const dir = join(REPO_ROOT, relativeDir);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.xml'))
    .map((name) => join(dir, name));
  for (const file of files) {
    try {
      execFileSync('xmllint', ['--noout', '--nonet', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
      throw new Error(`${file} is not well-formed:\n${stderr}`);
    }
  }
  return files;
}
