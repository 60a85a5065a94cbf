import pg from 'pg';
import { checkTransition } from '../lifecycle/index.js';
import { migratePostgres } from './migrate.js';
import { PostgresReferrals } from './postgres-referrals.js';
import type { ReferralStore } from './referral-types.js';
import { postgresTarget } from './setting.js';
import {
  DEAD_LETTER_SQL,
  type DeadLetter,
  type DeadLetterQuery,
  type DeadLetterResolution,
  type DeadLetterResolutionKind,
  type Direction,
  DuplicateMessageError,
  type HistoryEntry,
  IN_FLIGHT_OUTBOUND_STATES,
  type InFlightMessage,
  type MessagePatch,
  type MessageQuery,
  type MessageState,
  type MessageStore,
  type NewMessage,
  type PendingNotification,
  parseMessageCursor,
  type StateCount,
  type StoredHttp,
  type StoredMessage,
  searchLimit,
  type TransitionOptions,
} from './types.js';

export interface PostgresStoreOptions {
  clock?: () => Date;
  /** Pool size per instance (pg's default is 10). */
  maxConnections?: number;
  /** An idle connection broke (e.g. PostgreSQL restarted); the pool reconnects on next use. */
  onPoolError?: (error: Error) => void;
}

interface Row {
  message_id: string;
  direction: Direction;
  interaction_id: string;
  conversation_id: string;
  ref_to_message_id: string | null;
  hl7_message_id: string | null;
  status: MessageState;
  created_at: Date;
  updated_at: Date;
  attempts: number;
  next_attempt_at: Date | null;
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
  reply_delivered_at: Date | null;
  resolution: DeadLetterResolutionKind | null;
  resolved_at: Date | null;
  replayed_as: string | null;
}

/** JSON comes back as text so a stored JSON null stays null (pg would make it look like SQL NULL). */
const BASE_COLUMNS = `message_id, direction, interaction_id, conversation_id, ref_to_message_id, hl7_message_id, status, created_at,
  updated_at, attempts, next_attempt_at, route::text AS route, data::text AS data, hl7, reply::text AS reply,
  error::text AS error, reply_delivered_at, resolution, resolved_at, replayed_as`;
const ALL_COLUMNS = `${BASE_COLUMNS}, http_content_type, http_soap_action, http_body,
  ack_content_type, ack_soap_action, ack_body`;
/** Every column but the HTTP bodies, for listings. */
const LIST_COLUMNS = `${BASE_COLUMNS}, NULL AS http_content_type, NULL AS http_soap_action, NULL AS http_body,
  NULL AS ack_content_type, NULL AS ack_soap_action, NULL AS ack_body`;

const STORE_TABLES = [
  'messages',
  'history',
  'readiness',
  'schema_migrations',
  'ers_worklist',
  'ers_referrals',
  'ers_budget',
  'ers_attachments',
  'ers_decisions',
];

/** Rows deleted per purge statement, so retention never locks many rows at once. */
const PURGE_BATCH = 500;

/**
 * PostgreSQL store shared by several gateway instances. Timestamps come from the clock (not now()) and go
 * back out in toISOString form, so both stores return identical shapes.
 */
