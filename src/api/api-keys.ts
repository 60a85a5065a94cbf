// The API keys file: names and SHA-256 hashes only, never a key. A key is 256 random bits, so a
// plain SHA-256 (no salt, no slow KDF) is enough: there is nothing to guess from the hash.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';

export interface ApiKeyRecord {
  name: string;
  /** Lower-case hex SHA-256 of the key as the client sends it. */
  sha256: string;
  createdAt: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEY_PREFIX = 'mhs_';

const keysFileSchema = z.array(
  z.strictObject({
    name: z.string().regex(NAME, 'must be 1-64 letters, digits, ".", "_" or "-"'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
    createdAt: z.string().min(1),
  }),
);

export function isValidKeyName(name: string): boolean {
  return NAME.test(name);
}

/** A new key: `mhs_` and 32 random bytes in base64url (43 characters). */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The record whose hash matches `key`, or undefined. Every record is compared (in constant time
 * per comparison), so the time taken does not tell which record came close.
 */
export function findApiKey(records: readonly ApiKeyRecord[], key: string): ApiKeyRecord | undefined {
  const presented = Buffer.from(hashApiKey(key), 'hex');
  let found: ApiKeyRecord | undefined;
  for (const record of records) {
    if (timingSafeEqual(presented, Buffer.from(record.sha256, 'hex')) && !found) found = record;
  }
  return found;
}

/**
 * Reads and checks the keys file for start-up. Throws ConfigError, one line naming the file, when
 * it is missing, unreadable, not JSON, or not a list of `{ name, sha256, createdAt }`.
 */
export function loadApiKeys(file: string): ApiKeyRecord[] {
  const records = readKeysFile(file, false);
  if (records.length === 0)
    throw new ConfigError(
      `API keys file ${file} holds no keys (create one with \`mhs-gateway apikey create NAME\`)`,
    );
  return records;
}

/** Like loadApiKeys, but a missing file is an empty list (for `apikey create`). */
export function readKeysFile(file: string, missingIsEmpty: boolean): ApiKeyRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && missingIsEmpty) return [];
    const why =
      code === 'ENOENT'
        ? 'does not exist (create a key with `mhs-gateway apikey create NAME`, or set api.auth.mode to none for development)'
        : code === 'EACCES' || code === 'EPERM'
          ? 'is not readable (permission denied)'
          : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError(`API keys file ${file} ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`API keys file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = keysFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ConfigError(`API keys file ${file} is invalid${where}: ${issue.message}`);
  }
  const names = new Set<string>();
  for (const record of parsed.data) {
    if (names.has(record.name)) throw new ConfigError(`API keys file ${file} names ${record.name} twice`);
    names.add(record.name);
  }
  return parsed.data;
}

/** Writes the whole list via a temporary file and a rename, mode 0600 (the hashes are still secrets' kin). */
export function writeKeysFile(file: string, records: readonly ApiKeyRecord[]): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(records, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask, or an old file, may have left another mode
  renameSync(temporary, file);
}
