import type {
  DeadLetter,
  DeadLetterResolutionKind,
  Direction,
  HistoryEntry,
  MessageState,
  PendingNotification,
  StateCount,
  StoredHttp,
  StoredMessage,
} from '../types.js';
import { type Dialect, fromJson, iso } from './statement.js';

/** A messages row as both drivers return it: timestamps as ISO text (SQLite) or Dates (PostgreSQL), JSON as text. */
export interface MessageRow {
  message_id: string;
  direction: Direction;
  interaction_id: string;
  conversation_id: string;
  ref_to_message_id: string | null;
  hl7_message_id: string | null;
  status: MessageState;
  created_at: string | Date;
  updated_at: string | Date;
  attempts: number;
  next_attempt_at: string | Date | null;
  route: string | null;
  http_content_type: string | null;
  http_soap_action: string | null;
  http_body: Buffer | null;
  data: string | null;
  hl7: string | null;
  reply: string | null;
  ack_content_type: string | null;
  ack_soap_action: string | null;
  ack_body: Buffer | null;
  error: string | null;
  reply_delivered_at: string | Date | null;
  resolution: DeadLetterResolutionKind | null;
  resolved_at: string | Date | null;
  replayed_as: string | null;
}

const HTTP_COLUMNS = [
  'http_content_type',
  'http_soap_action',
  'http_body',
  'ack_content_type',
  'ack_soap_action',
  'ack_body',
];

/**
 * The select list for MessageRow. Listings leave the HTTP bodies out (NULL in their place) for
 * speed; JSON comes back as text so a stored JSON null stays null.
 */
export function messageColumns(dialect: Dialect, withBodies: boolean): string {
  return [
    'message_id, direction, interaction_id, conversation_id, ref_to_message_id, hl7_message_id, status',
    'created_at, updated_at, attempts, next_attempt_at, hl7, reply_delivered_at, resolution, resolved_at, replayed_as',
    ...['route', 'data', 'reply', 'error'].map((name) => `${dialect.jsonText(name)} AS ${name}`),
    ...HTTP_COLUMNS.map((column) => (withBodies ? column : `NULL AS ${column}`)),
  ].join(', ');
}

function http(
  contentType: string | null,
  soapAction: string | null,
  body: Buffer | null,
): StoredHttp | undefined {
  return body === null ? undefined : { contentType: contentType ?? '', soapAction: soapAction ?? '', body };
}

export function toMessage(row: MessageRow): StoredMessage {
  const message: StoredMessage = {
    messageId: row.message_id,
    direction: row.direction,
    interactionId: row.interaction_id,
    conversationId: row.conversation_id,
    status: row.status,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    attempts: row.attempts,
  };
  const optional = {
    refToMessageId: row.ref_to_message_id ?? undefined,
    hl7MessageId: row.hl7_message_id ?? undefined,
    nextAttemptAt: row.next_attempt_at === null ? undefined : iso(row.next_attempt_at),
    replyDeliveredAt: row.reply_delivered_at === null ? undefined : iso(row.reply_delivered_at),
    resolution: row.resolution ?? undefined,
    resolvedAt: row.resolved_at === null ? undefined : iso(row.resolved_at),
    replayedAs: row.replayed_as ?? undefined,
    route: fromJson(row.route),
    http: http(row.http_content_type, row.http_soap_action, row.http_body),
    data: fromJson(row.data),
    hl7: row.hl7 ?? undefined,
    reply: fromJson(row.reply),
    ack: http(row.ack_content_type, row.ack_soap_action, row.ack_body),
    error: fromJson(row.error),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (message as unknown as Record<string, unknown>)[key] = value;
  }
  return message;
}

export type DeadLetterRow = MessageRow & { failed_at: string | Date | null; failed_detail: string | null };

export function toDeadLetter(row: DeadLetterRow): DeadLetter {
  const letter: DeadLetter = { ...toMessage(row), failedAt: iso(row.failed_at ?? row.updated_at) };
  if (row.failed_detail !== null) letter.failureDetail = row.failed_detail;
  return letter;
}

export interface HistoryRow {
  at: string | Date;
  status: MessageState;
  detail: string | null;
}

export function toHistoryEntry(row: HistoryRow): HistoryEntry {
  const entry: HistoryEntry = { at: iso(row.at), status: row.status };
  if (row.detail !== null) entry.detail = row.detail;
  return entry;
}

export interface NotificationRow {
  id: string;
  message_id: string;
  body: string;
  created_at: string | Date;
}

export function toNotification(row: NotificationRow): PendingNotification {
  return {
    id: row.id,
    messageId: row.message_id,
    body: JSON.parse(row.body),
    createdAt: iso(row.created_at),
  };
}

/** COUNT(*) is a number in SQLite and a bigint (text) in PostgreSQL. */
export interface StateCountRow {
  direction: Direction;
  interaction_id: string;
  status: MessageState;
  count: number | string;
}

export function toStateCount(row: StateCountRow): StateCount {
  return {
    direction: row.direction,
    interactionId: row.interaction_id,
    status: row.status,
    count: Number(row.count),
  };
}
