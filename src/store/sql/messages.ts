// The message half of the store as shared statements and units of work: insert, move, patch,
// the outbox, and operators' decisions on dead letters. Every timestamp is passed in (`now`), read
// from the store's clock when the call was made.
import { checkTransition } from '../../lifecycle/index.js';
import {
  DEAD_LETTER_SQL,
  type DeadLetterResolution,
  DuplicateMessageError,
  type HistoryEntry,
  type MessagePatch,
  type MessageState,
  type NewMessage,
  type PendingNotification,
  type StoredMessage,
  type TransitionOptions,
} from '../types.js';
import {
  type HistoryRow,
  type MessageRow,
  messageColumns,
  type NotificationRow,
  toHistoryEntry,
  toMessage,
  toNotification,
} from './message-rows.js';
import { type Dialect, type Statement, sql, toJson } from './statement.js';
import { changes, row, rows, type Work } from './work.js';

export function* insertMessage(d: Dialect, message: NewMessage, now: string): Work<void> {
  const inserted = yield* changes(
    sql(
      d,
      (p) => `INSERT INTO messages (message_id, direction, interaction_id, conversation_id, ref_to_message_id,
          hl7_message_id, status, created_at, updated_at, ${d.jsonColumn('route')}, http_content_type,
          http_soap_action, http_body, ${d.jsonColumn('data')}, hl7)
        VALUES (${p(message.messageId)}, ${p(message.direction)}, ${p(message.interactionId)},
          ${p(message.conversationId)}, ${p(message.refToMessageId ?? null)}, ${p(message.hl7MessageId ?? null)},
          ${p(message.status)}, ${p(now)}, ${p(now)}, ${p(toJson(message.route), 'jsonb')},
          ${p(message.http?.contentType ?? null)}, ${p(message.http?.soapAction ?? null)},
          ${p(message.http?.body ?? null)}, ${p(toJson(message.data), 'jsonb')}, ${p(message.hl7 ?? null)})
        ON CONFLICT (message_id) DO NOTHING`,
    ),
  );
  if (inserted === 0) throw new DuplicateMessageError(message.messageId);
  yield addHistory(d, message.messageId, now, message.status, message.detail);
}

export function* getMessage(d: Dialect, messageId: string): Work<StoredMessage | undefined> {
  const found = yield* row<MessageRow>(
    sql(d, (p) => `SELECT ${messageColumns(d, true)} FROM messages WHERE message_id = ${p(messageId)}`),
  );
  return found && toMessage(found);
}

export function* getByHl7MessageId(d: Dialect, hl7MessageId: string): Work<StoredMessage | undefined> {
  const found = yield* row<MessageRow>(
    sql(
      d,
      (p) => `SELECT ${messageColumns(d, true)} FROM messages
        WHERE hl7_message_id = ${p(hl7MessageId)} AND direction = 'outbound'
        ORDER BY created_at DESC, message_id DESC LIMIT 1`,
    ),
  );
  return found && toMessage(found);
}

export function* transition(
  d: Dialect,
  messageId: string,
  to: MessageState,
  options: TransitionOptions,
  now: string,
): Work<boolean> {
  // PostgreSQL's row lock makes a second instance wait, then see the status the first one wrote.
  const current = yield* row<{ status: MessageState; attempts: number; resolution: string | null }>(
    sql(
      d,
      (p) =>
        `SELECT status, attempts, resolution FROM messages WHERE message_id = ${p(messageId)}${d.lockRow}`,
    ),
  );
  if (!current || current.resolution !== null) return false;
  if (!checkTransition(current.status, to, options.from)) return false;
  if (options.ifAttempts !== undefined && current.attempts !== options.ifAttempts) return false;
  yield patchMessage(d, messageId, options.patch ?? {}, now, to);
  yield addHistory(d, messageId, now, to, options.detail);
  const notify = options.notify;
  if (notify)
    yield sql(
      d,
      (p) => `INSERT INTO outbox (id, message_id, ${d.jsonColumn('body')}, created_at)
        VALUES (${p(notify.id)}, ${p(messageId)}, ${p(JSON.stringify(notify.body), 'jsonb')}, ${p(now)})
        ON CONFLICT (id) DO NOTHING`,
    );
  return true;
}

