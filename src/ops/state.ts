import { QUEUES } from '../queue/index.js';
import type { InFlightMessage, MessageStore, StateCount } from '../store/index.js';

/** What the state reader needs from the broker: the depth of a named queue. */
export interface QueueDepthSource {
  readonly connected: boolean;
  queueDepth(queue: string): Promise<{ messages: number; consumers: number }>;
}

/** The gateway's own certificate as node:crypto's X509Certificate describes it. */
export interface CertificateInfo {
  validTo: string;
  subject?: string;
}

export interface OpsStateSources {
  store: Pick<MessageStore, 'countByState' | 'oldestInFlight' | 'sizeBytes'>;
  broker?: QueueDepthSource;
  certificate?: () => CertificateInfo;
  /** Queues to report; every `mhs.*` queue by default. */
  queues?: readonly string[];
  /** How long one reading is reused, so a busy dashboard or scraper does not hammer RabbitMQ. */
  cacheMs?: number;
  clock?: () => Date;
}

export interface QueueState {
  queue: string;
  messages: number;
  consumers: number;
}

/** One reading of everything the gauges and the dashboard show. */
export interface OpsState {
  at: string;
  rabbitmqConnected: boolean;
  /** Empty while RabbitMQ is not connected. */
  queues: QueueState[];
  counts: StateCount[];
  oldestInFlight?: InFlightMessage & { ageSeconds: number };
  storeBytes?: number;
  certificate?: { subject?: string; validTo: string; expiresInSeconds: number };
  /** What could not be read this time, one line each. */
  errors: string[];
}

export const DEFAULT_STATE_CACHE_MS = 2_000;

/**
 * Reads queue depths, counts by state, the oldest in-flight message, store size and certificate
 * expiry, and reuses the reading for `cacheMs`. A part that fails is left out and named in `errors`.
 */
export class OpsStateReader {
  private cached?: { until: number; reading: Promise<OpsState> };

  constructor(private readonly sources: OpsStateSources) {}

  read(): Promise<OpsState> {
    const now = this.now().getTime();
    if (this.cached && now < this.cached.until) return this.cached.reading;
    const reading = this.readNow();
    this.cached = { until: now + (this.sources.cacheMs ?? DEFAULT_STATE_CACHE_MS), reading };
    return reading;
  }

  private async readNow(): Promise<OpsState> {
    const now = this.now();
    const errors: string[] = [];
    const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await read();
      } catch (error) {
        errors.push(`${what}: ${(error as Error).message.split('\n')[0]}`);
        return undefined;
      }
    };
    const { store, broker } = this.sources;
    const connected = broker?.connected ?? false;
    // Asking a disconnected broker waits for a reconnect; a scrape must answer at once instead.
    const names = connected ? (this.sources.queues ?? Object.values(QUEUES)) : [];
    const [queues, counts, oldest, storeBytes] = await Promise.all([
      Promise.all(
        names.map((queue) =>
          attempt(`queue ${queue}`, async () => ({ queue, ...(await broker!.queueDepth(queue)) })),
        ),
      ),
      attempt('store counts', () => store.countByState()),
      attempt('oldest in-flight message', () => store.oldestInFlight()),
      attempt('store size', () => store.sizeBytes()),
    ]);
    const state: OpsState = {
      at: now.toISOString(),
      rabbitmqConnected: connected,
      queues: queues.filter((q): q is QueueState => q !== undefined),
      counts: counts ?? [],
      errors,
    };
    if (broker && !connected) errors.push('RabbitMQ is not connected');
    if (oldest) {
      const ageSeconds = Math.max(0, (now.getTime() - Date.parse(oldest.createdAt)) / 1000);
      state.oldestInFlight = { ...oldest, ageSeconds };
    }
    if (storeBytes !== undefined) state.storeBytes = storeBytes;
    const certificate = this.certificate(now, errors);
    if (certificate) state.certificate = certificate;
    return state;
  }

  private certificate(now: Date, errors: string[]): OpsState['certificate'] {
    if (!this.sources.certificate) return undefined;
    try {
      const { validTo, subject } = this.sources.certificate();
      const expiry = new Date(validTo);
      if (Number.isNaN(expiry.getTime())) throw new Error(`validTo ${validTo} is not a date`);
      return {
        ...(subject ? { subject } : {}),
        validTo: expiry.toISOString(),
        expiresInSeconds: Math.round((expiry.getTime() - now.getTime()) / 1000),
      };
    } catch (error) {
      errors.push(`certificate: ${(error as Error).message}`);
      return undefined;
    }
  }

  private now(): Date {
    return (this.sources.clock ?? (() => new Date()))();
  }
}
