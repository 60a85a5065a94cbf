import { createError } from '../errors/index.js';

import { DEAD_LETTER_STATES, type Direction, type MessageState } from '../lifecycle/index.js';
import type { ReferralStore } from './referral-types.js';
import type { SessionStore } from './session-types.js';

// The states and their moves are the lifecycle's (src/lifecycle); re-exported for the store's users.
export {
  AWAITING_SIGNAL_STATES,
  DEAD_LETTER_STATES,
  type Direction,
  FINAL_OUTBOUND_STATES,
  IN_FLIGHT_OUTBOUND_STATES,
  INBOUND_STATES,
  type InboundState,
  type MessageState,
  OUTBOUND_STATES,
  type OutboundState,
} from '../lifecycle/index.js';
/** DEAD_LETTER_STATES as an SQL list, for both stores' queries. */
export const DEAD_LETTER_SQL = DEAD_LETTER_STATES.map((state) => `'${state}'`).join(', ');

/** Exact bytes of one HTTP message, kept so a resend or a duplicate's ack is byte-identical. */
export interface StoredHttp {
  contentType: string;
  soapAction: string;
  body: Buffer;
}

export interface NewMessage {
  messageId: string;
  direction: Direction;
  interactionId: string;
  conversationId: string;
  refToMessageId?: string;
  /** The HL7 wrapper's id (its `id/@root`), when it differs or may differ from messageId: replies name it. */
  hl7MessageId?: string;
  status: MessageState;
  /** Route snapshot for outbound messages (endpoint, reliability) at acceptance time. */
  route?: unknown;
  /** The signed HTTP message to send (outbound) or as received (inbound). */
  http?: StoredHttp;
  /** Domain JSON (the PAS request, or the inbound request mapped to JSON). */
  data?: unknown;
  /** The HL7 payload. */
  hl7?: string;
  detail?: string;
}

/** A message as stored: what was inserted (less its first history detail) and what happened since. */
export interface StoredMessage extends Omit<NewMessage, 'detail'> {
  createdAt: string;
  updatedAt: string;
  attempts: number;
  nextAttemptAt?: string;
  /** The mapped reply for the PAS (application acknowledgement, business response). */
  reply?: unknown;
  /** The acknowledgment we answered an inbound message with, for duplicates. */
  ack?: StoredHttp;
  /** Why the message failed, was rejected or NACKed. */
  error?: unknown;
  /** When the reply (or error) reached mhs.inbound; set once, so a redelivered signal is not delivered twice. */
  replyDeliveredAt?: string;
  /** How an operator settled this dead letter (FAILED or UNANSWERED); absent while it awaits a decision. */
  resolution?: DeadLetterResolutionKind;
  resolvedAt?: string;
  /** The MessageId of the new message a replay sent in its place. */
  replayedAs?: string;
}

export type DeadLetterResolutionKind = 'replayed' | 'discarded';

/** An operator's decision on a dead letter. */
export type DeadLetterResolution = { kind: 'replayed'; replayedAs: string } | { kind: 'discarded' };

export interface DeadLetterQuery {
  /** Default 50, at most 500. */
  limit?: number;
  /** Keyset cursor: `createdAt|messageId` of the last dead letter seen (messageCursor). */
  before?: string;
}

/** A dead letter (FAILED or UNANSWERED) no operator has resolved, with the history row that made it one. */
export interface DeadLetter extends StoredMessage {
  failedAt: string;
  /** That history row's detail: why the gateway gave up. */
  failureDetail?: string;
}

export interface HistoryEntry {
  at: string;
  status: MessageState;
  detail?: string;
}

/** Fields a transition or update may change alongside the status. */
export interface MessagePatch {
  attempts?: number;
  nextAttemptAt?: string | null;
  reply?: unknown;
  ack?: StoredHttp;
  error?: unknown;
  replyDeliveredAt?: string;
}

