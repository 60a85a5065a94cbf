import type { RequestHandler } from 'express';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Direction, MessageState } from '../store/index.js';
import { RateWindow } from './rates.js';
import type { OpsState, OpsStateReader } from './state.js';

/**
 * Latency buckets in seconds: a synchronous hop answers in well under a second, an ebXML
 * acknowledgment within seconds, and e-RS's application acknowledgement may take minutes to hours.
 */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600];

/** Running totals the dashboard turns into rates (the counters' own values, without an async read). */
export interface MetricTotals {
  outbound: number;
  inbound: number;
  retries: number;
  deadLetters: number;
  duplicatesEliminated: number;
}

export interface MetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop), prefixed `mhs_`. Default true. */
  processMetrics?: boolean;
}

/**
 * One gateway instance's Prometheus metrics, in a registry of its own (never the global one, so two
 * gateways in one process, as in the tests, never mix their numbers). Counters move as the store
 * records messages (see instrumentStore); gauges read the current state when scraped.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly totalsSoFar: MetricTotals = {
    outbound: 0,
    inbound: 0,
    retries: 0,
    deadLetters: 0,
    duplicatesEliminated: 0,
  };
  private readonly messages: Counter<'direction' | 'interaction'>;
  private readonly transitions: Counter<'interaction' | 'state'>;
  private readonly retries: Counter<'interaction'>;
  private readonly deadLetters: Counter<'interaction'>;
  private readonly duplicates: Counter;
  private readonly shed: Counter;
  private readonly acknowledged: Histogram<'interaction'>;
  private readonly completed: Histogram<'interaction'>;
  private stateReader?: Pick<OpsStateReader, 'read'>;
  /** Messages stored per 10 s, both directions, for the dashboard's rates and charts. */
  readonly flow = new RateWindow<Direction>();

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.messages = new Counter({
      name: 'mhs_messages_total',
      help: 'Messages stored: outbound = accepted from the PAS, inbound = received from Spine (duplicates excluded).',
      labelNames: ['direction', 'interaction'],
      registers,
    });
    this.transitions = new Counter({
      name: 'mhs_message_transitions_total',
      help: 'Outcomes per interaction: state changes, by the state reached (SENT, ACKED, COMPLETED, NACKED, REJECTED, FAILED, DELIVERED, ...).',
      labelNames: ['interaction', 'state'],
      registers,
    });
    this.retries = new Counter({
      name: 'mhs_retries_total',
      help: 'Sends that failed transiently and were scheduled to be retried (transitions to RETRYING).',
      labelNames: ['interaction'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'mhs_dead_letters_total',
      help: 'Messages given up on (retries or persist duration exhausted) and parked on mhs.dead-letter.',
      labelNames: ['interaction'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'mhs_duplicates_eliminated_total',
      help: 'Inbound messages whose MessageId was seen before: answered with the original acknowledgment, not delivered again.',
      registers,
    });
    this.shed = new Counter({
      name: 'mhs_submissions_shed_total',
      help: 'PAS submissions answered 503 with Retry-After because api.maxInFlight were already in progress (back-pressure); nothing was stored.',
      registers,
    });
    this.acknowledged = new Histogram({
      name: 'mhs_accepted_to_acknowledged_seconds',
      help: 'Seconds from accepting an outbound message to its ebXML Acknowledgment (ACKED).',
      labelNames: ['interaction'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.completed = new Histogram({
      name: 'mhs_accepted_to_completed_seconds',
      help: 'Seconds from accepting an outbound message to its completion (application acknowledgement AA, or the synchronous reply).',
      labelNames: ['interaction'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.stateGauges(registers);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'mhs_' });
  }

  /** Where the scrape-time gauges read queue depth, counts, certificate expiry and store size. */
  readStateFrom(reader: Pick<OpsStateReader, 'read'>): void {
    this.stateReader = reader;
  }

  messageStored(direction: Direction, interactionId: string, at: Date = new Date()): void {
    this.messages.inc({ direction, interaction: interactionId });
    this.totalsSoFar[direction] += 1;
    this.flow.record(direction, at);
  }

  /** A successful transition; `acceptedAt` (the message's createdAt) times ACKED and COMPLETED. */
  messageMoved(interactionId: string, state: MessageState, acceptedAt?: string, at: Date = new Date()): void {
    const interaction = interactionId;
    this.transitions.inc({ interaction, state });
    if (state === 'RETRYING') {
      this.retries.inc({ interaction });
      this.totalsSoFar.retries += 1;
    }
    if (state === 'FAILED') {
      this.deadLetters.inc({ interaction });
      this.totalsSoFar.deadLetters += 1;
    }
    const since = acceptedAt ? Date.parse(acceptedAt) : Number.NaN;
    if (Number.isNaN(since)) return;
    const seconds = Math.max(0, (at.getTime() - since) / 1000);
    if (state === 'ACKED') this.acknowledged.observe({ interaction }, seconds);
    if (state === 'COMPLETED') this.completed.observe({ interaction }, seconds);
  }

  /** The inbound pipeline answered a duplicate with the stored acknowledgment. */
  duplicateEliminated(): void {
    this.duplicates.inc();
    this.totalsSoFar.duplicatesEliminated += 1;
  }

  submissionShed(): void {
    this.shed.inc();
  }

  totals(): MetricTotals {
    return { ...this.totalsSoFar };
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private stateGauges(registers: Registry[]): void {
    const read = async (): Promise<OpsState | undefined> => this.stateReader?.read();
    const queueMessages: Gauge<'queue'> = new Gauge({
      name: 'mhs_queue_messages',
      help: 'Messages waiting in each mhs.* RabbitMQ queue (ready, not yet delivered to a consumer).',
      labelNames: ['queue'],
      registers,
      collect: async () => {
        const state = await read();
        queueMessages.reset();
        for (const q of state?.queues ?? []) queueMessages.set({ queue: q.queue }, q.messages);
      },
    });
    const queueConsumers: Gauge<'queue'> = new Gauge({
      name: 'mhs_queue_consumers',
      help: 'Consumers attached to each mhs.* RabbitMQ queue (0 on mhs.inbound means the PAS is not reading).',
      labelNames: ['queue'],
      registers,
      collect: async () => {
        const state = await read();
        queueConsumers.reset();
        for (const q of state?.queues ?? []) queueConsumers.set({ queue: q.queue }, q.consumers);
      },
    });
    const rabbitmq: Gauge = new Gauge({
      name: 'mhs_rabbitmq_connected',
      help: '1 while this instance is connected to RabbitMQ, 0 otherwise.',
      registers,
      collect: async () => {
        const state = await read();
        if (state) rabbitmq.set(state.rabbitmqConnected ? 1 : 0);
      },
    });
    const byState: Gauge<'interaction' | 'state'> = new Gauge({
      name: 'mhs_messages_by_state',
      help: 'Messages in the store now, by interaction and state.',
      labelNames: ['interaction', 'state'],
      registers,
      collect: async () => {
        const state = await read();
        if (!state) return;
        byState.reset();
        for (const c of state.counts) byState.inc({ interaction: c.interactionId, state: c.status }, c.count);
      },
    });
    const oldest: Gauge = new Gauge({
      name: 'mhs_oldest_in_flight_seconds',
      help: 'Age of the oldest outbound message not yet in a final state (0 when none): a stuck queue shows here first.',
      registers,
      collect: async () => {
        const state = await read();
        if (state && !state.errors.some((e) => e.startsWith('oldest')))
          oldest.set(state.oldestInFlight?.ageSeconds ?? 0);
      },
    });
    const storeSize: Gauge = new Gauge({
      name: 'mhs_store_size_bytes',
      help: 'Bytes the message store occupies (SQLite file pages, or the PostgreSQL tables).',
      registers,
      collect: async () => {
        const state = await read();
        if (state?.storeBytes !== undefined) storeSize.set(state.storeBytes);
      },
    });
    const certificate: Gauge = new Gauge({
      name: 'mhs_certificate_expiry_seconds',
      help: "Seconds until the gateway's TLS client certificate expires (negative once expired).",
      registers,
      collect: async () => {
        const state = await read();
        if (state?.certificate) certificate.set(state.certificate.expiresInSeconds);
      },
    });
  }
}

/** `GET /metrics`: the Prometheus text format. */
export function metricsHandler(metrics: GatewayMetrics): RequestHandler {
  return async (_request, response, next) => {
    try {
      const text = await metrics.text();
      response.set('Content-Type', metrics.contentType).set('Cache-Control', 'no-store').send(text);
    } catch (error) {
      next(error);
    }
  };
}
