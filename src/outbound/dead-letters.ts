import { randomUUID } from 'node:crypto';
import { createError } from '../errors/index.js';
import { type QueuePublisher, queueOutboundWork } from '../queue/index.js';
import {
  DEAD_LETTER_STATES,
  type DeadLetter,
  type MessageStore,
  messageCursor,
  type StoredMessage,
  searchLimit,
} from '../store/index.js';
import { resendDeadline } from './deadline.js';
import { renumberWrapper, storedAttachments } from './replay-content.js';
import {
  InvalidSubmissionError,
  NotAcceptedError,
  type OutboundSubmission,
  type RouteSnapshot,
  type SubmitRequest,
} from './submission.js';

/** No message has this id. */
export class DeadLetterNotFoundError extends createError('UNKNOWN_MESSAGE', 404, 'Unknown message') {
  constructor(readonly messageId: string) {
    super(`no message ${messageId}`);
  }
}

/** The message exists but is not a dead letter (not FAILED or UNANSWERED, or already replayed or discarded). */
export class DeadLetterConflictError extends createError('NOT_A_DEAD_LETTER', 409, 'Not a dead letter') {
  constructor(
    readonly messageId: string,
    /** Its state in words, e.g. `COMPLETED` or `FAILED, already discarded`. */
    readonly state: string,
    reason = `it is ${state}`,
  ) {
    super(`message ${messageId} is not a dead letter: ${reason}`);
  }
}

/** One dead letter as operators see it. */
export interface DeadLetterSummary {
  messageId: string;
  conversationId: string;
  interactionId: string;
  refToMessageId?: string;
  /** FAILED (the gateway gave up sending) or UNANSWERED (sent, but no answer by its reply deadline). */
  status: string;
  createdAt: string;
  failedAt: string;
  /** Why the gateway gave up (the history row that made it a dead letter, else the recorded error). */
  reason: string;
  attempts: number;
}

export interface DeadLetterPage {
  deadLetters: DeadLetterSummary[];
  /** Pass as `before` for the next page; absent on the last one. */
  next?: string;
}

export interface ReplayResult {
  /** The message now queued: the same one, or the new one sent in its place. */
  messageId: string;
  replayOf: string;
  sameMessageId: boolean;
}

export interface DeadLetterDependencies {
  store: MessageStore;
  broker: QueuePublisher;
  submission: Pick<OutboundSubmission, 'submit'>;
  logger?: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  clock?: () => Date;
  /** MessageIds (and Content-IDs) for replays sent as new messages. */
  newId?: () => string;
}

/**
 * Operators' handling of dead letters: outbound messages the gateway gave up on (FAILED, UNANSWERED). The store is
 * the record of truth; the mhs.dead-letter queue only notifies monitoring and is left alone here.
 */
export class DeadLetters {
  constructor(private readonly deps: DeadLetterDependencies) {}

  async list(query: { limit?: number; before?: string } = {}): Promise<DeadLetterPage> {
    const found = await this.deps.store.deadLetters(query);
    const page: DeadLetterPage = { deadLetters: found.map(summary) };
    const last = found[found.length - 1];
    // A full page may have more behind it (the store clamps the limit the same way).
    if (last && found.length >= searchLimit(query.limit)) page.next = messageCursor(last);
    return page;
  }

  /**
   * Sends a dead letter again. While the receiver still remembers its MessageId (see sameIdAllowed),
   * the same stored bytes are queued again; after that, a resend could be delivered twice, so a new
   * message (new MessageId, same conversation and content) is sent and the old one is marked replayed.
   */
  async replay(messageId: string, options: { operator?: string } = {}): Promise<ReplayResult> {
    const message = await this.deadLetter(messageId);
    const by = byOperator(options.operator);
    // An UNANSWERED message reached Spine: the same MessageId again would be dropped as a duplicate.
    if (message.status === 'FAILED' && (await this.sameIdAllowed(message))) return this.requeue(message, by);
    return this.replayAsNew(message, by);
  }

