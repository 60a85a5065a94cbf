// CPU by thread: a node process with the bench's preload (as each gateway gets it) names its
// threads, and the CPU a worker thread burns is put under that worker's name.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleProcess } from '../../../tools/bench/process-stats.js';
import {
  cpuByThread,
  sampleThreads,
  THREAD_LOG_VARIABLE,
  threadNaming,
} from '../../../tools/bench/threads.js';

const MAIN = `
import { Worker } from 'node:worker_threads';
const worker = new Worker(new URL('./busy-worker.mjs', import.meta.url));
worker.on('message', (message) => process.send(message));
process.on('message', (message) => worker.postMessage(message));
`;
// Burns CPU on its own thread when asked, then says so.
const WORKER = `
import { parentPort } from 'node:worker_threads';
parentPort.on('message', (ms) => {
  const until = process.cpuUsage().user / 1000 + ms;
  while (process.cpuUsage().user / 1000 < until) Math.sqrt(Math.random());
  parentPort.postMessage('burnt');
});
parentPort.postMessage('ready');
`;

describe('CPU by thread', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  const next = () => new Promise<string>((resolve) => child!.once('message', (m) => resolve(String(m))));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-bench-threads-'));
    writeFileSync(join(dir, 'main.mjs'), MAIN);
    writeFileSync(join(dir, 'busy-worker.mjs'), WORKER);
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the main thread, worker threads by script, libuv’s pool and V8’s threads', async () => {
    const log = join(dir, 'threads.log');
    const naming = threadNaming(log);
    expect(naming.env).toEqual({ [THREAD_LOG_VARIABLE]: log });
    child = fork(join(dir, 'main.mjs'), [], {
      execArgv: naming.nodeArgs,
      env: { ...process.env, ...naming.env, UV_THREADPOOL_SIZE: '4' },
    });
    expect(await next()).toBe('ready');
    const pid = child.pid!;
    await vi.waitFor(() => expect(readFileSync(log, 'utf8')).toMatch(/libuv-pool/), { timeout: 10_000 });

    const before = sampleThreads(pid, log);
    const processBefore = sampleProcess(pid).cpuSeconds;
    child.send(400);
    expect(await next()).toBe('burnt');
    const after = sampleThreads(pid, log);
    const processAfter = sampleProcess(pid).cpuSeconds;

    const names = [...after.values()].map((t) => t.name);
    expect(names.filter((n) => n === 'main')).toHaveLength(1);
    expect(names.filter((n) => n === 'busy-worker')).toHaveLength(1);
    expect(names.filter((n) => n === 'libuv-pool')).toHaveLength(4);
    expect(names).toContain('v8-platform');
    expect(after.get(String(pid))?.name).toBe('main');

    const byName = cpuByThread([{ before, after }]);
    expect(byName['busy-worker']).toBeGreaterThanOrEqual(0.3);
    // Every thread counted, none twice: the names add up to the process (ticks are 10 ms).
    const total = Object.values(byName).reduce((sum, s) => sum + s, 0);
    expect(Math.abs(total - (processAfter - processBefore))).toBeLessThan(0.1);
  });

  it('names the main thread without a log, and sums several processes by name', () => {
    const sample = sampleThreads(process.pid);
    expect(sample.get(String(process.pid))?.name).toBe('main');
    const doubled = cpuByThread([
      { before: new Map(), after: new Map([['1', { name: 'main', cpuSeconds: 2 }]]) },
      {
        before: new Map([['7', { name: 'main', cpuSeconds: 1 }]]),
        after: new Map([
          ['7', { name: 'main', cpuSeconds: 1.5 }],
          ['8', { name: 'sign-worker', cpuSeconds: 0.25 }],
        ]),
      },
    ]);
    expect(doubled).toEqual({ main: 2.5, 'sign-worker': 0.25 });
  });
});
