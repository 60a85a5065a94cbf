// The one place where a failure becomes what the user reads: one line (`mhs-gateway: …`) for
// anything they can act on — a bad argument, a file that is not there, a port already taken —
// and the stack only for what is a bug in the gateway.
import { environmentName, type GatewayConfig } from '../config/index.js';
import { GatewayError } from '../errors/index.js';

const SYSTEM_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EADDRNOTAVAIL: 'that address is not on this machine',
};

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

export interface Failure {
  /** The line printed after `mhs-gateway: `. */
  line: string;
  /** True when the error is not one we expect a user to meet: its stack is printed too. */
  bug: boolean;
}

/** How `error` is told to the user; `config` (when loaded) lets a listen failure name its setting. */
export function describeFailure(error: unknown, config?: GatewayConfig): Failure {
  if (!(error instanceof Error)) return { line: String(error), bug: true };
  const first = error.message.split('\n')[0] ?? '';
  // Every error the gateway anticipates says what went wrong in its message; only its own faults are bugs.
  if (error instanceof GatewayError) return { line: first, bug: error.internal };
  const { code, syscall } = error as SystemError;
  // node:util parseArgs: an unknown option, a missing value, a stray positional.
  if (code?.startsWith('ERR_PARSE_ARGS_'))
    return { line: first.replace(/\. To specify a positional argument.*$/, ''), bug: false };
  if (syscall === 'listen' && code !== undefined) return { line: listenLine(error, config), bug: false };
  if (code !== undefined && syscall !== undefined && SYSTEM_MESSAGES[code] !== undefined) {
    const { path } = error as SystemError;
    return { line: `cannot ${syscall} ${path ?? ''}: ${SYSTEM_MESSAGES[code]} (${code})`, bug: false };
  }
  return { line: first, bug: true };
}

function listenLine(error: SystemError, config: GatewayConfig | undefined): string {
  const where = `${error.address ?? ''}:${error.port ?? ''}`;
  const settings = config && error.port !== undefined ? portSettings(config, error.port) : [];
  const named =
    settings.length > 0
      ? `; choose another with ${settings.map((path) => `${path.join('.')} (${environmentName(path)})`).join(' or ')}`
      : '';
  if (error.code === 'EADDRINUSE') return `cannot listen on ${where}: the port is already in use${named}`;
  if (error.code === 'EACCES')
    return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)${named}`;
  return `cannot listen on ${where}: ${SYSTEM_MESSAGES[error.code ?? ''] ?? error.code}${named}`;
}

/** Paths of the configuration keys named `port` or `…Port` that hold `port` (e.g. `inbound.port`). */
export function portSettings(config: unknown, port: number, path: string[] = []): string[][] {
  if (config === null || typeof config !== 'object') return [];
  const found: string[][] = [];
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'number' && value === port && /(^p|P)ort$/.test(key)) found.push([...path, key]);
    else if (typeof value === 'object') found.push(...portSettings(value, port, [...path, key]));
  }
  return found;
}
