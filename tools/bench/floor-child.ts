// Parent side of the floor server: forks the compiled floor-server.js and talks to it over IPC.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '#src/config/index.js';
import type { TlsFiles } from '#src/security/tls/index.js';
import type { FloorServerMessage } from './floor-server.js';

export interface FloorServerProcess {
  port: number;
  pid: number;
  /** Asks the child how many POSTs it has answered. */
  received(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The child always runs compiled JavaScript from dist/tools/: under vitest this module is TypeScript
 * in tools/, and node cannot run that without a loader the project does not have.
 */
export function floorServerScript(): string {
  const beside = join(dirname(fileURLToPath(import.meta.url)), 'floor-server.js');
  if (existsSync(beside)) return beside;
  const built = join(packageRoot, 'dist', 'tools', 'bench', 'floor-server.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  return built;
}

export async function spawnFloorServer(files: TlsFiles, timeoutMs = 15_000): Promise<FloorServerProcess> {
  // execArgv [] so a test runner's own flags (loaders, inspectors) never reach the child.
  const child = fork(floorServerScript(), [JSON.stringify(files)], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`floor server not listening within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.on('message', (message: FloorServerMessage) => {
        if (message.type === 'listening') resolve(message.port);
        if (message.type === 'failed') reject(new Error(`floor server failed: ${message.error}`));
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`floor server exited (${signal ?? `code ${code}`}) ${stderr.trim()}`)),
      );
      child.once('error', reject);
    });
    clearTimeout(timer);
    return { port, pid: child.pid ?? -1, received: () => askCount(child), stop: () => stop(child, exited) };
  } catch (error) {
    clearTimeout(timer);
    await stop(child, exited);
    throw error;
  }
}

function askCount(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FloorServerMessage) => {
      if (message.type !== 'count') return;
      child.off('message', onMessage);
      resolve(message.received);
    };
    child.on('message', onMessage);
    if (!child.connected) reject(new Error('floor server is not running'));
    else child.send({ type: 'count' });
  });
}

/** SIGTERM, then SIGKILL if it lingers: the benchmark must never leave a server running. */
async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), 3_000);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
