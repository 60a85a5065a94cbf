import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { Broker, type Delivery, QUEUES } from '../queue/index.js';
import { UsageError, wholeNumber } from './usage.js';

/** The queues a PAS reads: the ones this command may take messages from. */
const PAS_QUEUES: readonly string[] = [QUEUES.inbound, QUEUES.referrals];

/**
 * `read [QUEUE] [--count N] [--wait S] [--json] [--config FILE]`: reads what the PAS would read,
 * as a PAS does: each message is printed, then acknowledged, so it leaves the queue. Stops after
 * `--count` messages, or when none has come for `--wait` seconds. For a newcomer following the
 * README without a PAS, and for an operator draining a development queue.
 */
export async function runRead(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      count: { type: 'string' },
      wait: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 1) throw new UsageError('read takes one queue at most');
  const queue = positionals[0] ?? QUEUES.inbound;
  if (!PAS_QUEUES.includes(queue))
    throw new UsageError(`read takes a queue the PAS reads (${PAS_QUEUES.join(', ')}), not "${queue}"`);
  const count = wholeNumber(values.count, '--count', Number.POSITIVE_INFINITY, 1);
  const waitSeconds = wholeNumber(values.wait, '--wait', 2, 1);
  const config = loadConfig({ file: values.config });
  const broker = new Broker(config.amqp.url, {
    instanceId: `read-${hostname()}-${process.pid}`,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    connectTimeoutMs: 5_000,
  });
  try {
    await broker.start();
    await readUntilDone(broker, queue, count, waitSeconds * 1000, values.json ?? false);
  } finally {
    await broker.close();
  }
}

async function readUntilDone(
  broker: Broker,
  queue: string,
  count: number,
  idleMs: number,
  json: boolean,
): Promise<void> {
  let printed = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let idle: NodeJS.Timeout | undefined;
  // The wait counts from the last message, or from when the consumer was in place.
  const waitAgain = () => {
    clearTimeout(idle);
    idle = setTimeout(finish, idleMs);
  };
  await broker.consume(
    queue,
    async (delivery) => {
      // Past the count (prefetched with the last one wanted): back to the queue, untouched.
      if (printed >= count) return 'requeue';
      printed += 1;
      process.stdout.write(`${render(delivery, json)}\n`);
      if (printed >= count) finish();
      else waitAgain();
      return 'ack';
    },
    Number.isFinite(count) ? Math.min(count, 100) : 100,
  );
  if (printed === 0) waitAgain();
  await done;
  clearTimeout(idle);
  await broker.stopConsuming(5_000);
  if (printed === 0) process.stderr.write(`${queue} is empty\n`);
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
