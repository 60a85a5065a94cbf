// The exchange floor: the whole transport work of one signed, acknowledged and answered message
// (exchange-work.ts: three mutual-TLS POSTs, four confirmed persistent publishes to quorum queues,
// three consumes) between separate processes, with no XML, no
// signing and no store — what the gateway's exchange would cost if everything but the transport
// were free, measured in the same run so the two figures are comparable.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import amqp, { type ChannelModel } from 'amqplib';
import type { ExchangeGatewayConfig, RunRequest } from './exchange-gateway.js';
import type { ExchangePeerConfig } from './exchange-peer.js';
import {
  addCounts,
  DEFAULT_SIZES,
  type ExchangeNames,
  type ExchangeSizes,
  emptyCounts,
  type GatewaySideCounts,
  type GatewaySideRecords,
  PER_EXCHANGE,
  type PeerCounts,
} from './exchange-work.js';
import type { FloorTls } from './floor.js';
import { type FloorChild, forkChild } from './floor-ipc.js';
import { declareQueues, deleteQueues } from './floor-wire.js';
import { cpuSecondsOf, findRabbitMqPid, latencySummary, sampleProcess } from './process-stats.js';

export interface ExchangeFloorOptions {
  messages: number;
  /** Publishes in flight at once, like concurrent PAS requests (shared out over the instances). */
  concurrency: number;
  /** Prefetch of each consumer (the gateway's amqp.prefetch). */
  prefetch: number;
  /** amqp:// URL; the caller passes a vhost of its own. */
  amqpUrl: string;
  /** client* are the gateway's certificate and key, server* the simulator's. */
  tls: FloorTls;
  /** Gateway-side processes, one per gateway instance (default 1). */
  instances?: number;
  sizes?: Partial<ExchangeSizes>;
  /** For the whole run to finish (default 5 minutes). */
  timeoutMs?: number;
}

type Latency = ReturnType<typeof latencySummary>;

export interface ExchangeFloorResult {
  messages: number;
  concurrency: number;
  instances: number;
  prefetch: number;
  /** First publish → last exchange COMPLETED (its AA's signal consumed). */
  seconds: number;
  messagesPerSecond: number;
  /** First publish → last Acknowledgment's signal consumed. */
  toAcked: { seconds: number; messagesPerSecond: number };
  /** Publish → COMPLETED, per message. */
  latencyMs: Latency;
  toAckedLatencyMs: Latency;
  /** CPU of the floor's own processes and of the RabbitMQ node while it ran. */
  cpuSecondsPer1000: { gatewaySide: number; spineSide: number; rabbitmq?: number };
  /** The work each exchange does, by design (exchange-work.ts). */
  perExchange: typeof PER_EXCHANGE;
  sizes: ExchangeSizes;
  /** The work done, as each side counted it: proves every step really happened. */
  counted: { gatewaySide: GatewaySideCounts; spineSide: PeerCounts };
  /** The run's own queues and exchange, deleted by the time the result is returned. */
  names: ExchangeNames;
}

const POLL_MS = 50;

