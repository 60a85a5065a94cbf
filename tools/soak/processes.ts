import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { packageRoot } from '#src/config/index.js';

export interface ProcessSpec {
  name: string;
  /** Arguments after bin/mhs-gateway.js, e.g. ['start']. */
  args: string[];
  /** MHS_* settings; the soak's own MHS_* variables are never inherited. */
  env: Record<string, string>;
  logFile: string;
  /** Answers 200 once the process is ready. */
  readyUrl: string;
  /** Options for node itself (e.g. --cpu-prof), before the script. */
  nodeArgs?: string[];
}

/** One `mhs-gateway` child process that the soak starts, kills and starts again. */
export class ManagedProcess {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private expectingExit = false;
  private ready = false;
  /** Exits the soak did not cause (a crash is a finding). */
  readonly unexpectedExits: string[] = [];
  starts = 0;

  constructor(readonly spec: ProcessSpec) {}

  /** The operating-system process id while it runs (for /proc readings). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Started, ready and not killed since. */
  get up(): boolean {
    return this.ready && this.child !== undefined;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    const log = openSync(this.spec.logFile, 'a');
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('MHS_')),
    );
    const child = spawn(
      process.execPath,
      [...(this.spec.nodeArgs ?? []), resolve(packageRoot, 'bin', 'mhs-gateway.js'), ...this.spec.args],
      {
        cwd: packageRoot,
        env: { ...inherited, ...this.spec.env },
        stdio: ['ignore', log, log],
      },
    );
    this.child = child;
    this.expectingExit = false;
    this.starts += 1;
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        if (!this.expectingExit)
          this.unexpectedExits.push(`${this.spec.name} exited (${signal ?? `code ${code}`})`);
        if (this.child === child) {
          this.child = undefined;
          this.ready = false;
        }
        done();
      });
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child !== child)
        throw new Error(`${this.spec.name} exited while starting (see ${this.spec.logFile})`);
      if (await answers200(this.spec.readyUrl)) break;
      if (Date.now() > deadline)
        throw new Error(`${this.spec.name} not ready within ${timeoutMs} ms (see ${this.spec.logFile})`);
      await sleep(200);
    }
    this.ready = true;
  }

  /** SIGKILL: no clean-up, no goodbye, exactly what a crash or an OOM kill looks like. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 0);
  }

  /** SIGTERM, then SIGKILL if it has not gone within 10 s. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM', 10_000);
  }

  private async signal(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.ready = false;
    this.expectingExit = true;
    child.kill(signal);
    const gone = await Promise.race([
      this.exited!.then(() => true),
      sleep(graceMs || 10_000).then(() => false),
    ]);
    if (!gone) {
      child.kill('SIGKILL');
      await this.exited;
    }
  }
}

export async function answers200(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