export class PostgresMessageStore implements MessageStore {
  private ended = false;
  private readonly referrals: PostgresReferrals;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.referrals = new PostgresReferrals(pool, (work) => this.inTransaction(work), clock);
  }

  // The e-RS FHIR tables (sqlite-referrals.ts).
  worklist(...args: Parameters<ReferralStore['worklist']>) {
    return this.referrals.worklist(...args);
  }
  saveWorklist(...args: Parameters<ReferralStore['saveWorklist']>) {
    return this.referrals.saveWorklist(...args);
  }
  referral(...args: Parameters<ReferralStore['referral']>) {
    return this.referrals.referral(...args);
  }
  saveReferral(...args: Parameters<ReferralStore['saveReferral']>) {
    return this.referrals.saveReferral(...args);
  }
  countReferralsByState(...args: Parameters<ReferralStore['countReferralsByState']>) {
    return this.referrals.countReferralsByState(...args);
  }
  takeBudget(...args: Parameters<ReferralStore['takeBudget']>) {
    return this.referrals.takeBudget(...args);
  }
  budgetUsed(...args: Parameters<ReferralStore['budgetUsed']>) {
    return this.referrals.budgetUsed(...args);
  }
  attachment(...args: Parameters<ReferralStore['attachment']>) {
    return this.referrals.attachment(...args);
  }
  attachments(...args: Parameters<ReferralStore['attachments']>) {
    return this.referrals.attachments(...args);
  }
  saveAttachment(...args: Parameters<ReferralStore['saveAttachment']>) {
    return this.referrals.saveAttachment(...args);
  }
  attachmentsDue(...args: Parameters<ReferralStore['attachmentsDue']>) {
    return this.referrals.attachmentsDue(...args);
  }
  attachmentFailures(...args: Parameters<ReferralStore['attachmentFailures']>) {
    return this.referrals.attachmentFailures(...args);
  }
  claimDecision(...args: Parameters<ReferralStore['claimDecision']>) {
    return this.referrals.claimDecision(...args);
  }
  finishDecision(...args: Parameters<ReferralStore['finishDecision']>) {
    return this.referrals.finishDecision(...args);
  }
  releaseDecision(...args: Parameters<ReferralStore['releaseDecision']>) {
    return this.referrals.releaseDecision(...args);
  }

  /** Connects, migrates, and returns the store; one clear line (no password) when the database is unreachable. */
  static async open(
    connectionString: string,
    options: PostgresStoreOptions = {},
  ): Promise<PostgresMessageStore> {
    const pool = new pg.Pool({
      connectionString,
      connectionTimeoutMillis: 10_000,
      ...(options.maxConnections ? { max: options.maxConnections } : {}),
    });
    pool.on('error', options.onPoolError ?? (() => {}));
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end().catch(() => {});
      const reason = ((error as Error).message || String(error)).split('\n')[0];
      throw new Error(`cannot open PostgreSQL store at ${postgresTarget(connectionString)}: ${reason}`);
    }
    return new PostgresMessageStore(pool, options.clock);
  }

  async insert(message: NewMessage): Promise<void> {
    const now = this.clock().toISOString();
    await this.inTransaction(async (client) => {
      const result = await client.query(
        `INSERT INTO messages (message_id, direction, interaction_id, conversation_id, ref_to_message_id, status,
           created_at, updated_at, route, http_content_type, http_soap_action, http_body, data, hl7, hl7_message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8::jsonb, $9, $10, $11, $12::jsonb, $13, $14)
         ON CONFLICT (message_id) DO NOTHING`,
        [
          message.messageId,
          message.direction,
          message.interactionId,
          message.conversationId,
          message.refToMessageId ?? null,
          message.status,
          now,
          toJson(message.route),
          message.http?.contentType ?? null,
          message.http?.soapAction ?? null,
          message.http?.body ?? null,
          toJson(message.data),
          message.hl7 ?? null,
          message.hl7MessageId ?? null,
        ],
      );
      if (result.rowCount === 0) throw new DuplicateMessageError(message.messageId);
      await addHistory(client, message.messageId, now, message.status, message.detail);
    });
  }

  async get(messageId: string): Promise<StoredMessage | undefined> {
    const result = await this.pool.query<Row>(`SELECT ${ALL_COLUMNS} FROM messages WHERE message_id = $1`, [
      messageId,
    ]);
    return result.rows[0] && fromRow(result.rows[0]);
  }

  async getByHl7MessageId(hl7MessageId: string): Promise<StoredMessage | undefined> {
    const result = await this.pool.query<Row>(
      `SELECT ${ALL_COLUMNS} FROM messages WHERE hl7_message_id = $1 AND direction = 'outbound'
       ORDER BY created_at DESC, message_id DESC LIMIT 1`,
      [hl7MessageId],
    );
    return result.rows[0] && fromRow(result.rows[0]);
  }

  async transition(messageId: string, to: MessageState, options: TransitionOptions = {}): Promise<boolean> {
    const now = this.clock().toISOString();
    return this.inTransaction(async (client) => {
      // The row lock makes a second instance wait, then see the status the first one wrote.
      const current = await client.query<{
        status: MessageState;
        attempts: number;
        resolution: string | null;
      }>('SELECT status, attempts, resolution FROM messages WHERE message_id = $1 FOR UPDATE', [messageId]);
      const status = current.rows[0]?.status;
      if (status === undefined || current.rows[0]?.resolution !== null) return false;
      if (!checkTransition(status, to, options.from)) return false;
      if (options.ifAttempts !== undefined && current.rows[0]?.attempts !== options.ifAttempts) return false;
      await applyPatch(client, messageId, options.patch ?? {}, now, to);
      await addHistory(client, messageId, now, to, options.detail);
      if (options.notify)
        await client.query(
          'INSERT INTO outbox (id, message_id, body, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
          [options.notify.id, messageId, JSON.stringify(options.notify.body), now],
        );
      return true;
    });
  }

  async pendingNotifications(limit: number, createdBefore: Date): Promise<PendingNotification[]> {
    const result = await this.pool.query<{ id: string; message_id: string; body: unknown; created_at: Date }>(
      `SELECT id, message_id, body, created_at FROM outbox
       WHERE sent_at IS NULL AND created_at < $1 ORDER BY created_at, id LIMIT $2`,
      [createdBefore.toISOString(), Math.max(0, Math.floor(limit))],
    );
    return result.rows.map((row) => ({
      id: row.id,
      messageId: row.message_id,
      body: row.body,
      createdAt: row.created_at.toISOString(),
    }));
  }

  async markNotificationSent(id: string, messageId: string): Promise<void> {
    const now = this.clock().toISOString();
    await this.inTransaction(async (client) => {
      await client.query('UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL', [now, id]);
      await client.query(
        'UPDATE messages SET reply_delivered_at = $1 WHERE message_id = $2 AND reply_delivered_at IS NULL',
        [now, messageId],
      );
    });
  }

  async update(messageId: string, patch: MessagePatch): Promise<void> {
    await applyPatch(this.pool, messageId, patch, this.clock().toISOString());
  }

  async history(messageId: string): Promise<HistoryEntry[]> {
    const result = await this.pool.query<{ at: Date; status: MessageState; detail: string | null }>(
      'SELECT at, status, detail FROM history WHERE message_id = $1 ORDER BY id',
      [messageId],
    );
    return result.rows.map((row) => {
      const entry: HistoryEntry = { at: row.at.toISOString(), status: row.status };
      if (row.detail !== null) entry.detail = row.detail;
      return entry;
    });
  }

  async findStale(states: readonly MessageState[], before: Date, limit: number): Promise<StoredMessage[]> {
    if (states.length === 0 || limit <= 0) return [];
    const result = await this.pool.query<Row>(
      `SELECT ${ALL_COLUMNS} FROM messages
       WHERE direction = 'outbound' AND status = ANY($1::text[])
         AND COALESCE(next_attempt_at, updated_at) < $2
       ORDER BY COALESCE(next_attempt_at, updated_at), message_id LIMIT $3`,
      [[...states], before.toISOString(), Math.floor(limit)],
    );
    return result.rows.map(fromRow);
  }

  async purge(states: readonly MessageState[], before: Date): Promise<number> {
    if (states.length === 0) return 0;
    let total = 0;
    let deleted: number;
    do {
      // SKIP LOCKED: rows another instance is moving or purging right now wait for the next round.
      const result = await this.pool.query(
        `DELETE FROM messages WHERE message_id IN (
           SELECT message_id FROM messages WHERE status = ANY($1::text[]) AND updated_at < $2
           LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
        [[...states], before.toISOString()],
      );
      deleted = result.rowCount ?? 0;
      total += deleted;
    } while (deleted === PURGE_BATCH);
    return total;
  }

  async search(query: MessageQuery): Promise<StoredMessage[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    const equal = (column: string, value: string | undefined) => {
      if (value !== undefined) where.push(`${column} = ${param(value)}`);
    };
    equal('message_id', query.messageId);
    equal('conversation_id', query.conversationId);
    equal('interaction_id', query.interactionId);
    equal('status', query.status);
    equal('direction', query.direction);
    // jsonb's text form writes "ubrn": "…" with one space; the UBRN is digits only, so nothing to escape.
    if (query.ubrn !== undefined && /^[0-9]{12}$/.test(query.ubrn))
      where.push(`data::text LIKE ${param(`%"ubrn": "${query.ubrn}"%`)}`);
    if (query.from) where.push(`created_at >= ${param(query.from.toISOString())}`);
    if (query.to) where.push(`created_at < ${param(query.to.toISOString())}`);
    if (query.before !== undefined) {
      const cursor = parseMessageCursor(query.before);
      where.push(
        `(created_at, message_id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.messageId)})`,
      );
    }
    const result = await this.pool.query<Row>(
      `SELECT ${LIST_COLUMNS} FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, message_id DESC LIMIT ${param(searchLimit(query.limit))}`,
      values,
    );
    return result.rows.map(fromRow);
  }

  async resolve(messageId: string, resolution: DeadLetterResolution, detail: string): Promise<boolean> {
    const now = this.clock().toISOString();
    return this.inTransaction(async (client) => {
      // One conditional UPDATE: of two operators acting at once, the second finds the row resolved.
      const result = await client.query(
        `UPDATE messages SET resolution = $2, resolved_at = $3, replayed_as = $4, updated_at = $3
         WHERE message_id = $1 AND direction = 'outbound' AND status IN (${DEAD_LETTER_SQL})
           AND resolution IS NULL RETURNING status`,
        [messageId, resolution.kind, now, resolution.kind === 'replayed' ? resolution.replayedAs : null],
      );
      const status = (result.rows[0] as { status: MessageState } | undefined)?.status;
      if (!status) return false;
      await addHistory(client, messageId, now, status, detail);
      return true;
    });
  }

  async unresolve(messageId: string, detail: string): Promise<boolean> {
    const now = this.clock().toISOString();
    return this.inTransaction(async (client) => {
      const result = await client.query(
        `UPDATE messages SET resolution = NULL, resolved_at = NULL, replayed_as = NULL, updated_at = $2
         WHERE message_id = $1 AND status IN (${DEAD_LETTER_SQL}) AND resolution IS NOT NULL RETURNING status`,
        [messageId, now],
      );
      const status = (result.rows[0] as { status: MessageState } | undefined)?.status;
      if (!status) return false;
      await addHistory(client, messageId, now, status, detail);
      return true;
    });
  }

  async deadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    const where = ["direction = 'outbound'", `status IN (${DEAD_LETTER_SQL})`, 'resolution IS NULL'];
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (query.before !== undefined) {
      const cursor = parseMessageCursor(query.before);
      where.push(
        `(created_at, message_id) < (${param(cursor.createdAt)}::timestamptz, ${param(cursor.messageId)})`,
      );
    }
    const result = await this.pool.query<Row & { failed_at: Date | null; failed_detail: string | null }>(
      `SELECT ${LIST_COLUMNS}, failed.at AS failed_at, failed.detail AS failed_detail
       FROM messages LEFT JOIN LATERAL (
         SELECT h.at, h.detail FROM history h
         WHERE h.message_id = messages.message_id AND h.status = messages.status ORDER BY h.id DESC LIMIT 1
       ) failed ON true
       WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, message_id DESC LIMIT ${param(searchLimit(query.limit))}`,
      values,
    );
    return result.rows.map((row) => {
      const letter: DeadLetter = {
        ...fromRow(row),
        failedAt: (row.failed_at ?? row.updated_at).toISOString(),
      };
      if (row.failed_detail !== null) letter.failureDetail = row.failed_detail;
      return letter;
    });
  }

  async countByState(): Promise<StateCount[]> {
    const result = await this.pool.query<{
      direction: Direction;
      interaction_id: string;
      status: MessageState;
      count: string;
    }>(
      `SELECT direction, interaction_id, status, COUNT(*) AS count FROM messages
       GROUP BY direction, interaction_id, status ORDER BY direction, interaction_id, status`,
    );
    return result.rows.map((row) => ({
      direction: row.direction,
      interactionId: row.interaction_id,
      status: row.status,
      count: Number(row.count),
    }));
  }

  async oldestInFlight(): Promise<InFlightMessage | undefined> {
    const result = await this.pool.query<{ message_id: string; status: MessageState; created_at: Date }>(
      `SELECT message_id, status, created_at FROM messages
       WHERE direction = 'outbound' AND status = ANY($1::text[])
       ORDER BY created_at, message_id LIMIT 1`,
      [[...IN_FLIGHT_OUTBOUND_STATES]],
    );
    const row = result.rows[0];
    return row && { messageId: row.message_id, status: row.status, createdAt: row.created_at.toISOString() };
  }

  async sizeBytes(): Promise<number> {
    const result = await this.pool.query<{ bytes: string }>(
      `SELECT COALESCE(SUM(pg_total_relation_size(to_regclass(name))), 0) AS bytes
       FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NOT NULL`,
      [STORE_TABLES],
    );
    return Number(result.rows[0]?.bytes ?? 0);
  }

  async checkWritable(): Promise<void> {
    await this.pool.query(
      'INSERT INTO readiness (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at',
      [this.clock().toISOString()],
    );
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

async function addHistory(
  client: Queryable,
  messageId: string,
  at: string,
  status: MessageState,
  detail: string | undefined,
): Promise<void> {
  await client.query('INSERT INTO history (message_id, at, status, detail) VALUES ($1, $2, $3, $4)', [
    messageId,
    at,
    status,
    detail ?? null,
  ]);
}

/** One UPDATE for the patch, touching updated_at, and the status too when `status` is given. */
async function applyPatch(
  client: Queryable,
  messageId: string,
  patch: MessagePatch,
  now: string,
  status?: MessageState,
): Promise<void> {
  const values: unknown[] = [messageId];
  const set = (column: string, value: unknown, cast = '') => `${column} = $${values.push(value)}${cast}`;
  const sets = [set('updated_at', now)];
  if (status !== undefined) sets.push(set('status', status));
  if (patch.attempts !== undefined) sets.push(set('attempts', patch.attempts));
  if (patch.nextAttemptAt !== undefined) sets.push(set('next_attempt_at', patch.nextAttemptAt));
  if (patch.reply !== undefined) sets.push(set('reply', toJson(patch.reply), '::jsonb'));
  if (patch.error !== undefined) sets.push(set('error', toJson(patch.error), '::jsonb'));
  if (patch.replyDeliveredAt !== undefined) sets.push(set('reply_delivered_at', patch.replyDeliveredAt));
  if (patch.ack !== undefined)
    sets.push(
      set('ack_content_type', patch.ack.contentType),
      set('ack_soap_action', patch.ack.soapAction),
      set('ack_body', patch.ack.body),
    );
  await client.query(`UPDATE messages SET ${sets.join(', ')} WHERE message_id = $1`, values);
}

/** Stringified here: pg would turn a top-level array into a PostgreSQL array literal, not JSON. */
function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function fromJson(value: string | null): unknown {
  return value === null ? undefined : JSON.parse(value);
}

function iso(value: Date | null): string | undefined {
  return value === null ? undefined : value.toISOString();
}

function http(
  contentType: string | null,
  soapAction: string | null,
  body: Buffer | null,
): StoredHttp | undefined {
  return body === null ? undefined : { contentType: contentType ?? '', soapAction: soapAction ?? '', body };
}

function fromRow(row: Row): StoredMessage {
  const message: StoredMessage = {
    messageId: row.message_id,
    direction: row.direction,
    interactionId: row.interaction_id,
    conversationId: row.conversation_id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    attempts: row.attempts,
  };
  const optional = {
    refToMessageId: row.ref_to_message_id ?? undefined,
    hl7MessageId: row.hl7_message_id ?? undefined,
    nextAttemptAt: iso(row.next_attempt_at),
    replyDeliveredAt: iso(row.reply_delivered_at),
    resolution: row.resolution ?? undefined,
    resolvedAt: iso(row.resolved_at),
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