export async function measureExchangeFloor(options: ExchangeFloorOptions): Promise<ExchangeFloorResult> {
  const instances = options.instances ?? 1;
  for (const [name, value] of Object.entries({
    messages: options.messages,
    concurrency: options.concurrency,
    prefetch: options.prefetch,
    instances,
  }))
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
  const sizes = { ...DEFAULT_SIZES, ...options.sizes };
  const suffix = randomUUID();
  const names: ExchangeNames = {
    outbound: `bench.exchange.outbound.${suffix}`,
    signals: `bench.exchange.signals.${suffix}`,
    inbound: `bench.exchange.inbound.${suffix}`,
  };
  const queues = [names.outbound, names.signals, names.inbound];
  const { tls } = options;
  // Undone in reverse order, whether the run succeeds or fails.
  const cleanups: (() => unknown)[] = [];
  let connection: ChannelModel | undefined;
  try {
    connection = await amqp.connect(options.amqpUrl, {
      clientProperties: { connection_name: 'mhs-gateway bench exchange floor (set-up)' },
    });
    const setup = connection;
    setup.on('error', () => undefined);
    cleanups.push(() => setup.close());
    await declareQueues(setup, queues);
    cleanups.push(() => deleteQueues(setup, options.amqpUrl, queues));

    const peer = await forkChild('exchange-peer.js', {
      tls: { cert: tls.serverCert, key: tls.serverKey, ca: tls.caCert },
      sizes,
    } satisfies ExchangePeerConfig);
    cleanups.push(() => peer.stop());
    const gateways: FloorChild[] = [];
    for (let instance = 1; instance <= instances; instance += 1) {
      const gateway = await forkChild('exchange-gateway.js', {
        instance,
        amqpUrl: options.amqpUrl,
        names,
        prefetch: options.prefetch,
        tls: { cert: tls.clientCert, key: tls.clientKey, ca: tls.caCert },
        // The dev certificates name localhost.
        spineUrl: `https://localhost:${peer.port}/`,
        sizes,
      } satisfies ExchangeGatewayConfig);
      gateways.push(gateway);
      cleanups.push(() => gateway.stop());
    }
    const children = [peer, ...gateways];
    const failed = Promise.race(children.map((child) => child.failed));
    failed.catch(() => undefined); // raced by every step below
    const guarded = <T>(work: Promise<T>) => Promise.race([work, failed]);
    await guarded(
      peer.request(
        'targets',
        gateways.map((g) => `https://localhost:${g.port}/`),
      ),
    );

    const rabbitPid = findRabbitMqPid();
    const cpu = () => ({
      gatewaySide: gateways.reduce((sum, g) => sum + sampleProcess(g.pid).cpuSeconds, 0),
      spineSide: sampleProcess(peer.pid).cpuSeconds,
      rabbitmq: cpuSecondsOf(rabbitPid),
    });
    const totals = async () =>
      (await guarded(Promise.all(gateways.map((g) => g.request<GatewaySideCounts>('counts'))))).reduce(
        addCounts,
        emptyCounts(),
      );
    const deadline = Date.now() + (options.timeoutMs ?? 300_000);
    const until = async (done: (counts: GatewaySideCounts) => boolean, what: string, by = deadline) => {
      for (;;) {
        const counts = await totals();
        if (done(counts)) return counts;
        if (Date.now() > by) throw new Error(`exchange floor: ${what} did not happen in time`);
        await guarded(sleep(POLL_MS));
      }
    };

    const cpuBefore = cpu();
    await guarded(
      Promise.all(
        gateways.map((gateway, i) =>
          gateway.request('run', {
            messages: share(options.messages, instances, i),
            publishers: Math.max(1, share(options.concurrency, instances, i)),
          } satisfies RunRequest),
        ),
      ),
    );
    const gatewaySide = await until(
      (c) => c.acked >= options.messages && c.completed >= options.messages,
      `all ${options.messages} exchanges`,
    );
    const cpuAfter = cpu();
    const spineSide = await guarded(peer.request<PeerCounts>('counts'));
    const records = await guarded(Promise.all(gateways.map((g) => g.request<GatewaySideRecords>('records'))));
    await guarded(Promise.all(gateways.map((g) => g.request('close'))));

    const published = new Map(records.flatMap((r) => r.published));
    const acked = new Map(records.flatMap((r) => r.acked));
    const completed = new Map(records.flatMap((r) => r.completed));
    const start = Math.min(...published.values());
    const seconds = (Math.max(...completed.values()) - start) / 1000;
    const ackedSeconds = (Math.max(...acked.values()) - start) / 1000;
    const since = (milestones: Map<string, number>) =>
      [...milestones].flatMap(([id, at]) => {
        const from = published.get(id);
        return from === undefined ? [] : [at - from];
      });
    const per1000 = (value: number) => round((value / options.messages) * 1000);
    return {
      messages: options.messages,
      concurrency: options.concurrency,
      instances,
      prefetch: options.prefetch,
      seconds: round(seconds, 3),
      messagesPerSecond: round(completed.size / seconds, 1),
      toAcked: { seconds: round(ackedSeconds, 3), messagesPerSecond: round(acked.size / ackedSeconds, 1) },
      latencyMs: latencySummary(since(completed)),
      toAckedLatencyMs: latencySummary(since(acked)),
      cpuSecondsPer1000: {
        gatewaySide: per1000(cpuAfter.gatewaySide - cpuBefore.gatewaySide),
        spineSide: per1000(cpuAfter.spineSide - cpuBefore.spineSide),
        ...(cpuAfter.rabbitmq !== undefined && cpuBefore.rabbitmq !== undefined
          ? { rabbitmq: per1000(cpuAfter.rabbitmq - cpuBefore.rabbitmq) }
          : {}),
      },
      perExchange: PER_EXCHANGE,
      sizes,
      counted: { gatewaySide, spineSide },
      names,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: one failed step (say a channel already closed) must not skip the rest.
      }
    }
  }
}

/** Instance `i`'s share of `total`, as even as whole numbers allow. */
function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

function round(n: number, places = 2): number {
  const factor = 10 ** places;
  return Math.round(n * factor) / factor;
}
