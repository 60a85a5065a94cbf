import { IN_FLIGHT_OUTBOUND_STATES, type MessageState, UNSUCCESSFUL_STATES } from '../lifecycle/index.js';
import type { GatewayMetrics, MetricTotals, OpsState, OpsStateReader } from '../ops/index.js';
import type { DeadLetter, HistoryEntry, MessageStore, StoredMessage } from '../store/index.js';
import { maskNhsNumbers } from './redact.js';

/** A failed, NACKed or rejected message with Spine's (or e-RS's) codes, newest first. */
export interface ErrorRow {
  messageId: string;
  interactionId: string;
  status: MessageState;
  /** When it entered that state (a failure settled later is still dated by its failure). */
  at: string;
  codes: string[];
  description: string;
}

export interface DeadLetterRow {
  messageId: string;
  conversationId: string;
  interactionId: string;
  failedAt: string;
  attempts: number;
  reason: string;
}

export interface Overview {
  at: string;
  state: OpsState;
  totals?: MetricTotals;
  rates?: { outboundPerMinute: number; inboundPerMinute: number };
  /** Per-10 s counts (oldest first) of messages stored, and sampled queue depth and in-flight counts. */
  series: { outbound: number[]; inbound: number[]; queued: number[]; inFlight: number[] };
  inFlight: number;
  retrying: number;
  /** Unresolved dead letters, counted up to the number shown (deadLettersMore when there are more). */
  failed: number;
  deadLettersMore: boolean;
  recentErrors: ErrorRow[];
  deadLetters: DeadLetterRow[];
}

export interface OverviewSources {
  store: Pick<MessageStore, 'search' | 'deadLetters' | 'history'>;
  /** false: NHS numbers in Spine's words and failure reasons are masked before anything renders them. */
  showPatientData: boolean;
  state: Pick<OpsStateReader, 'read'>;
  metrics?: Pick<GatewayMetrics, 'totals' | 'flow'>;
  clock?: () => Date;
}

const SAMPLE_EVERY_MS = 10_000;
const SAMPLES_KEPT = 60;
const RECENT_ERRORS = 10;
const DEAD_LETTERS_SHOWN = 50;

/**
 * Builds the overview from one state reading, the store's recent failures and the metrics' rates.
 * Queue depth and in-flight trends are sampled as the overview is built (at most every 10 s).
 */
export class OverviewLoader {
  private readonly samples: { at: number; queued: number; inFlight: number }[] = [];
  /** When each recent error entered its state, by messageId and updatedAt (anything new re-reads it). */
  private enteredAt = new Map<string, string>();
  private cached?: { until: number; overview: Promise<Overview> };

  constructor(private readonly sources: OverviewSources) {}

  load(): Promise<Overview> {
    const now = this.now().getTime();
    if (this.cached && now < this.cached.until) return this.cached.overview;
    const overview = this.build();
    this.cached = { until: now + 1_000, overview };
    overview.catch(() => {
      this.cached = undefined;
    });
    return overview;
  }

  private async build(): Promise<Overview> {
    const now = this.now();
    const [state, recentErrors, deadLetters] = await Promise.all([
      this.sources.state.read(),
      this.recentErrors(),
      this.sources.store.deadLetters({ limit: DEAD_LETTERS_SHOWN }),
    ]);
    const count = (states: readonly MessageState[]) =>
      state.counts.filter((c) => states.includes(c.status)).reduce((sum, c) => sum + c.count, 0);
    const inFlight = count(IN_FLIGHT_OUTBOUND_STATES);
    const queued = state.queues.reduce((sum, q) => sum + q.messages, 0);
    this.sample(now.getTime(), queued, inFlight);
    const { metrics } = this.sources;
    const overview: Overview = {
      at: now.toISOString(),
      state,
      series: {
        outbound: metrics?.flow.series('outbound', now) ?? [],
        inbound: metrics?.flow.series('inbound', now) ?? [],
        queued: this.samples.map((s) => s.queued),
        inFlight: this.samples.map((s) => s.inFlight),
      },
      inFlight,
      retrying: count(['RETRYING']),
      failed: deadLetters.length,
      deadLettersMore: deadLetters.length >= DEAD_LETTERS_SHOWN,
      recentErrors: recentErrors.map((row) => this.masked(row)),
      deadLetters: deadLetters.map((letter) => this.masked(deadLetterRow(letter))),
    };
    if (metrics) {
      overview.totals = metrics.totals();
      overview.rates = {
        outboundPerMinute: metrics.flow.perMinute('outbound', now),
        inboundPerMinute: metrics.flow.perMinute('inbound', now),
      };
    }
    return overview;
  }

