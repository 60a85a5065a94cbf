// Where the compiled script of a worker thread (store, signer) or child process (bench floor) is.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled worker script `name` beside the module at `moduleUrl`. Run from the TypeScript
 * sources (the tests), there is none there: the same file in the build (dist/) is used instead.
 */
export function workerScript(moduleUrl: string, name: string): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const beside = join(here, name);
  if (existsSync(beside)) return beside;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const built = join(root, 'dist', relative(join(root, 'src'), here), name);
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  return built;
}

/**
 * Heap bounds for our worker threads. Each thread is a V8 isolate of its own; with V8's defaults
 * two of them added ~80 MiB of resident memory under load. Their work is small and short-lived
 * (one message at a time), so a small young generation costs little; the old generation leaves
 * room for the largest message the gateway accepts (5 MB) several times over.
 */
export const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 } as const;