/** One UPDATE for the patch, touching updated_at, and the status too when `status` is given. */
export function patchMessage(
  d: Dialect,
  messageId: string,
  patch: MessagePatch,
  now: string,
  status?: MessageState,
): Statement {
  return sql(d, (p) => {
    const sets = [`updated_at = ${p(now)}`];
    if (status !== undefined) sets.push(`status = ${p(status)}`);
    if (patch.attempts !== undefined) sets.push(`attempts = ${p(patch.attempts)}`);
    if (patch.nextAttemptAt !== undefined) sets.push(`next_attempt_at = ${p(patch.nextAttemptAt)}`);
    if (patch.reply !== undefined) sets.push(`${d.jsonColumn('reply')} = ${p(toJson(patch.reply), 'jsonb')}`);
    if (patch.error !== undefined) sets.push(`${d.jsonColumn('error')} = ${p(toJson(patch.error), 'jsonb')}`);
    if (patch.replyDeliveredAt !== undefined) sets.push(`reply_delivered_at = ${p(patch.replyDeliveredAt)}`);
    if (patch.ack !== undefined)
      sets.push(
        `ack_content_type = ${p(patch.ack.contentType)}`,
        `ack_soap_action = ${p(patch.ack.soapAction)}`,
        `ack_body = ${p(patch.ack.body)}`,
      );
    return `UPDATE messages SET ${sets.join(', ')} WHERE message_id = ${p(messageId)}`;
  });
}

function addHistory(
  d: Dialect,
  messageId: string,
  at: string,
  status: MessageState,
  detail: string | undefined,
): Statement {
  return sql(
    d,
    (p) => `INSERT INTO history (message_id, at, status, detail)
      VALUES (${p(messageId)}, ${p(at)}, ${p(status)}, ${p(detail ?? null)})`,
  );
}

export function* history(d: Dialect, messageId: string): Work<HistoryEntry[]> {
  const found = yield* rows<HistoryRow>(
    sql(d, (p) => `SELECT at, status, detail FROM history WHERE message_id = ${p(messageId)} ORDER BY id`),
  );
  return found.map(toHistoryEntry);
}

export function* pendingNotifications(
  d: Dialect,
  limit: number,
  createdBefore: Date,
  messageId?: string,
): Work<PendingNotification[]> {
  const found = yield* rows<NotificationRow>(
    sql(
      d,
      (p) => `SELECT id, message_id, ${d.jsonText('body')} AS body, created_at FROM outbox
        WHERE sent_at IS NULL AND created_at < ${p(createdBefore.toISOString())}
        ${messageId === undefined ? '' : `AND message_id = ${p(messageId)}`}
        ORDER BY created_at, id LIMIT ${p(Math.max(0, Math.floor(limit)))}`,
    ),
  );
  return found.map(toNotification);
}

export function* markNotificationSent(d: Dialect, id: string, messageId: string, now: string): Work<void> {
  yield sql(d, (p) => `UPDATE outbox SET sent_at = ${p(now)} WHERE id = ${p(id)} AND sent_at IS NULL`);
  yield sql(
    d,
    (p) => `UPDATE messages SET reply_delivered_at = ${p(now)}
      WHERE message_id = ${p(messageId)} AND reply_delivered_at IS NULL`,
  );
}

/** One conditional UPDATE: of two operators acting at once, the second finds the row resolved. */
export function* resolve(
  d: Dialect,
  messageId: string,
  resolution: DeadLetterResolution,
  detail: string,
  now: string,
): Work<boolean> {
  const replayedAs = resolution.kind === 'replayed' ? resolution.replayedAs : null;
  const resolved = yield* row<{ status: MessageState }>(
    sql(
      d,
      (p) => `UPDATE messages SET resolution = ${p(resolution.kind)}, resolved_at = ${p(now)},
          replayed_as = ${p(replayedAs)}, updated_at = ${p(now)}
        WHERE message_id = ${p(messageId)} AND direction = 'outbound' AND status IN (${DEAD_LETTER_SQL})
          AND resolution IS NULL RETURNING status`,
    ),
  );
  if (!resolved) return false;
  yield addHistory(d, messageId, now, resolved.status, detail);
  return true;
}

export function* unresolve(d: Dialect, messageId: string, detail: string, now: string): Work<boolean> {
  const reopened = yield* row<{ status: MessageState }>(
    sql(
      d,
      (
        p,
      ) => `UPDATE messages SET resolution = NULL, resolved_at = NULL, replayed_as = NULL, updated_at = ${p(now)}
        WHERE message_id = ${p(messageId)} AND status IN (${DEAD_LETTER_SQL}) AND resolution IS NOT NULL
        RETURNING status`,
    ),
  );
  if (!reopened) return false;
  yield addHistory(d, messageId, now, reopened.status, detail);
  return true;
}