/**
 * A notification for the PAS, written in the same transaction as the transition it tells of (the
 * outbox) and published by the relay (src/outbox). `id` is its AMQP messageId, fixed here, so
 * however often it is published after a crash the PAS sees one notification.
 */
export interface PasNotification {
  id: string;
  /** The mhs.inbound message body (a PasMessage). */
  body: unknown;
}

/** An outbox row the broker has not confirmed yet. */
export interface PendingNotification extends PasNotification {
  /** The message it tells of. */
  messageId: string;
  createdAt: string;
}

export interface TransitionOptions {
  /** Only move when the current status is one of these; otherwise nothing changes. */
  from?: readonly MessageState[];
  /** Only move when `attempts` still has this value: a fencing token, so racing senders claim a message once. */
  ifAttempts?: number;
  detail?: string;
  patch?: MessagePatch;
  /** Written to the outbox in the same transaction, only when the message moves. */
  notify?: PasNotification;
}

/** Filters for listing messages; every field narrows the result. */
export interface MessageQuery {
  messageId?: string;
  conversationId?: string;
  interactionId?: string;
  status?: MessageState;
  direction?: Direction;
  /** Messages whose domain JSON names this UBRN (12 digits) anywhere: the HL7 V3 half of a referral. A scan. */
  ubrn?: string;
  /** createdAt at or after this instant. */
  from?: Date;
  /** createdAt strictly before this instant. */
  to?: Date;
  /** Default 50, at most 500. */
  limit?: number;
  /** Keyset cursor: `createdAt|messageId` of the last row seen (see messageCursor); InvalidCursorError if malformed. */
  before?: string;
}

export interface StateCount {
  direction: Direction;
  interactionId: string;
  status: MessageState;
  count: number;
}

export interface InFlightMessage {
  messageId: string;
  status: MessageState;
  createdAt: string;
}

export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 500;

/** The cursor that continues a search after `message` (newest first). */
export function messageCursor(message: Pick<StoredMessage, 'createdAt' | 'messageId'>): string {
  return `${message.createdAt}|${message.messageId}`;
}

export class InvalidCursorError extends createError('INVALID_CURSOR', 400, 'Invalid request') {
  constructor(readonly cursor: string) {
    super('cursor must be createdAt|messageId of the last message seen');
  }
}

/** Splits a cursor; createdAt comes back in toISOString form so both stores compare like with like. */
export function parseMessageCursor(cursor: string): { createdAt: string; messageId: string } {
  const bar = cursor.indexOf('|');
  const at = new Date(bar > 0 ? cursor.slice(0, bar) : Number.NaN);
  const messageId = cursor.slice(bar + 1);
  if (bar <= 0 || Number.isNaN(at.getTime()) || messageId === '') throw new InvalidCursorError(cursor);
  return { createdAt: at.toISOString(), messageId };
}

/** The limit a search uses: default 50, clamped to 1..500. */
export function searchLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_SEARCH_LIMIT;
  return Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.floor(limit)));
}

/** The store cannot be reached now (its thread died, it was closed); the operation did not happen. */
export class StoreUnavailableError extends createError('STORE_UNAVAILABLE', 503, 'Store unavailable') {}

/** Socket errors, and SQLSTATEs for a lost or refused database connection (class 08, 57P01–57P03, 53300). */
const CONNECTION_ERROR_CODES =
  /^(E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH|NOTFOUND|PIPE|AI_AGAIN)|08...|57P0[123]|53300)$/;
/** node-postgres's own words for a pool or client that has lost, or never had, its connection. */
const CONNECTION_ERROR_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end)/;