  async discard(messageId: string, options: { reason?: string; operator?: string } = {}): Promise<void> {
    await this.deadLetter(messageId);
    const reason = options.reason?.trim();
    const detail = `discarded ${byOperator(options.operator)}${reason ? `: ${reason}` : ''}`;
    if (!(await this.deps.store.resolve(messageId, { kind: 'discarded' }, detail)))
      throw await this.conflict(messageId);
    this.deps.logger?.info({ audit: 'dead-letter-discarded', messageId, detail }, 'dead letter discarded');
  }

  /**
   * Whether the same MessageId may be sent again now: a message never sent may always go as it is;
   * otherwise only before the worker's own resend deadline (resendDeadline), or the worker would
   * fail it again at once. It runs from the first attempt: its history row, or createdAt (no later,
   * so never too generous) for a message without one.
   */
  private async sameIdAllowed(message: StoredMessage): Promise<boolean> {
    if (message.attempts === 0) return true;
    const { persistDurationMs, retryIntervalMs, retries } = (message.route ?? {}) as Partial<RouteSnapshot>;
    if (persistDurationMs === undefined || retryIntervalMs === undefined || retries === undefined)
      return false;
    const history = await this.deps.store.history(message.messageId);
    const first = history.find((entry) => entry.status === 'SENDING')?.at ?? message.createdAt;
    return this.now().getTime() < resendDeadline({ persistDurationMs, retryIntervalMs, retries }, first);
  }

  /** Same MessageId, same bytes: FAILED → RETRYING (attempts kept), then onto mhs.outbound. */
  private async requeue(message: StoredMessage, by: string): Promise<ReplayResult> {
    const id = message.messageId;
    const moved = await this.deps.store.transition(id, 'RETRYING', {
      from: ['FAILED'],
      detail: `replayed ${by} with the same MessageId`,
      patch: { nextAttemptAt: null },
    });
    if (!moved) throw await this.conflict(id);
    try {
      await queueOutboundWork(this.deps.broker, message, { replayedBy: by });
    } catch (error) {
      // Not queued: put it back, so it stays a dead letter rather than waiting for the sweeper.
      await this.deps.store.transition(id, 'FAILED', {
        from: ['RETRYING'],
        ifAttempts: message.attempts,
        detail: `replay not queued: ${(error as Error).message}`,
      });
      throw error;
    }
    this.deps.logger?.info(
      { audit: 'dead-letter-replayed', messageId: id, by },
      'dead letter queued again with the same MessageId',
    );
    return { messageId: id, replayOf: id, sameMessageId: true };
  }

  /**
   * A new message in its place. The old one is claimed first (resolved as replayed), so of two
   * operators replaying at once only one sends; if the new message then cannot be stored, the claim
   * is undone. One that is stored but cannot be queued is itself FAILED: a dead letter to replay.
   */
  private async replayAsNew(message: StoredMessage, by: string): Promise<ReplayResult> {
    const oldId = message.messageId;
    if (message.hl7 === undefined)
      throw new InvalidSubmissionError(`message ${oldId} has no stored HL7 to build a new message from`);
    const newId = this.newId();
    const request = this.newRequest(message, newId);
    const claimed = await this.deps.store.resolve(
      oldId,
      { kind: 'replayed', replayedAs: newId },
      message.status === 'UNANSWERED'
        ? `replayed ${by} as new message ${newId}: Spine had the old one, so it needs a new MessageId`
        : `replayed ${by} as new message ${newId}: too late to resend the same MessageId`,
    );
    if (!claimed) throw await this.conflict(oldId);
    try {
      await this.deps.submission.submit(request);
    } catch (error) {
      const message = (error as Error).message;
      if (!(await this.deps.store.get(newId))) {
        await this.deps.store.unresolve(oldId, `replay as ${newId} failed: ${message}`);
        throw error;
      }
      if (error instanceof NotAcceptedError)
        throw new NotAcceptedError(
          `replayed as ${newId}, which is stored but not queued (${message}): it is a dead letter now; replay it later`,
        );
      throw error;
    }
    this.deps.logger?.info(
      { audit: 'dead-letter-replayed', messageId: oldId, replayedAs: newId, by },
      'dead letter replayed as a new message',
    );
    return { messageId: newId, replayOf: oldId, sameMessageId: false };
  }

