import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type GatewayConfig, loadConfig } from '../config/index.js';
import { type DeadLetterPage, DeadLetters, OutboundSubmission } from '../outbound/index.js';
import { Broker } from '../queue/index.js';
import { loadRouteTable } from '../routing/index.js';
import { type LoadedTls, loadTls } from '../security/tls/index.js';
import {
  InvalidCursorError,
  MAX_SEARCH_LIMIT,
  type MessageStore,
  openStore,
  redactStoreSetting,
} from '../store/index.js';
import { UsageError } from './usage.js';

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
  before: { type: 'string' },
  reason: { type: 'string' },
} as const;
/** Which options each subcommand takes (parseArgs knows them all; the rest are refused here). */
const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  list: ['config', 'json', 'limit', 'before'],
  replay: ['config', 'json'],
  discard: ['config', 'reason'],
};

/**
 * `dlq list [--json] [--limit N] [--before CURSOR]`, `dlq replay ID [--json]`, `dlq discard ID [--reason TEXT]`:
 * dead letters handled directly on the configured store (and RabbitMQ, for a replay), with or without a
 * gateway running. Results go to stdout; anything that goes wrong is one line and exit 1.
 */
export async function runDlq(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const allowed = sub === undefined ? undefined : ALLOWED[sub];
  if (!allowed) throw new UsageError(`unknown dlq command "${sub ?? ''}" (list, replay, discard)`);
  const { values, positionals } = parse(rest);
  const extra = Object.keys(values).find((name) => !allowed.includes(name as keyof typeof OPTIONS));
  if (extra) throw new UsageError(`dlq ${sub} does not take --${extra}`);
  if (sub === 'list' && positionals.length > 0) throw new UsageError('dlq list takes no ID');
  if (sub !== 'list' && positionals.length !== 1)
    throw new UsageError(`dlq ${sub} needs exactly one message ID`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_SEARCH_LIMIT))
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
  const config = loadConfig({ file: values.config });
  const opened = await openDeadLetters(config);
  try {
    if (sub === 'list') return await list(opened.deadLetters, { ...values, limit });
    const id = positionals[0] as string;
    if (sub === 'replay') return await replay(opened.deadLetters, id, values.json ?? false);
    await opened.deadLetters.discard(id, { reason: values.reason, operator: operator() });
    process.stdout.write(`discarded ${id}${values.reason ? ` (${values.reason.trim()})` : ''}\n`);
  } catch (error) {
    throw oneLine(error);
  } finally {
    await opened.close();
  }
}

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
}

async function list(deadLetters: DeadLetters, values: { json?: boolean; limit?: number; before?: string }) {
  const page = await deadLetters.list({ limit: values.limit, before: values.before });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return;
  }
  process.stdout.write(table(page));
  if (page.next) process.stderr.write(`more: mhs-gateway dlq list --before '${page.next}'\n`);
}

async function replay(deadLetters: DeadLetters, id: string, json: boolean) {
  process.stderr.write(`replaying ${id} …\n`);
  const result = await deadLetters.replay(id, { operator: operator() });
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    result.sameMessageId
      ? `queued ${id} again with the same MessageId; a running gateway sends it now\n`
      : `replayed ${id} as new message ${result.messageId} (too late to resend the same MessageId); ${id} is marked replayed\n`,
  );
}

/** A plain table for people; `--json` is the form for scripts. */
function table(page: DeadLetterPage): string {
  if (page.deadLetters.length === 0) return 'no dead letters\n';
  const rows = page.deadLetters.map((d) => [
    d.messageId,
    d.interactionId,
    d.failedAt,
    String(d.attempts),
    d.reason.length > 80 ? `${d.reason.slice(0, 79)}…` : d.reason,
  ]);
  const all = [['MESSAGE ID', 'INTERACTION', 'FAILED AT', 'ATTEMPTS', 'REASON'], ...rows];
  const widths = all[0]!.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  return all
    .map(
      (row) => `${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  ')}\n`,
    )
    .join('');
}

/** Recorded in the message's history as who acted. */
function operator(): string {
  try {
    return `${userInfo().username} (command line)`;
  } catch {
    return 'command line';
  }
}

/** A malformed cursor names the option it came from; every other GatewayError is already one line (cli/errors). */
function oneLine(error: unknown): unknown {
  if (error instanceof InvalidCursorError) return new UsageError(`--before: ${error.message}`);
  return error;
}

/**
 * The store, and for replays RabbitMQ and the means to build a new message: the same parts
 * src/gateway wires, opened only as far as the command needs (list and discard work while RabbitMQ
 * is down, and never read the private key).
 */
async function openDeadLetters(
  config: GatewayConfig,
): Promise<{ deadLetters: DeadLetters; close(): Promise<void> }> {
  const file = config.store.startsWith('sqlite:') ? config.store.slice('sqlite:'.length) : undefined;
  // Opening would create an empty store, and "no dead letters" would hide a wrong setting.
  if (file !== undefined && file !== ':memory:' && !existsSync(file))
    throw new UsageError(
      `no store at ${resolve(file)}: check MHS_STORE or --config (the gateway creates it)`,
    );
  let store: MessageStore;
  try {
    store = await openStore(config.store);
  } catch (error) {
    const reason = ((error as Error).message || String(error)).split('\n')[0] ?? '';
    throw new UsageError(
      reason.startsWith('cannot open')
        ? reason
        : `cannot open store ${redactStoreSetting(config.store)}: ${reason}`,
    );
  }
  // Connects on the first publish, with a short wait: a replay with RabbitMQ down fails in seconds.
  const broker = new Broker(config.amqp.url, {
    instanceId: `dlq-${hostname()}-${process.pid}`,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    connectTimeoutMs: 5_000,
  });
  let submission: OutboundSubmission | undefined;
  let tls: LoadedTls | undefined;
  const submit = () =>
    (submission ??= new OutboundSubmission({
      partyKey: config.partyKey,
      asid: config.asid,
      routes: loadRouteTable(config.interactionsFile, config.routesFile),
      store,
      broker,
      signingIdentity: () => {
        if (!config.signing.enabled) return undefined;
        tls ??= loadTls(config.tls);
        return { privateKey: tls.privateKey, certificate: tls.certificate };
      },
      signatureAlgorithm: config.signing.algorithm,
    }));
  const deadLetters = new DeadLetters({
    store,
    broker,
    submission: { submit: (request) => submit().submit(request) },
  });
  return {
    deadLetters,
    close: async () => {
      await broker.close();
      await store.close();
    },
  };
}
