// Issues 8 and 16: `mhs-gateway bench --json` drives the real gateway (or two) and simulator on
// loopback and measures the transport and exchange floors in the same run. This runs it small,
// through the built CLI (npm test builds first), and checks that every figure is backed by what
// happened — never how fast it was.
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

/** Runs `mhs-gateway bench` with `args` and returns the JSON it printed (checked against --out). */
async function bench(args: string[]): Promise<BenchReport> {
  if (!existsSync(join(packageRoot, 'dist', 'tools', 'bench', 'index.js')))
    throw new Error('dist/ has no bench: run `npm run build` first (npm test does)');
  const out = join(dir, `result-${args.join('-').replace(/[^\w-]/g, '')}.json`);
  const { stdout } = await run(
    process.execPath,
    [join(packageRoot, 'bin', 'mhs-gateway.js'), 'bench', '--json', ...args, '--out', out],
    { cwd: packageRoot, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 },
  );
  const report = JSON.parse(stdout) as BenchReport;
  expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
  return report;
}

/** The exit code and stderr of a bench that must refuse to start. */
async function refused(args: string[]): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, [join(packageRoot, 'bin', 'mhs-gateway.js'), 'bench', ...args], {
    cwd: packageRoot,
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr.trim() }),
  );
}

describe('mhs-gateway bench', () => {
  it('measures a small run end to end and writes the same JSON it prints', async () => {
    const report = await bench([
      ...['--messages', '60', '--concurrency', '8', '--warmup', '10', '--rate', '20'],
      ...['--rate-seconds', '2', '--inbound', '30'],
    ]);
    expect(report.settings.instances).toBe(1);

    const { throughput, fixedRate, inbound } = report.gateway;
    // Every message accepted went all the way: stored, signed, sent, acknowledged, answered AA.
    expect(throughput.answers).toEqual({ '202': 60 });
    expect(throughput.toAcked.reached).toBe(60);
    expect(throughput.toCompleted.reached).toBe(60);
    expect(throughput.finalStatuses).toEqual({ COMPLETED: 60 });
    expect(throughput.resent).toBeGreaterThanOrEqual(0);
    expect(throughput.toAcked.messagesPerSecond).toBeGreaterThan(0);
    expect(throughput.postTo202Ms.p50).toBeLessThanOrEqual(throughput.postTo202Ms.p99);
    expect(throughput.gatewayCpuSecondsPer1000).toBeGreaterThan(0);
    // Seconds per 1,000 messages are milliseconds per message.
    expect(throughput.gatewayCpuMsPerExchange).toBeCloseTo(throughput.gatewayCpuSecondsPer1000, 1);
    // Where the CPU went: the event loop, the store and signing threads (named by the preload).
    const threads = throughput.cpuByThreadSecondsPer1000;
    expect(Object.keys(threads)).toEqual(expect.arrayContaining(['main', 'sqlite-worker', 'sign-worker']));
    expect(threads.main).toBeGreaterThan(0);
    expect(threads['sign-worker']).toBeGreaterThan(0);
    const threadSum = Object.values(threads).reduce((sum, s) => sum + s, 0);
    // The threads add up to the process, within /proc's 10 ms ticks and the rounding.
    expect(Math.abs(threadSum - throughput.gatewayCpuSecondsPer1000)).toBeLessThan(
      0.05 * throughput.gatewayCpuSecondsPer1000 + 0.5,
    );
    expect(fixedRate.sent).toBe(40);
    expect(fixedRate.answers['202']).toBe(40);
    // Inbound: each slot poll reached mhs.inbound once, read as the PAS reads it.
    expect(inbound).toMatchObject({ requested: 30, delivered: 30, refused: 0 });
    expect(report.gateway.peakRssMiB).toBeGreaterThan(20);

    // The floors ran in the same run, with the same count and concurrency, and really crossed mTLS.
    expect(report.floor.transport).toMatchObject({ messages: 60, concurrency: 8, postsReceived: 60 });
    const { exchange } = report.floor;
    expect(exchange).toMatchObject({ messages: 60, concurrency: 8, instances: 1 });
    expect(exchange.counted.spineSide).toMatchObject({
      messages: 60,
      acknowledgments: 60,
      applicationAcks: 60,
    });
    expect(exchange.counted.gatewaySide.published).toEqual({
      outbound: 60,
      signals: 120,
      inbound: 60,
    });
    // The floor's message is the size of the signed message this run's gateway sent.
    expect(exchange.sizes.message).toBeGreaterThan(4_000);
    expect(exchange.counted.spineSide.messageBytes).toBe(60 * exchange.sizes.message);
    expect(exchange.messagesPerSecond).toBeGreaterThan(0);
    expect(report.floor.rsaSigning.keyBits).toBe(2048);

    const { ratios } = report;
    const exact = (value: number, floor: number) => value / floor;
    expect(ratios.toAckedVsExchangeFloor).toBeCloseTo(
      exact(throughput.toAcked.messagesPerSecond, exchange.messagesPerSecond),
      2,
    );
    expect(ratios.toCompletedVsExchangeFloor).toBeCloseTo(
      exact(throughput.toCompleted.messagesPerSecond, exchange.messagesPerSecond),
      2,
    );
    expect(ratios.toAckedVsTransportFloor).toBeCloseTo(
      exact(throughput.toAcked.messagesPerSecond, report.floor.transport.messagesPerSecond),
      2,
    );
    expect(ratios.inboundVsTransportFloor).toBeCloseTo(
      exact(inbound.messagesPerSecond, report.floor.transport.messagesPerSecond),
      2,
    );
    expect(report.machine.cpus).toBeGreaterThan(0);
  }, 250_000);

  it('runs two gateway instances on one vhost and one PostgreSQL database', async () => {
    const report = await bench([
      ...['--store', 'postgres', '--instances', '2', '--messages', '40', '--concurrency', '8'],
      ...['--warmup', '10', '--rate', '10', '--rate-seconds', '2', '--inbound', '20'],
    ]);
    expect(report.settings).toMatchObject({ instances: 2, store: 'postgres' });
    const { throughput, inbound } = report.gateway;
    expect(throughput.answers).toEqual({ '202': 40 });
    expect(throughput.finalStatuses).toEqual({ COMPLETED: 40 });
    expect(inbound).toMatchObject({ requested: 20, delivered: 20, refused: 0 });
    // Both instances' main threads are counted (PostgreSQL: no store thread).
    expect(throughput.cpuByThreadSecondsPer1000.main).toBeGreaterThan(0);
    expect(throughput.cpuByThreadSecondsPer1000['sqlite-worker']).toBeUndefined();
    expect(report.floor.exchange).toMatchObject({ messages: 40, instances: 2 });
  }, 250_000);

  it('refuses a bad option with one line naming it', async () => {
    expect(await refused(['--messages', 'many'])).toEqual({
      code: 1,
      stderr: 'mhs-gateway: --messages must be a whole number of at least 1',
    });
  });

  it('refuses two instances without PostgreSQL, with one line saying why', async () => {
    expect(await refused(['--instances', '2'])).toEqual({
      code: 1,
      stderr: 'mhs-gateway: --instances above 1 needs --store postgres (the instances share one database)',
    });
  });
});
