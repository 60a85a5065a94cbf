// Issue: `npm run soak` proves nothing accepted is lost or delivered twice while things break. CI
// runs a short soak through the built CLI (npm test builds first): two gateway instances, the
// simulator and a PAS, with faults, SIGKILLs and a RabbitMQ restart (the soak's own node).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import type { SoakSummary } from '../../../tools/soak/index.js';

const run = promisify(execFile);
const MESSAGES = 300;
const OUTBOUND_SHARE = 0.5;

async function soak(args: string[]): Promise<{ summary: SoakSummary; exitCode: number; stderr: string }> {
  const bin = join(packageRoot, 'bin', 'mhs-gateway.js');
  if (!existsSync(join(packageRoot, 'dist', 'tools', 'soak', 'index.js')))
    throw new Error('dist/ has no soak: run `npm run build` first (npm test does)');
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'soak', ...args], {
      cwd: packageRoot,
      timeout: 280_000,
      maxBuffer: 20 * 1024 * 1024,
    });
    return { summary: lastJsonLine(stdout), exitCode: 0, stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number };
    if (!failed.stdout?.trim()) throw new Error(`soak printed no summary: ${failed.stderr?.slice(-3_000)}`);
    return { summary: lastJsonLine(failed.stdout), exitCode: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

function lastJsonLine(stdout: string): SoakSummary {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as SoakSummary;
}

describe('soak', () => {
  it(`${MESSAGES} messages under faults, kills and a RabbitMQ restart: nothing lost, nothing twice`, async () => {
    const { summary, exitCode, stderr } = await soak([
      '--messages',
      String(MESSAGES),
      '--seed',
      '20261122',
      '--json',
    ]);
    const context = `${JSON.stringify(summary, null, 1)}\n${stderr.slice(-2_000)}`;
    expect(summary.lost, context).toMatchObject({
      total: 0,
      outboundNotFinal: 0,
      outboundMissing: 0,
      requestsNotDelivered: 0,
    });
    expect(summary.duplicates.total, context).toBe(0);
    expect(summary.outcomesNotDelivered.total, context).toBe(0);
    expect(summary.settled, context).toBe(true);
    // Failures of the soak's own machinery (a driver request that failed), named.
    expect(summary.errors, context).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(exitCode).toBe(0);
    expect(summary.accepted).toBeGreaterThanOrEqual(MESSAGES * OUTBOUND_SHARE);
    expect(summary.completed + summary.failed.total).toBe(summary.accepted);
    expect(summary.inbound.deliveredToPas).toBeGreaterThanOrEqual(summary.inbound.acknowledged);
    // The breakage really happened.
    expect(summary.kills.length).toBeGreaterThanOrEqual(1);
    expect(summary.rabbitmqRestarts.length).toBeGreaterThanOrEqual(1);
    expect(summary.unexpectedExits).toEqual([]);
    for (const fault of [
      'retriable SOAP fault 206',
      'MessageError',
      'dropped acknowledgments',
      'slow Spine',
      'duplicate deliveries',
      'application acknowledgement AE/AR',
    ])
      expect(summary.faultsInjected[fault], fault).toBeGreaterThanOrEqual(1);
    expect(summary.inbound.sentTwiceByFault).toBeGreaterThanOrEqual(1);
    // MessageErrors end NACKED, counted under failed by reason.
    expect(Object.keys(summary.failed.byReason).some((reason) => reason.startsWith('NACKED'))).toBe(true);
  }, 300_000);
});
