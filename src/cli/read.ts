import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { Broker, type Delivery, QUEUES } from '../queue/index.js';
import { UsageError, wholeNumber } from './usage.js';

/** The queues a PAS reads: the ones this command may take messages from. */
const PAS_QUEUES: readonly string[] = [QUEUES.inbound, QUEUES.referrals];

/** The most messages one read shows without taking them: each is held unacknowledged until the read ends. */
const MOST_SHOWN = 100;

/**
 * `read [QUEUE] [--count N] [--wait S] [--take] [--json] [--config FILE]`: prints what the PAS
 * would read. By default it only looks: every message goes back to the queue, in order, when the
 * read ends, so running it against a live PAS's queue takes nothing from the PAS. `--take`
 * acknowledges each printed message, as a PAS does, so it leaves the queue. Stops after `--count`
 * messages (at most 100 without `--take`), or when none has come for `--wait` seconds.
 */
export async function runRead(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      count: { type: 'string' },
      wait: { type: 'string' },
      take: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError('read takes one queue at most');
  const queue = positionals[0] ?? QUEUES.inbound;
  if (!PAS_QUEUES.includes(queue))
    throw new UsageError(`read takes a queue the PAS reads (${PAS_QUEUES.join(', ')}), not "${queue}"`);
  const take = values.take ?? false;
  const count = wholeNumber(values.count, '--count', take ? Number.POSITIVE_INFINITY : MOST_SHOWN, 1);
  if (!take && count > MOST_SHOWN)
    throw new UsageError(`read shows at most ${MOST_SHOWN} messages without --take`);
  const waitSeconds = wholeNumber(values.wait, '--wait', 2, 1);
  const config = loadConfig({ file: values.config });
  const broker = new Broker(config.amqp.url, {
    instanceId: `read-${hostname()}-${process.pid}`,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    connectTimeoutMs: 5_000,
  });
  try {
    await broker.start();
    const json = values.json ?? false;
    const read = await broker.browse(queue, { max: count, idleMs: waitSeconds * 1000, take }, (delivery) => {
      process.stdout.write(`${render(delivery, json)}\n`);
    });
    if (read === 0) process.stderr.write(`${queue} is empty\n`);
  } finally {
    await broker.close();
  }
}

/** The body as the PAS reads it: its JSON (pretty, or one line with --json), else the text. */
function render(delivery: Delivery, json: boolean): string {
  const text = delivery.body.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text), null, json ? undefined : 2);
  } catch {
    return text;
  }
}
