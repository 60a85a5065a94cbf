// Worker-thread plumbing shared by the store and the signer: where a worker's compiled script is.
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
