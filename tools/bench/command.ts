import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '#src/config/index.js';
import type { CommandLine } from '../soak/index.js';
import { formatReport } from './report.js';
import { DEFAULT_BENCH, runBench } from './run.js';

/**
 * `mhs-gateway bench [--json]`: the gateway (or `--instances` of them) and the simulator on
 * loopback under load, then the transport and exchange floors in the same run. Writes the JSON to bench/results/ (or --out), prints the summary
 * (or, with --json, the JSON) on stdout and progress on stderr.
 */
export async function runBenchCommand(
  args: string[],
  { wholeNumber, usageError }: CommandLine,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      out: { type: 'string' },
      messages: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'rate-seconds': { type: 'string' },
      inbound: { type: 'string' },
      warmup: { type: 'string' },
      store: { type: 'string' },
      instances: { type: 'string' },
      'log-level': { type: 'string' },
      profile: { type: 'string' },
    },
    strict: true,
  });
  const store = values.store ?? DEFAULT_BENCH.store;
  if (store !== 'sqlite' && store !== 'postgres') throw usageError('--store must be sqlite or postgres');
  const instances = wholeNumber(values.instances, '--instances', DEFAULT_BENCH.instances, 1);
  if (instances > 1 && store !== 'postgres')
    throw usageError('--instances above 1 needs --store postgres (the instances share one database)');
  const report = await runBench({
    messages: wholeNumber(values.messages, '--messages', DEFAULT_BENCH.messages, 1),
    concurrency: wholeNumber(values.concurrency, '--concurrency', DEFAULT_BENCH.concurrency, 1),
    rate: wholeNumber(values.rate, '--rate', DEFAULT_BENCH.rate, 1),
    rateSeconds: wholeNumber(values['rate-seconds'], '--rate-seconds', DEFAULT_BENCH.rateSeconds, 1),
    inboundMessages: wholeNumber(values.inbound, '--inbound', DEFAULT_BENCH.inboundMessages, 1),
    warmup: wholeNumber(values.warmup, '--warmup', DEFAULT_BENCH.warmup, 0),
    store,
    instances,
    logLevel: values['log-level'] ?? DEFAULT_BENCH.logLevel,
    ...(values.profile ? { profileDir: resolve(values.profile) } : {}),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const json = JSON.stringify(report, null, 2);
  const out =
    values.out ?? join(packageRoot, 'bench', 'results', `bench-${report.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${json}\n`);
  const text = values.json
    ? json
    : `${formatReport(report)}\n\nresults: ${relative(process.cwd(), out) || out}`;
  await new Promise<void>((resolve) => process.stdout.write(`${text}\n`, () => resolve()));
  // A stray keep-alive socket must not keep the command alive.
  process.exit(0);
}
