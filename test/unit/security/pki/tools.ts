import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the openssl command-line tool (the independent check); fails loudly when it is missing. */
export function openssl(args: string[], input?: string): Run {
  const run = spawnSync('openssl', args, { encoding: 'utf8', input });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('openssl is not installed (apt-get install openssl)');
  }
  if (run.error) throw run.error;
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `mhs-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