  private newRequest(message: StoredMessage, newId: string): SubmitRequest {
    const data = message.data as { fromAsid?: unknown } | undefined;
    const request: SubmitRequest = {
      interactionId: message.interactionId,
      payloadXml: renumberWrapper(message.hl7!, message.messageId, newId),
      messageId: newId,
      conversationId: message.conversationId,
      data: message.data,
    };
    if (message.refToMessageId !== undefined) request.refToMessageId = message.refToMessageId;
    if (typeof data?.fromAsid === 'string') request.fromAsid = data.fromAsid;
    // Sync messages are plain SOAP and never carry attachments.
    if (message.http && (message.route as Partial<RouteSnapshot> | undefined)?.workflow !== 'sync') {
      const { attachments, externalAttachments } = storedAttachments(
        message.http,
        () => `${this.newId()}@spine.nhs.uk`,
      );
      if (attachments.length > 0) request.attachments = attachments;
      if (externalAttachments.length > 0) request.externalAttachments = externalAttachments;
    }
    return request;
  }

  /** The message, if it is a dead letter; otherwise the typed error saying why not. */
  private async deadLetter(messageId: string): Promise<StoredMessage> {
    const message = await this.deps.store.get(messageId);
    if (!message) throw new DeadLetterNotFoundError(messageId);
    const problem = notDeadLetter(message);
    if (problem) throw problem;
    return message;
  }

  private async conflict(messageId: string): Promise<Error> {
    const message = await this.deps.store.get(messageId);
    if (!message) return new DeadLetterNotFoundError(messageId);
    return (
      notDeadLetter(message) ?? new DeadLetterConflictError(messageId, message.status, 'it changed meanwhile')
    );
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  private newId(): string {
    return (this.deps.newId ?? (() => randomUUID().toUpperCase()))();
  }
}

function notDeadLetter(message: StoredMessage): DeadLetterConflictError | undefined {
  const id = message.messageId;
  if (message.direction !== 'outbound')
    return new DeadLetterConflictError(id, `${message.status} (inbound)`, 'it is an inbound message');
  if (!(DEAD_LETTER_STATES as readonly string[]).includes(message.status))
    return new DeadLetterConflictError(id, message.status);
  if (message.resolution === 'discarded')
    return new DeadLetterConflictError(id, `${message.status}, already discarded`);
  if (message.resolution === 'replayed')
    return new DeadLetterConflictError(id, `${message.status}, already replayed as ${message.replayedAs}`);
  return undefined;
}

/** `by operator alice`, or `by operator` when nobody is named: history details and audit lines. */
function byOperator(operator: string | undefined): string {
  const name = operator?.trim();
  return name ? `by operator ${name}` : 'by operator';
}

function summary(letter: DeadLetter): DeadLetterSummary {
  const out: DeadLetterSummary = {
    messageId: letter.messageId,
    conversationId: letter.conversationId,
    interactionId: letter.interactionId,
    status: letter.status,
    createdAt: letter.createdAt,
    failedAt: letter.failedAt,
    reason: letter.failureDetail ?? errorText(letter.error) ?? 'no reason recorded',
    attempts: letter.attempts,
  };
  if (letter.refToMessageId !== undefined) out.refToMessageId = letter.refToMessageId;
  return out;
}

function errorText(error: unknown): string | undefined {
  if (!Array.isArray(error)) return undefined;
  const texts = error
    .map((e: { description?: unknown; errorCode?: unknown }) => e?.description ?? e?.errorCode)
    .filter((text): text is string => typeof text === 'string');
  return texts.length > 0 ? texts.join('; ') : undefined;
}
