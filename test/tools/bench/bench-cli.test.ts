// Issue 8: `mhs-gateway bench --json` drives the real gateway and simulator on loopback and measures
// the transport floor in the same run. This runs it small, through the built CLI (npm test builds
// first), and checks that every figure is backed by what happened — never how fast it was.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import type { BenchReport } from '../../../tools/bench/index.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mhs-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mhs-gateway bench', () => {
  it('measures a small run end to end and writes the same JSON it prints', async () => {
    if (!existsSync(join(packageRoot, 'dist', 'tools', 'bench', 'index.js')))
      throw new Error('dist/ has no bench: run `npm run build` first (npm test does)');
    const out = join(dir, 'result.json');
    const args = ['--json', '--messages', '60', '--concurrency', '8', '--warmup', '10', '--rate', '20'];
    args.push('--rate-seconds', '2', '--inbound', '30', '--out', out);
    const { stdout } = await run(
      process.execPath,
      [join(packageRoot, 'bin', 'mhs-gateway.js'), 'bench', ...args],
      { cwd: packageRoot, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as BenchReport;
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);

    const { throughput, fixedRate, inbound } = report.gateway;
    // Every message accepted went all the way: stored, signed, sent, acknowledged, answered AA.
    expect(throughput.answers).toEqual({ '202': 60 });
    expect(throughput.toAcked.reached).toBe(60);
    expect(throughput.toCompleted.reached).toBe(60);
    expect(throughput.finalStatuses).toEqual({ COMPLETED: 60 });
    expect(throughput.toAcked.messagesPerSecond).toBeGreaterThan(0);
    expect(throughput.postTo202Ms.p50).toBeLessThanOrEqual(throughput.postTo202Ms.p99);
    expect(throughput.gatewayCpuSecondsPer1000).toBeGreaterThan(0);
    expect(fixedRate.sent).toBe(40);
    expect(fixedRate.answers['202']).toBe(40);
    // Inbound: each slot poll reached mhs.inbound once, read as the PAS reads it.
    expect(inbound).toMatchObject({ requested: 30, delivered: 30, refused: 0 });
    expect(report.gateway.peakRssMiB).toBeGreaterThan(20);

    // The floor ran in the same run, with the same count and concurrency, and really crossed mTLS.
    expect(report.floor.transport).toMatchObject({ messages: 60, concurrency: 8, postsReceived: 60 });
    expect(report.floor.rsaSigning.keyBits).toBe(2048);
    expect(report.ratios.ackedPerSecondToTransport).toBeCloseTo(
      throughput.toAcked.messagesPerSecond / report.floor.transport.messagesPerSecond,
      2,
    );
    expect(report.machine.cpus).toBeGreaterThan(0);
  }, 250_000);

  it('refuses a bad option with one line naming it', async () => {
    const failed = await run(
      process.execPath,
      [join(packageRoot, 'bin', 'mhs-gateway.js'), 'bench', '--messages', 'many'],
      {
        cwd: packageRoot,
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect((failed as { code: number }).code).toBe(1);
    expect((failed as { stderr: string }).stderr.trim()).toBe(
      'mhs-gateway: --messages must be a whole number of at least 1',
    );
  });
});
