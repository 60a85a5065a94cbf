import { parseArgs } from 'node:util';
import type { CommandLine } from './command-line.js';
import { DEFAULT_SOAK, runSoak } from './run.js';

/**
 * `mhs-gateway soak [--messages N] [--seed S] [--json]`: two gateway instances, the simulator and a
 * PAS under faults, kills and a RabbitMQ restart. Prints one JSON summary line on stdout, progress
 * on stderr (and, without --json, a one-line verdict); exits 1 when anything was lost or delivered twice.
 */
export async function runSoakCommand(
  args: string[],
  { wholeNumber, usageError }: CommandLine,
): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      kills: { type: 'string' },
      'rabbitmq-restarts': { type: 'string' },
      concurrency: { type: 'string' },
      broker: { type: 'string' },
      'keep-dir': { type: 'boolean' },
    },
    strict: true,
  });
  const broker = values.broker ?? DEFAULT_SOAK.brokerMode;
  if (broker !== 'own' && broker !== 'shared') throw usageError('--broker must be own or shared');
  const summary = await runSoak({
    ...DEFAULT_SOAK,
    messages: wholeNumber(values.messages, '--messages', DEFAULT_SOAK.messages, 1),
    seed: wholeNumber(values.seed, '--seed', Date.now() % 2_147_483_647, 0),
    kills: wholeNumber(values.kills, '--kills', DEFAULT_SOAK.kills, 0),
    brokerRestarts: wholeNumber(
      values['rabbitmq-restarts'],
      '--rabbitmq-restarts',
      DEFAULT_SOAK.brokerRestarts,
      0,
    ),
    concurrency: wholeNumber(values.concurrency, '--concurrency', DEFAULT_SOAK.concurrency, 1),
    brokerMode: broker,
    keepDir: values['keep-dir'] === true,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  // Written before exiting: a pipe's write is asynchronous.
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(summary)}\n`, () => resolve()));
  if (!values.json) {
    process.stderr.write(
      `\nsoak ${summary.ok ? 'PASSED' : 'FAILED'}: ${summary.accepted} accepted, ${summary.completed} completed, ${summary.failed.total} failed, ${summary.lost.total} lost, ${summary.duplicates.total} duplicates, ${summary.outcomesNotDelivered.total} outcomes not delivered, ${summary.durationSeconds} s\n`,
    );
  }
  // Nothing of the run may keep the process alive (a stray keep-alive socket would hang CI).
  process.exit(summary.ok ? 0 : 1);
}
