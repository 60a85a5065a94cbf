import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { loadConfig } from '#src/config/index.js';
import { openStore } from '#src/store/index.js';
import { startBenchEnvironment } from './environment.js';
import { type ExchangeFloorResult, measureExchangeFloor } from './exchange-floor.js';
import { type FloorResult, measureRsaSigning, measureTransportFloor, type SigningFloor } from './floor.js';
import { type InboundResult, runInbound } from './inbound.js';
import { type LoadResult, PasClient, runAtConcurrency, runAtRate } from './load.js';
import { type MessageTimeline, readTimelines, waitForStage } from './outcomes.js';
import {
  cpuSecondsOf,
  findRabbitMqPid,
  latencySummary,
  machineBusyPercent,
  ProcessWatcher,
  sampleMachine,
  sampleProcess,
} from './process-stats.js';
import { cpuByThread, sampleThreads } from './threads.js';

export interface BenchOptions {
  /** Messages in the fixed-concurrency phase (after the warm-up). */
  messages: number;
  concurrency: number;
  /** Fixed-rate phase: messages per second, for `rateSeconds`. */
  rate: number;
  rateSeconds: number;
  inboundMessages: number;
  warmup: number;
  store: 'sqlite' | 'postgres';
  /** Gateway processes sharing the vhost and the (PostgreSQL) database; the driver alternates between their APIs. */
  instances: number;
  logLevel: string;
  profileDir?: string;
  progress: (line: string) => void;
}

export const DEFAULT_BENCH: Omit<BenchOptions, 'progress'> = {
  messages: 5_000,
  concurrency: 64,
  rate: 200,
  rateSeconds: 20,
  inboundMessages: 3_000,
  warmup: 300,
  store: 'sqlite',
  instances: 1,
  logLevel: 'info',
};

type Latency = ReturnType<typeof latencySummary>;

export interface ThroughputPhase {
  messages: number;
  concurrency: number;
  answers: Record<string, number>;
  postTo202Ms: Latency;
  acceptedToAckedMs: Latency;
  acceptedToCompletedMs: Latency;
  /** Where the time to ACKED goes: queued before a send, the POST to Spine, Spine's ack after it. */
  stagesMs: { acceptedToSending: Latency; sendingToSent: Latency; sentToAcked: Latency };
  /** Messages per second: first POST sent → last message ACKED (or COMPLETED). */
  toAcked: { seconds: number; messagesPerSecond: number; reached: number };
  toCompleted: { seconds: number; messagesPerSecond: number; reached: number };
  finalStatuses: Record<string, number>;
  /**
   * Messages sent more than once (a retry after a failed POST waits the route's retry interval, a
   * minute for a slot cancellation): one of them is enough to stretch the time to the last ACKED.
   */
  resent: number;
  /** All gateway instances, all their threads. */
  gatewayCpuSecondsPer1000: number;
  /** The same figure per exchange, in milliseconds (issue 16's unit). */
  gatewayCpuMsPerExchange: number;
  /** The gateway's CPU by thread name (threads.ts), summed over instances: where it goes. */
  cpuByThreadSecondsPer1000: Record<string, number>;
  simulatorCpuSecondsPer1000: number;
  /** The local RabbitMQ node (all its vhosts) and this driver, for where the rest of the machine went. */
  rabbitmqCpuSecondsPer1000?: number;
  driverCpuSecondsPer1000: number;
  /** All cores of the machine, busy share while this phase ran (gateway, simulator, RabbitMQ, driver). */
  machineBusyPercent: number;
}

export interface RatePhase {
  rate: number;
  seconds: number;
  sent: number;
  answers: Record<string, number>;
  postTo202Ms: Latency;
  acceptedToAckedMs: Latency;
}

export interface BenchReport {
  command: string;
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  settings: Omit<BenchOptions, 'progress'>;
  gateway: {
    throughput: ThroughputPhase;
    fixedRate: RatePhase;
    inbound: InboundResult;
    /** The largest instance's peak. */
    peakRssMiB: number;
    /**
     * Resident set every second of the fixed-rate phase, in MiB (of the instance that grew largest):
     * flat means no leak under steady load.
     */
    rssDuringFixedRateMiB: { first: number; last: number; max: number };
  };
  floor: { transport: FloorResult; exchange: ExchangeFloorResult; rsaSigning: SigningFloor };
  /** Each gateway figure over a floor measured in the same run (1 would be as fast as the floor). */
  ratios: {
    toAckedVsExchangeFloor: number;
    toCompletedVsExchangeFloor: number;
    toAckedVsTransportFloor: number;
    toCompletedVsTransportFloor: number;
    inboundVsTransportFloor: number;
    inboundVsExchangeFloor: number;
    signingCeilingVsTransportFloor: number;
    /** Gateway CPU per exchange over the exchange floor's gateway-side CPU per exchange. */
    gatewayCpuVsExchangeFloorCpu: number;
  };
}