  private sample(at: number, queued: number, inFlight: number): void {
    const last = this.samples.at(-1);
    if (last && at - last.at < SAMPLE_EVERY_MS) {
      // Within the same sample period: keep the latest reading, so the chart ends at "now".
      last.queued = queued;
      last.inFlight = inFlight;
      return;
    }
    this.samples.push({ at, queued, inFlight });
    if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
  }

  private async recentErrors(): Promise<ErrorRow[]> {
    const lists = await Promise.all(
      UNSUCCESSFUL_STATES.map((status) => this.sources.store.search({ status, limit: RECENT_ERRORS })),
    );
    // Dated by when each entered its state, not updatedAt: settling a dead letter (replay,
    // discard) or telling the PAS touches updatedAt, and must not move an old failure to the top.
    const candidates = lists.flat();
    const entered = new Map<string, string>();
    await Promise.all(
      candidates.map(async (message) => {
        const key = `${message.messageId}|${message.updatedAt}`;
        entered.set(
          key,
          this.enteredAt.get(key) ??
            enteredState(await this.sources.store.history(message.messageId), message),
        );
      }),
    );
    this.enteredAt = entered;
    return candidates
      .map((message) => ({
        ...errorRow(message),
        at: entered.get(`${message.messageId}|${message.updatedAt}`)!,
      }))
      .sort((a, b) => b.at.localeCompare(a.at) || b.messageId.localeCompare(a.messageId))
      .slice(0, RECENT_ERRORS);
  }

  /** Free text from Spine, e-RS or the worker may quote a patient: masked unless patient data is shown. */
  private masked<T extends { description?: string; reason?: string }>(row: T): T {
    if (this.sources.showPatientData) return row;
    return {
      ...row,
      ...(row.description !== undefined ? { description: maskNhsNumbers(row.description) } : {}),
      ...(row.reason !== undefined ? { reason: maskNhsNumbers(row.reason) } : {}),
    };
  }

  private now(): Date {
    return (this.sources.clock ?? (() => new Date()))();
  }
}

interface ErrorLike {
  errorCode?: unknown;
  code?: unknown;
  description?: unknown;
  displayName?: unknown;
}

/** Spine's codes and words, from the stored error list or the application acknowledgement. */
export function spineCodes(message: Pick<StoredMessage, 'error' | 'reply'>): {
  codes: string[];
  description: string;
} {
  const errors = Array.isArray(message.error) ? (message.error as ErrorLike[]) : [];
  const reply = (message.reply ?? {}) as {
    acknowledgement?: string;
    summary?: string;
    details?: ErrorLike[];
    reasons?: ErrorLike[];
  };
  const fromReply = [...(reply.reasons ?? []), ...(reply.details ?? [])];
  const codes = [
    ...errors.map((e) => String(e.errorCode ?? '')),
    ...(reply.acknowledgement && reply.acknowledgement !== 'AA' ? [reply.acknowledgement] : []),
    ...fromReply.map((e) => String(e.code ?? '')),
  ].filter((code) => code !== '');
  const words = errors.map((e) => String(e.description ?? '')).filter(Boolean);
  const description = words.length > 0 ? words.join('; ') : (reply.summary ?? '');
  return { codes: [...new Set(codes)], description };
}

/**
 * When a message entered its current state: the first history row of the run of rows in that state
 * that ends the history (a dead letter's settle row is a FAILED row too, after the failure).
 */
function enteredState(history: HistoryEntry[], message: StoredMessage): string {
  let at: string | undefined;
  for (let i = history.length - 1; i >= 0 && history[i]!.status === message.status; i--) at = history[i]!.at;
  return at ?? message.updatedAt;
}

function errorRow(message: StoredMessage): ErrorRow {
  const { messageId, interactionId, status, updatedAt: at } = message;
  return { messageId, interactionId, status, at, ...spineCodes(message) };
}

function deadLetterRow(message: DeadLetter): DeadLetterRow {
  const { messageId, conversationId, interactionId, failedAt, attempts } = message;
  const reason = message.failureDetail ?? spineCodes(message).description;
  return { messageId, conversationId, interactionId, failedAt, attempts, reason };
}
