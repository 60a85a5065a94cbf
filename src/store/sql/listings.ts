// Reads that list messages: searches, dead letters, the sweeper's stale list, and the counts the
// dashboard and metrics show. Newest-first listings page by the keyset (created_at, message_id).
import {
  DEAD_LETTER_SQL,
  type DeadLetter,
  type DeadLetterQuery,
  IN_FLIGHT_OUTBOUND_STATES,
  type InFlightMessage,
  type MessageQuery,
  type MessageState,
  parseMessageCursor,
  type StateCount,
  type StoredMessage,
  searchLimit,
} from '../types.js';
import {
  type DeadLetterRow,
  type MessageRow,
  messageColumns,
  type StateCountRow,
  toDeadLetter,
  toMessage,
  toStateCount,
} from './message-rows.js';
import { type Dialect, iso, list, type Param, sql } from './statement.js';
import { row, rows, type Work } from './work.js';

const UBRN = /^[0-9]{12}$/;

/** The keyset condition for "after this cursor" in a newest-first listing. */
function beforeCursor(p: Param, cursor: string): string {
  const at = parseMessageCursor(cursor);
  return `(created_at, message_id) < (${p(at.createdAt, 'timestamptz')}, ${p(at.messageId)})`;
}

export function* search(d: Dialect, query: MessageQuery): Work<StoredMessage[]> {
  const found = yield* rows<MessageRow>(
    sql(d, (p) => {
      const where: string[] = [];
      const equal = (column: string, value: string | undefined) => {
        if (value !== undefined) where.push(`${column} = ${p(value)}`);
      };
      equal('message_id', query.messageId);
      equal('conversation_id', query.conversationId);
      equal('interaction_id', query.interactionId);
      equal('status', query.status);
      equal('direction', query.direction);
      // The UBRN is digits only, so nothing in the LIKE pattern needs escaping.
      if (query.ubrn !== undefined && UBRN.test(query.ubrn))
        where.push(`${d.jsonText('data')} LIKE ${p(`%${d.jsonPair('ubrn', query.ubrn)}%`)}`);
      if (query.from) where.push(`created_at >= ${p(query.from.toISOString())}`);
      if (query.to) where.push(`created_at < ${p(query.to.toISOString())}`);
      if (query.before !== undefined) where.push(beforeCursor(p, query.before));
      return `SELECT ${messageColumns(d, false)} FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, message_id DESC LIMIT ${p(searchLimit(query.limit))}`;
    }),
  );
  return found.map(toMessage);
}

/** The history row that made each one a dead letter: the last with the message's current status. */
function lastFailure(column: string): string {
  return `(SELECT h.${column} FROM history h
    WHERE h.message_id = messages.message_id AND h.status = messages.status ORDER BY h.id DESC LIMIT 1)`;
}

export function* deadLetters(d: Dialect, query: DeadLetterQuery): Work<DeadLetter[]> {
  const found = yield* rows<DeadLetterRow>(
    sql(d, (p) => {
      const where = ["direction = 'outbound'", `status IN (${DEAD_LETTER_SQL})`, 'resolution IS NULL'];
      if (query.before !== undefined) where.push(beforeCursor(p, query.before));
      return `SELECT ${messageColumns(d, false)}, ${lastFailure('at')} AS failed_at,
          ${lastFailure('detail')} AS failed_detail
        FROM messages WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, message_id DESC LIMIT ${p(searchLimit(query.limit))}`;
    }),
  );
  return found.map(toDeadLetter);
}

export function* findStale(
  d: Dialect,
  states: readonly MessageState[],
  before: Date,
  limit: number,
): Work<StoredMessage[]> {
  if (states.length === 0 || limit <= 0) return [];
  const found = yield* rows<MessageRow>(
    sql(
      d,
      (p) => `SELECT ${messageColumns(d, true)} FROM messages
        WHERE direction = 'outbound' AND status IN (${list(p, states)})
          AND COALESCE(next_attempt_at, updated_at) < ${p(before.toISOString())}
        ORDER BY COALESCE(next_attempt_at, updated_at), message_id LIMIT ${p(Math.floor(limit))}`,
    ),
  );
  return found.map(toMessage);
}

export function* countByState(d: Dialect): Work<StateCount[]> {
  const found = yield* rows<StateCountRow>(
    sql(
      d,
      () => `SELECT direction, interaction_id, status, COUNT(*) AS count FROM messages
        GROUP BY direction, interaction_id, status ORDER BY direction, interaction_id, status`,
    ),
  );
  return found.map(toStateCount);
}

export function* oldestInFlight(d: Dialect): Work<InFlightMessage | undefined> {
  const found = yield* row<{ message_id: string; status: MessageState; created_at: string | Date }>(
    sql(
      d,
      (p) => `SELECT message_id, status, created_at FROM messages
        WHERE direction = 'outbound' AND status IN (${list(p, IN_FLIGHT_OUTBOUND_STATES)})
        ORDER BY created_at, message_id LIMIT 1`,
    ),
  );
  return found && { messageId: found.message_id, status: found.status, createdAt: iso(found.created_at) };
}