/** Runs every phase in one process tree and returns what it measured. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { progress } = options;
  const env = await startBenchEnvironment(options);
  try {
    const store = await openStore(env.storeSetting);
    const pas = new PasClient(
      env.gateways.map((g) => g.api),
      options.concurrency,
    );
    const gateways = env.gateways.map((g) => ({ pid: g.process.pid!, threadLog: g.threadLog }));
    const gatewaysCpu = () => gateways.reduce((sum, g) => sum + sampleProcess(g.pid).cpuSeconds, 0);
    let accepted = 0;
    const settle = async (label: string, stage: 'ACKED' | 'COMPLETED') => {
      const waited = await waitForStage(store, accepted, stage, 120_000);
      if (waited.timedOut) progress(`bench: ${label}: only ${waited.reached}/${accepted} reached ${stage}`);
    };
    try {
      progress(`bench: warm-up, ${options.warmup} messages`);
      accepted += acceptedIds(await runAtConcurrency(pas, options.warmup, options.concurrency)).length;
      await settle('warm-up', 'COMPLETED');

      progress(`bench: ${options.messages} messages at concurrency ${options.concurrency}`);
      const cpuBefore = gatewaysCpu();
      const threadsBefore = gateways.map((g) => sampleThreads(g.pid, g.threadLog));
      const simCpuBefore = sampleProcess(env.simulator.pid!).cpuSeconds;
      const machineBefore = sampleMachine();
      const rabbitPid = findRabbitMqPid();
      const rabbitCpuBefore = cpuSecondsOf(rabbitPid);
      const driverBefore = process.cpuUsage();
      const load = await runAtConcurrency(pas, options.messages, options.concurrency);
      const ids = acceptedIds(load);
      accepted += ids.length;
      await settle('throughput', 'ACKED');
      await settle('throughput', 'COMPLETED');
      const cpu = gatewaysCpu() - cpuBefore;
      const threads = cpuByThread(
        gateways.map((g, i) => ({ before: threadsBefore[i]!, after: sampleThreads(g.pid, g.threadLog) })),
      );
      const simCpu = sampleProcess(env.simulator.pid!).cpuSeconds - simCpuBefore;
      const machineBusy = machineBusyPercent(machineBefore, sampleMachine());
      const rabbitCpuAfter = cpuSecondsOf(rabbitPid);
      const rabbitCpu =
        rabbitCpuBefore !== undefined && rabbitCpuAfter !== undefined
          ? rabbitCpuAfter - rabbitCpuBefore
          : undefined;
      const driverUsage = process.cpuUsage(driverBefore);
      const driverCpu = (driverUsage.user + driverUsage.system) / 1e6;
      const throughput = throughputPhase(options, load, await readTimelines(store, ids), {
        gatewayCpu: cpu,
        threads,
        simulatorCpu: simCpu,
        machineBusy,
        rabbitCpu,
        driverCpu,
      });
      progress(
        `bench: ${throughput.toAcked.messagesPerSecond} messages/s to ACKED, ${throughput.toCompleted.messagesPerSecond} to COMPLETED`,
      );

      // The size of the signed message the exchange floor's first POST carries.
      const signedBytes = (await store.get(ids[0] ?? ''))?.http?.body.byteLength;

      progress(`bench: fixed rate ${options.rate}/s for ${options.rateSeconds} s`);
      const watchers = gateways.map((g) => new ProcessWatcher(g.pid, 1_000));
      const rateLoad = await runAtRate(pas, options.rate, options.rateSeconds);
      const rssSeries = watchers.map((watcher) => {
        watcher.stop();
        return watcher.samples.map((s) => mib(s.rssBytes));
      });
      const peakOf = (series: number[]) => series.reduce((max, value) => Math.max(max, value), 0);
      const rss = rssSeries.reduce<number[]>(
        (largest, series) => (peakOf(series) > peakOf(largest) ? series : largest),
        [],
      );
      const rateIds = acceptedIds(rateLoad);
      accepted += rateIds.length;
      await settle('fixed rate', 'COMPLETED');
      const rateTimelines = await readTimelines(store, rateIds);
      const fixedRate: RatePhase = {
        rate: options.rate,
        seconds: options.rateSeconds,
        sent: rateLoad.posted.length,
        answers: answers(rateLoad),
        postTo202Ms: latencySummary(rateLoad.posted.filter((p) => p.status === 202).map((p) => p.latencyMs)),
        acceptedToAckedMs: latencySummary(milestones(rateTimelines, 'ackedAt')),
      };
      progress(`bench: p99 POST → 202 at ${options.rate}/s: ${fixedRate.postTo202Ms.p99} ms`);

      progress(`bench: inbound, ${options.inboundMessages} slot polls`);
      const inbound = await runInbound({
        control: env.control,
        amqpUrl: env.broker.url,
        messages: options.inboundMessages,
        concurrency: options.concurrency,
        timeoutMs: 120_000,
      });
      progress(`bench: inbound ${inbound.messagesPerSecond} messages/s to mhs.inbound`);
      const peakRssMiB = Math.max(...gateways.map((g) => mib(sampleProcess(g.pid).peakRssBytes)));
      for (const gateway of env.gateways) await gateway.process.stop();
      await env.simulator.stop();

      progress(`bench: transport floor, ${options.messages} messages at concurrency ${options.concurrency}`);
      // The same bound the gateway's consumers run with (both read config/default.json).
      const prefetch = loadConfig({ env: {} }).amqp.prefetch;
      const tls = {
        caCert: env.pki.caCert,
        clientCert: env.pki.gatewayCert,
        clientKey: env.pki.gatewayKey,
        serverCert: env.pki.simulatorCert,
        serverKey: env.pki.simulatorKey,
      };
      const transport = await measureTransportFloor({
        messages: options.messages,
        concurrency: options.concurrency,
        prefetch,
        amqpUrl: env.broker.url,
        tls,
      });
      progress(
        `bench: exchange floor, ${options.messages} messages at concurrency ${options.concurrency}` +
          (options.instances > 1 ? ` over ${options.instances} gateway-side processes` : ''),
      );
      const exchange = await measureExchangeFloor({
        messages: options.messages,
        concurrency: options.concurrency,
        prefetch,
        amqpUrl: env.broker.url,
        tls,
        instances: options.instances,
        ...(signedBytes ? { sizes: { message: signedBytes } } : {}),
      });
      const rsaSigning = measureRsaSigning({
        privateKeyPem: readFileSync(env.pki.gatewayKey, 'utf8'),
        durationMs: 2_000,
      });
      progress(
        `bench: exchange floor ${exchange.messagesPerSecond} messages/s, transport floor ${transport.messagesPerSecond}; RSA-2048 ${rsaSigning.signaturesPerSecond} signatures/s on one core`,
      );
      return {
        command: 'mhs-gateway bench',
        date: new Date().toISOString(),
        machine: machine(),
        settings: settingsOf(options),
        gateway: {
          throughput,
          fixedRate,
          inbound,
          peakRssMiB,
          rssDuringFixedRateMiB: {
            first: rss[0] ?? 0,
            last: rss.at(-1) ?? 0,
            max: rss.reduce((max, value) => Math.max(max, value), 0),
          },
        },
        floor: { transport, exchange, rsaSigning },
        ratios: {
          toAckedVsExchangeFloor: ratio(throughput.toAcked.messagesPerSecond, exchange.messagesPerSecond),
          toCompletedVsExchangeFloor: ratio(
            throughput.toCompleted.messagesPerSecond,
            exchange.messagesPerSecond,
          ),
          toAckedVsTransportFloor: ratio(throughput.toAcked.messagesPerSecond, transport.messagesPerSecond),
          toCompletedVsTransportFloor: ratio(
            throughput.toCompleted.messagesPerSecond,
            transport.messagesPerSecond,
          ),
          inboundVsTransportFloor: ratio(inbound.messagesPerSecond, transport.messagesPerSecond),
          inboundVsExchangeFloor: ratio(inbound.messagesPerSecond, exchange.messagesPerSecond),
          signingCeilingVsTransportFloor: ratio(rsaSigning.signaturesPerSecond, transport.messagesPerSecond),
          gatewayCpuVsExchangeFloorCpu: ratio(
            throughput.gatewayCpuSecondsPer1000,
            exchange.cpuSecondsPer1000.gatewaySide,
          ),
        },
      };
    } finally {
      pas.close();
      await store.close().catch(() => undefined);
    }
  } finally {
    await env.close();
  }
}

function throughputPhase(
  options: BenchOptions,
  load: LoadResult,
  timelines: MessageTimeline[],
  measured: {
    gatewayCpu: number;
    threads: Record<string, number>;
    simulatorCpu: number;
    machineBusy: number;
    rabbitCpu: number | undefined;
    driverCpu: number;
  },
): ThroughputPhase {
  const accepted = timelines.length;
  const lastAcked = timelines.reduce((last, t) => Math.max(last, t.ackedAt ?? 0), 0);
  const lastCompleted = timelines.reduce((last, t) => Math.max(last, t.completedAt ?? 0), 0);
  const acked = timelines.filter((t) => t.ackedAt !== undefined).length;
  const completed = timelines.filter((t) => t.completedAt !== undefined).length;
  const ackedSeconds = (lastAcked - load.startedAtMs) / 1000;
  const completedSeconds = (lastCompleted - load.startedAtMs) / 1000;
  const finalStatuses: Record<string, number> = {};
  for (const t of timelines) finalStatuses[t.finalStatus] = (finalStatuses[t.finalStatus] ?? 0) + 1;
  return {
    messages: options.messages,
    concurrency: options.concurrency,
    answers: answers(load),
    postTo202Ms: latencySummary(load.posted.filter((p) => p.status === 202).map((p) => p.latencyMs)),
    acceptedToAckedMs: latencySummary(milestones(timelines, 'ackedAt')),
    acceptedToCompletedMs: latencySummary(milestones(timelines, 'completedAt')),
    stagesMs: {
      acceptedToSending: latencySummary(between(timelines, 'acceptedAt', 'sendingAt')),
      sendingToSent: latencySummary(between(timelines, 'sendingAt', 'sentAt')),
      sentToAcked: latencySummary(between(timelines, 'sentAt', 'ackedAt')),
    },
    toAcked: { seconds: round(ackedSeconds), messagesPerSecond: round(acked / ackedSeconds), reached: acked },
    toCompleted: {
      seconds: round(completedSeconds),
      messagesPerSecond: round(completed / completedSeconds),
      reached: completed,
    },
    finalStatuses,
    resent: timelines.filter((t) => t.sends > 1).length,
    gatewayCpuSecondsPer1000: round((measured.gatewayCpu / Math.max(1, accepted)) * 1000),
    // Seconds per 1,000 messages are milliseconds per message; rounded finer, as the target is 1.5 ms.
    gatewayCpuMsPerExchange: Math.round((measured.gatewayCpu / Math.max(1, accepted)) * 1000 * 1000) / 1000,
    cpuByThreadSecondsPer1000: Object.fromEntries(
      Object.entries(measured.threads)
        .sort(([, a], [, b]) => b - a)
        .map(([name, seconds]) => [name, round((seconds / Math.max(1, accepted)) * 1000)]),
    ),
    simulatorCpuSecondsPer1000: round((measured.simulatorCpu / Math.max(1, accepted)) * 1000),
    ...(measured.rabbitCpu !== undefined
      ? { rabbitmqCpuSecondsPer1000: round((measured.rabbitCpu / Math.max(1, accepted)) * 1000) }
      : {}),
    driverCpuSecondsPer1000: round((measured.driverCpu / Math.max(1, accepted)) * 1000),
    machineBusyPercent: measured.machineBusy,
  };
}

function milestones(timelines: MessageTimeline[], field: 'ackedAt' | 'completedAt'): number[] {
  return timelines.flatMap((t) => (t[field] !== undefined ? [t[field] - t.acceptedAt] : []));
}

function between(
  timelines: MessageTimeline[],
  from: 'acceptedAt' | 'sendingAt' | 'sentAt',
  to: 'sendingAt' | 'sentAt' | 'ackedAt',
): number[] {
  return timelines.flatMap((t) => {
    const start = t[from];
    const end = t[to];
    return start !== undefined && end !== undefined ? [end - start] : [];
  });
}

function acceptedIds(load: LoadResult): string[] {
  return load.posted.flatMap((p) => (p.status === 202 && p.messageId ? [p.messageId] : []));
}

/** HTTP statuses by count; a request that got no answer counts under its error code (e.g. ECONNRESET). */
function answers(load: LoadResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of load.posted) {
    const key = p.status === 0 ? (p.error ?? 'no answer') : String(p.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function machine(): BenchReport['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

function settingsOf(options: BenchOptions): Omit<BenchOptions, 'progress'> {
  const { progress: _progress, ...settings } = options;
  return settings;
}

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const round = (n: number) => Math.round(n * 100) / 100;
const ratio = (value: number, floor: number) => (floor > 0 ? Math.round((value / floor) * 1000) / 1000 : 0);
