// The floors' helper processes: each is a compiled script from dist/tools/bench/, forked with one
// JSON argument, that says it is listening (and on which port) and then answers named requests
// over the IPC channel. The floors put each side of an exchange in a process of its own because
// the gateway and the simulator are separate processes too: both measurements pay the same
// cross-process cost.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '#src/config/index.js';

/** Child → parent. */
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'reply'; id: number; value?: unknown; error?: string }
  | { type: 'failed'; error: string };

/** Parent → child. */
export interface RequestMessage {
  type: 'request';
  id: number;
  name: string;
  payload?: unknown;
}

export interface FloorChild {
  pid: number;
  port: number;
  /** Calls the child's handler `name`; rejects with the child's error. */
  request<T>(name: string, payload?: unknown): Promise<T>;
  /** Rejects when the child reports a failure or exits before stop(); never resolves. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

/**
 * The compiled script `file` (e.g. floor-server.js). Children always run JavaScript from
 * dist/tools/: under vitest this module is TypeScript in tools/, which node cannot run without a
 * loader the project does not have.
 */
export function childScript(file: string): string {
  const beside = join(dirname(fileURLToPath(import.meta.url)), file);
  if (existsSync(beside)) return beside;
  const built = join(packageRoot, 'dist', 'tools', 'bench', file);
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  return built;
}

/** Forks `file` with `argument` (JSON) and waits until it is ready. */
export async function forkChild(file: string, argument: unknown, timeoutMs = 15_000): Promise<FloorChild> {
  // execArgv [] so a test runner's own flags (loaders, inspectors) never reach the child.
  const child = fork(childScript(file), [JSON.stringify(argument)], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping = false;
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined); // observed by whoever races it; never an unhandled rejection
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    fail(error);
    for (const [id, pending] of waiting) {
      waiting.delete(id);
      pending.reject(error);
    }
  };
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'failed') failAll(new Error(`${file} failed: ${message.error}`));
    if (message.type !== 'reply') return;
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error !== undefined) pending.reject(new Error(`${file}: ${message.error}`));
    else pending.resolve(message.value);
  });
  child.once('exit', (code, signal) => {
    if (!stopping) failAll(new Error(`${file} exited (${signal ?? `code ${code}`}) ${stderr.trim()}`));
  });
  // A failed fork or a send on a closed channel; unlistened, an 'error' would end the bench.
  child.on('error', (error) => {
    if (!stopping) failAll(error);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${file} not ready within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolve(message.port);
      });
      failed.catch(reject);
    });
    clearTimeout(timer);
    let next = 0;
    return {
      port,
      pid: child.pid ?? -1,
      failed,
      request: <T>(name: string, payload?: unknown) =>
        new Promise<T>((resolve, reject) => {
          if (!child.connected) return reject(new Error(`${file} is not running`));
          next += 1;
          waiting.set(next, { resolve: resolve as (value: unknown) => void, reject });
          child.send({ type: 'request', id: next, name, payload } satisfies RequestMessage);
        }),
      stop: () => {
        stopping = true;
        return stop(child, exited);
      },
    };
  } catch (error) {
    clearTimeout(timer);
    stopping = true;
    await stop(child, exited);
    throw error;
  }
}

/** SIGTERM, then SIGKILL if it lingers: the benchmark must never leave a child running. */
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

/** True in a script forked by forkChild, false when the module is imported (a test, the parent). */
export function isForkedEntry(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return Boolean(process.send) && entry !== undefined && moduleUrl === pathToFileURL(entry).href;
}

/** The JSON argument forkChild passed. */
export function childArgument<T>(): T {
  return JSON.parse(process.argv[2] ?? '') as T;
}

export function sendToParent(message: ChildMessage): void {
  process.send?.(message);
}

/**
 * Child side: answers requests with `handlers`, says it is ready on `port`, and runs `close` when
 * the parent goes away (a parent that dies without stopping us must not leave an orphan behind).
 */
export function serveParent(
  port: number,
  handlers: Record<string, (payload: unknown) => unknown>,
  close: () => Promise<void>,
): void {
  process.on('message', (message: RequestMessage) => {
    if (message.type !== 'request') return;
    const handler = handlers[message.name];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no request ${message.name}`);
        return handler(message.payload);
      })
      .then(
        (value) => sendToParent({ type: 'reply', id: message.id, value }),
        (error: Error) => sendToParent({ type: 'reply', id: message.id, error: error.message }),
      );
  });
  const exit = () => void close().finally(() => process.exit(0));
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  sendToParent({ type: 'ready', port });
}

/** Child side: reports a failure that ends the run, then lets the process end. */
export function failToParent(error: unknown): void {
  sendToParent({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
