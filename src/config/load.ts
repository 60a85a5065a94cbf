import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createError } from '../errors/index.js';
import { configSchema, type GatewayConfig } from './schema.js';

/** Thrown when configuration is unusable; `message` is one line naming the key and why. */
export class ConfigError extends createError('CONFIG_INVALID', 400, 'Invalid configuration') {}

/** The package root (where config/default.json lives), whether running from src/ or dist/. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const defaultConfigFile = resolve(packageRoot, 'config', 'default.json');

/** Environment variables that are not configuration keys but are still ours. */
const NON_KEY_VARIABLES = new Set(['MHS_CONFIG']);

/** `api.maxBodyBytes` → `MHS_API_MAX_BODY_BYTES`. */
export function environmentName(path: string[]): string {
  return `MHS_${path.map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Loads the defaults, then an optional file over them, then `MHS_*` variables over both, and validates
 * the result. Relative paths in the result stay relative to the working directory.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): GatewayConfig {
  const env = options.env ?? process.env;
  let merged = readJson(defaultConfigFile) as { [key: string]: Json };
  // The embedded catalogue and routes ship with the package; a site's own files are cwd-relative.
  for (const key of ['routesFile', 'interactionsFile'])
    merged[key] = resolve(packageRoot, merged[key] as string);
  const file = options.file ?? env.MHS_CONFIG;
  if (file) merged = deepMerge(merged, readJson(resolve(file)) as { [key: string]: Json });
  merged = applyEnvironment(merged, env);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.') || '(root)';
    const name = issue.code === 'unrecognized_keys' ? `${key ? `${key}.` : ''}${issue.keys.join(', ')}` : key;
    throw new ConfigError(
      `configuration key ${name} (${environmentName(name.split('.'))}): ${issue.message}`,
    );
  }
  return result.data;
}

function readJson(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `configuration file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw new ConfigError(`configuration file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function deepMerge(base: { [key: string]: Json }, over: { [key: string]: Json }): { [key: string]: Json } {
  const out: { [key: string]: Json } = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every leaf of the defaults has exactly one variable; its type decides how the string is read. */
function applyEnvironment(config: { [key: string]: Json }, env: NodeJS.ProcessEnv): { [key: string]: Json } {
  const leaves = new Map<string, string[]>();
  const walk = (node: { [key: string]: Json }, path: string[]) => {
    for (const [key, value] of Object.entries(node)) {
      if (isObject(value)) walk(value, [...path, key]);
      else leaves.set(environmentName([...path, key]), [...path, key]);
    }
  };
  walk(config, []);
  for (const name of Object.keys(env)) {
    if (name.startsWith('MHS_') && !leaves.has(name) && !NON_KEY_VARIABLES.has(name)) {
      throw new ConfigError(`environment variable ${name} is not a configuration key`);
    }
  }
  const out = structuredClone(config);
  for (const [name, path] of leaves) {
    const raw = env[name];
    if (raw === undefined) continue;
    let node = out;
    for (const key of path.slice(0, -1)) node = node[key] as { [key: string]: Json };
    const last = path[path.length - 1]!;
    node[last] = coerce(raw, node[last] ?? null, name);
  }
  return out;
}

function coerce(raw: string, current: Json, name: string): Json {
  if (Array.isArray(current)) {
    try {
      return JSON.parse(raw) as Json;
    } catch {
      throw new ConfigError(`${name}: "${raw}" is not a JSON array`);
    }
  }
  if (typeof current === 'number') {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value))
      throw new ConfigError(`${name}: "${raw}" is not a number`);
    return value;
  }
  if (typeof current === 'boolean') {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new ConfigError(`${name}: "${raw}" is not true or false`);
  }
  return raw;
}