/**
 * Whether `error` means the store cannot be reached now: its thread died or it was closed, or the
 * database refused, lost or never gave a connection. Such a request is worth retrying; others are not.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.test(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isStoreUnavailable);
  return CONNECTION_ERROR_MESSAGES.test(error.message);
}

export class DuplicateMessageError extends createError('DUPLICATE_MESSAGE', 409, 'Message-Id already used') {
  constructor(readonly messageId: string) {
    super(`message ${messageId} is already stored`);
  }
}

/**
 * Durable message state. Every status change is a history row written in the same transaction.
 * Implementations: SQLite (one node) and PostgreSQL (several instances sharing one database).
 */
export interface MessageStore {
  /** The e-RS FHIR side's tables (referral-types.ts), in the same database. */
  readonly referrals: ReferralStore;
  /** The dashboard's signed-in sessions (shared by every instance on this store). */
  readonly sessions: SessionStore;
  /** Stores a new message with its first history row; DuplicateMessageError if the id exists. */
  insert(message: NewMessage): Promise<void>;
  get(messageId: string): Promise<StoredMessage | undefined>;
  /**
   * The newest outbound message whose HL7 wrapper id is `hl7MessageId`: an application acknowledgement's
   * messageRef names the HL7 id, which need not be the ebXML MessageId.
   */
  getByHl7MessageId(hl7MessageId: string): Promise<StoredMessage | undefined>;
  /**
   * Atomically moves a message to `to` (if its status is in `from`); true when it moved.
   * A resolved dead letter never moves: an operator's decision is final. A move the lifecycle does
   * not allow (ALLOWED_FROM) is refused with IllegalTransitionError (checkTransition).
   */
  transition(messageId: string, to: MessageState, options?: TransitionOptions): Promise<boolean>;
  /** Outbox rows not yet confirmed by the broker, written before `createdBefore` (about `messageId` only, when given), oldest first. */
  pendingNotifications(
    limit: number,
    createdBefore: Date,
    messageId?: string,
  ): Promise<PendingNotification[]>;
  /**
   * Records that the broker confirmed notification `id` about `messageId`: the outbox row (if any) is
   * sent, and the message's replyDeliveredAt is set if it was not.
   */
  markNotificationSent(id: string, messageId: string): Promise<void>;
  /** Changes fields without a status change (no history row). */
  update(messageId: string, patch: MessagePatch): Promise<void>;
  history(messageId: string): Promise<HistoryEntry[]>;
  /**
   * Outbound messages in `states` whose updatedAt (or nextAttemptAt when set) is before `before`, oldest first:
   * the sweeper's work list after a crash.
   */
  findStale(states: readonly MessageState[], before: Date, limit: number): Promise<StoredMessage[]>;
  /** Deletes messages (and their history) in `states` last updated before `before`; returns how many. */
  purge(states: readonly MessageState[], before: Date): Promise<number>;
  /** Newest first (createdAt, then messageId); http and ack are left out for listing speed. */
  search(query: MessageQuery): Promise<StoredMessage[]>;
  /**
   * Records an operator's decision on a dead letter, atomically and only while it is an unresolved dead letter
   * (DEAD_LETTER_STATES; so two operators acting at once act once), with a history row (its status, `detail`).
   */
  resolve(messageId: string, resolution: DeadLetterResolution, detail: string): Promise<boolean>;
  /** Undoes a resolution (a replay whose new message could not be stored): it is a dead letter again. */
  unresolve(messageId: string, detail: string): Promise<boolean>;
  /** Unresolved dead letters (DEAD_LETTER_STATES), newest first (createdAt, then messageId); no HTTP bodies. */
  deadLetters(query: DeadLetterQuery): Promise<DeadLetter[]>;
  /** Counts by direction, interaction and status (dashboard, metrics). */
  countByState(): Promise<StateCount[]>;
  /** The oldest outbound message not yet in a final state (FINAL_OUTBOUND_STATES), or undefined. */
  oldestInFlight(): Promise<InFlightMessage | undefined>;
  /** Bytes (or best estimate) the store occupies. */
  sizeBytes(): Promise<number>;
  /** Throws unless the store can be written now (readiness). */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}
