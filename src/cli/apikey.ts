import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateApiKey, hashApiKey, isValidKeyName, readKeysFile, writeKeysFile } from '../api/index.js';
import { loadConfig } from '../config/index.js';
import { UsageError } from './usage.js';

/**
 * `apikey create NAME [--keys FILE | --config FILE]`: a new key, printed once on stdout (nothing else goes to
 * stdout, so `KEY=$(mhs-gateway apikey create pas)` works); only its hash is stored.
 * `apikey list` and `apikey revoke NAME` manage the same file.
 */
export async function runApiKey(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { keys: { type: 'string' }, config: { type: 'string' } },
    allowPositionals: true,
  });
  // The keys file the gateway reads: --keys, else api.auth.keysFile from --config / MHS_CONFIG.
  const file = resolve(values.keys ?? loadConfig({ file: values.config }).api.auth.keysFile);
  if (sub === 'create') {
    const name = oneName(positionals, 'create');
    const records = readKeysFile(file, true);
    if (records.some((record) => record.name === name))
      throw new UsageError(`an API key named ${name} already exists in ${file}; revoke it first`);
    const key = generateApiKey();
    writeKeysFile(file, [...records, { name, sha256: hashApiKey(key), createdAt: new Date().toISOString() }]);
    process.stderr.write(
      `created API key ${name} in ${file}; it is shown once, below. A running gateway uses it after a restart.\n`,
    );
    process.stdout.write(`${key}\n`);
    return;
  }
  if (sub === 'list') {
    for (const record of readKeysFile(file, true))
      process.stdout.write(`${record.name}\t${record.createdAt}\n`);
    return;
  }
  if (sub === 'revoke') {
    const name = oneName(positionals, 'revoke');
    const records = readKeysFile(file, true);
    if (!records.some((record) => record.name === name))
      throw new UsageError(`no API key named ${name} in ${file}`);
    writeKeysFile(
      file,
      records.filter((record) => record.name !== name),
    );
    process.stderr.write(`revoked API key ${name}; a running gateway refuses it after a restart\n`);
    return;
  }
  throw new UsageError(`unknown apikey command "${sub ?? ''}" (create, list, revoke)`);
}

function oneName(positionals: string[], command: string): string {
  const [name, extra] = positionals;
  if (!name || extra !== undefined) throw new UsageError(`apikey ${command} needs exactly one NAME`);
  if (!isValidKeyName(name))
    throw new UsageError(`API key name ${name} must be 1-64 letters, digits, ".", "_" or "-"`);
  return name;
}
