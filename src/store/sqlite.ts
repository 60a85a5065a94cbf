import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkTransition } from '../lifecycle/index.js';
import type { ReferralStore } from './referral-types.js';
import { REFERRAL_SCHEMA, SqliteReferrals } from './sqlite-referrals.js';
import {
  DEAD_LETTER_SQL,
  type DeadLetter,
  type DeadLetterQuery,
  type DeadLetterResolution,
  type DeadLetterResolutionKind,
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  message_id TEXT PRIMARY KEY,
  direction TEXT NOT NULL,
  interaction_id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  ref_to_message_id TEXT,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  route_json TEXT,
  http_content_type TEXT,
  http_soap_action TEXT,
  http_body BLOB,
  data_json TEXT,
  hl7 TEXT,
  reply_json TEXT,
  ack_content_type TEXT,
  ack_soap_action TEXT,
  ack_body BLOB,
  error_json TEXT,
  reply_delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS messages_status ON messages (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS messages_conversation ON messages (conversation_id);
CREATE INDEX IF NOT EXISTS messages_status_updated ON messages (status, updated_at);
CREATE INDEX IF NOT EXISTS messages_status_created ON messages (status, created_at);
CREATE INDEX IF NOT EXISTS messages_created ON messages (created_at, message_id);
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  at TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS history_message ON history (message_id, id);
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  body_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, created_at);
CREATE INDEX IF NOT EXISTS outbox_message ON outbox (message_id);
`;

/** Columns added after the first release; SQLite has no ADD COLUMN IF NOT EXISTS, so each is checked. */
const ADDED_COLUMNS: [name: string, type: string][] = [
  ['resolution', 'TEXT'],
  ['resolved_at', 'TEXT'],
  ['replayed_as', 'TEXT'],
  ['hl7_message_id', 'TEXT'],
];

interface Row {
  message_id: string;
  direction: 'outbound' | 'inbound';
  interaction_id: string;
  conversation_id: string;
  ref_to_message_id: string | null;
  hl7_message_id: string | null;
  status: MessageState;
  created_at: string;
  updated_at: string;
  attempts: number;
  next_attempt_at: string | null;
  route_json: string | null;
  http_content_type: string | null;
  http_soap_action: string | null;
  http_body: Buffer | null;
  data_json: string | null;
  hl7: string | null;
  reply_json: string | null;
  ack_content_type: string | null;
  ack_soap_action: string | null;
  ack_body: Buffer | null;
  error_json: string | null;
  reply_delivered_at: string | null;
  resolution: DeadLetterResolutionKind | null;
  resolved_at: string | null;
  replayed_as: string | null;
}

/** Every column but the HTTP bodies, for listings. */
const LIST_COLUMNS = `message_id, direction, interaction_id, conversation_id, ref_to_message_id, hl7_message_id, status, created_at,
  updated_at, attempts, next_attempt_at, route_json, data_json, hl7, reply_json, error_json, reply_delivered_at,
  resolution, resolved_at, replayed_as, NULL AS http_content_type, NULL AS http_soap_action, NULL AS http_body,
  NULL AS ack_content_type, NULL AS ack_soap_action, NULL AS ack_body`;

/** Rows deleted per purge transaction, so retention never holds the single writer lock for long. */
const PURGE_BATCH = 500;

/** Prepared statements kept; dynamic SQL (searches, patches) has a bounded number of shapes. */
const STATEMENT_CACHE = 256;

/**
 * SQLite store for one gateway node: WAL, synchronous=FULL, one writer. Writes are group-committed:
 * those asked for while the event loop is busy share one transaction and so one fsync, each in a
 * savepoint of its own (one failing undoes only itself), and none resolves before the commit.
 */
export class SqliteMessageStore implements MessageStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly commits: GroupCommit;
  private readonly referrals: SqliteReferrals;

  constructor(
    path: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    if (path !== ':memory:') createPrivately(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.exec(REFERRAL_SCHEMA);
    this.addMissingColumns();
    this.commits = new GroupCommit(this.db);
    this.referrals = new SqliteReferrals(
      (text) => this.sql(text),
      (work) => this.commits.run(work),
      this.clock,
    );
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

  async insert(message: NewMessage): Promise<void> {
    const now = this.clock().toISOString();
    return this.commits.run(() => {
      const result = this.sql(
        `INSERT INTO messages (message_id, direction, interaction_id, conversation_id, ref_to_message_id,
             hl7_message_id, status, created_at, updated_at, route_json, http_content_type, http_soap_action,
             http_body, data_json, hl7)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
      ).run(
        message.messageId,
        message.direction,
        message.interactionId,
        message.conversationId,
        message.refToMessageId ?? null,
        message.hl7MessageId ?? null,
        message.status,
        now,
        now,
        toJson(message.route),
        message.http?.contentType ?? null,
        message.http?.soapAction ?? null,
        message.http?.body ?? null,
        toJson(message.data),
        message.hl7 ?? null,
      );
      if (result.changes === 0) throw new DuplicateMessageError(message.messageId);
      this.addHistory(message.messageId, now, message.status, message.detail);
    });
  }

  async get(messageId: string): Promise<StoredMessage | undefined> {
    const row = this.sql('SELECT * FROM messages WHERE message_id = ?').get(messageId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async getByHl7MessageId(hl7MessageId: string): Promise<StoredMessage | undefined> {
    const row = this.sql(
      `SELECT * FROM messages WHERE hl7_message_id = ? AND direction = 'outbound'
         ORDER BY created_at DESC, message_id DESC LIMIT 1`,
    ).get(hl7MessageId) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async transition(messageId: string, to: MessageState, options: TransitionOptions = {}): Promise<boolean> {
    const now = this.clock().toISOString();
    return this.commits.run(() => {
      const current = this.sql('SELECT status, attempts, resolution FROM messages WHERE message_id = ?').get(
        messageId,
      ) as { status: MessageState; attempts: number; resolution: string | null } | undefined;
      if (!current || current.resolution !== null) return false;
      if (!checkTransition(current.status, to, options.from)) return false;
      if (options.ifAttempts !== undefined && current.attempts !== options.ifAttempts) return false;
      this.sql('UPDATE messages SET status = ?, updated_at = ? WHERE message_id = ?').run(to, now, messageId);
      if (options.patch) this.applyPatch(messageId, options.patch, now);
      this.addHistory(messageId, now, to, options.detail);
      if (options.notify)
        this.sql(
          'INSERT INTO outbox (id, message_id, body_json, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
        ).run(options.notify.id, messageId, JSON.stringify(options.notify.body), now);
      return true;
    });
  }

  async pendingNotifications(limit: number, createdBefore: Date): Promise<PendingNotification[]> {
    const rows = this.sql(
      `SELECT id, message_id, body_json, created_at FROM outbox
         WHERE sent_at IS NULL AND created_at < ? ORDER BY created_at, id LIMIT ?`,
    ).all(createdBefore.toISOString(), Math.max(0, Math.floor(limit))) as {
      id: string;
      message_id: string;
      body_json: string;
      created_at: string;
    }[];
    return rows.map((row) => ({
      id: row.id,
      messageId: row.message_id,
      body: JSON.parse(row.body_json),
      createdAt: row.created_at,
    }));
  }

  async markNotificationSent(id: string, messageId: string): Promise<void> {
    const now = this.clock().toISOString();
    return this.commits.run(() => {
      this.sql('UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL').run(now, id);
      this.sql(
        'UPDATE messages SET reply_delivered_at = ? WHERE message_id = ? AND reply_delivered_at IS NULL',
      ).run(now, messageId);
    });
  }

  async update(messageId: string, patch: MessagePatch): Promise<void> {
    const now = this.clock().toISOString();
    return this.commits.run(() => this.applyPatch(messageId, patch, now));
  }

  async history(messageId: string): Promise<HistoryEntry[]> {
    const rows = this.sql('SELECT at, status, detail FROM history WHERE message_id = ? ORDER BY id').all(
      messageId,
    ) as { at: string; status: MessageState; detail: string | null }[];
    return rows.map((row) =>
      row.detail === null ? { at: row.at, status: row.status } : { ...row, detail: row.detail },
    );
  }

  async findStale(states: readonly MessageState[], before: Date, limit: number): Promise<StoredMessage[]> {
    if (states.length === 0 || limit <= 0) return [];
    const rows = this.sql(
      `SELECT * FROM messages
         WHERE direction = 'outbound' AND status IN (${marks(states)})
           AND COALESCE(next_attempt_at, updated_at) < ?
         ORDER BY COALESCE(next_attempt_at, updated_at), message_id LIMIT ?`,
    ).all(...states, before.toISOString(), Math.floor(limit)) as Row[];
    return rows.map(fromRow);
  }

  async purge(states: readonly MessageState[], before: Date): Promise<number> {
    if (states.length === 0) return 0;
    const select = this.sql(
      `SELECT message_id FROM messages WHERE status IN (${marks(states)}) AND updated_at < ? LIMIT ${PURGE_BATCH}`,
    );
    const deleteHistory = this.sql('DELETE FROM history WHERE message_id = ?');
    const deleteOutbox = this.sql('DELETE FROM outbox WHERE message_id = ?');
    const deleteMessage = this.sql('DELETE FROM messages WHERE message_id = ?');
    const batch = this.db.transaction(() => {
      const ids = (select.all(...states, before.toISOString()) as { message_id: string }[]).map(
        (row) => row.message_id,
      );
      for (const id of ids) {
        deleteHistory.run(id);
        deleteOutbox.run(id);
        deleteMessage.run(id);
      }
      return ids.length;
    });
    let total = 0;
    let deleted: number;
    do {
      deleted = batch.immediate();
      total += deleted;
    } while (deleted === PURGE_BATCH);
    return total;
  }

  async search(query: MessageQuery): Promise<StoredMessage[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const equal = (column: string, value: string | undefined) => {
      if (value !== undefined) where.push(`${column} = ?`) && values.push(value);
    };
    equal('message_id', query.messageId);
    equal('conversation_id', query.conversationId);
    equal('interaction_id', query.interactionId);
    equal('status', query.status);
    equal('direction', query.direction);
    // JSON.stringify writes "ubrn":"…" with no space; the UBRN is digits only, so nothing to escape.
    if (query.ubrn !== undefined && /^[0-9]{12}$/.test(query.ubrn))
      where.push('data_json LIKE ?') && values.push(`%"ubrn":"${query.ubrn}"%`);
    if (query.from) where.push('created_at >= ?') && values.push(query.from.toISOString());
    if (query.to) where.push('created_at < ?') && values.push(query.to.toISOString());
    if (query.before !== undefined) {
      const cursor = parseMessageCursor(query.before);
      where.push('(created_at, message_id) < (?, ?)') && values.push(cursor.createdAt, cursor.messageId);
    }
    const rows = this.sql(
      `SELECT ${LIST_COLUMNS} FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, message_id DESC LIMIT ?`,
    ).all(...values, searchLimit(query.limit)) as Row[];
    return rows.map(fromRow);
  }

  async resolve(messageId: string, resolution: DeadLetterResolution, detail: string): Promise<boolean> {
    const now = this.clock().toISOString();
    return this.commits.run(() => {
      const result = this.sql(
        `UPDATE messages SET resolution = ?, resolved_at = ?, replayed_as = ?, updated_at = ?
           WHERE message_id = ? AND direction = 'outbound' AND status IN (${DEAD_LETTER_SQL})
             AND resolution IS NULL RETURNING status`,
      ).get(
        resolution.kind,
        now,
        resolution.kind === 'replayed' ? resolution.replayedAs : null,
        now,
        messageId,
      ) as { status: MessageState } | undefined;
      if (!result) return false;
      this.addHistory(messageId, now, result.status, detail);
      return true;
    });
  }

  async unresolve(messageId: string, detail: string): Promise<boolean> {
    const now = this.clock().toISOString();
    return this.commits.run(() => {
      const result = this.sql(
        `UPDATE messages SET resolution = NULL, resolved_at = NULL, replayed_as = NULL, updated_at = ?
           WHERE message_id = ? AND status IN (${DEAD_LETTER_SQL}) AND resolution IS NOT NULL RETURNING status`,
      ).get(now, messageId) as { status: MessageState } | undefined;
      if (!result) return false;
      this.addHistory(messageId, now, result.status, detail);
      return true;
    });
  }

  async deadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    const where = ["direction = 'outbound'", `status IN (${DEAD_LETTER_SQL})`, 'resolution IS NULL'];
    const values: unknown[] = [];
    if (query.before !== undefined) {
      const cursor = parseMessageCursor(query.before);
      where.push('(created_at, message_id) < (?, ?)') && values.push(cursor.createdAt, cursor.messageId);
    }
    const lastFailed = (column: string) =>
      `(SELECT h.${column} FROM history h WHERE h.message_id = messages.message_id AND h.status = messages.status
        ORDER BY h.id DESC LIMIT 1)`;
    const rows = this.sql(
      `SELECT ${LIST_COLUMNS}, ${lastFailed('at')} AS failed_at, ${lastFailed('detail')} AS failed_detail
         FROM messages WHERE ${where.join(' AND ')}
         ORDER BY created_at DESC, message_id DESC LIMIT ?`,
    ).all(...values, searchLimit(query.limit)) as (Row & {
      failed_at: string | null;
      failed_detail: string | null;
    })[];
    return rows.map((row) => {
      const letter: DeadLetter = { ...fromRow(row), failedAt: row.failed_at ?? row.updated_at };
      if (row.failed_detail !== null) letter.failureDetail = row.failed_detail;
      return letter;
    });
  }

  async countByState(): Promise<StateCount[]> {
    const rows = this.sql(
      `SELECT direction, interaction_id, status, COUNT(*) AS count FROM messages
         GROUP BY direction, interaction_id, status ORDER BY direction, interaction_id, status`,
    ).all() as {
      direction: Row['direction'];
      interaction_id: string;
      status: MessageState;
      count: number;
    }[];
    return rows.map((row) => ({
      direction: row.direction,
      interactionId: row.interaction_id,
      status: row.status,
      count: row.count,
    }));
  }

  async oldestInFlight(): Promise<InFlightMessage | undefined> {
    const row = this.sql(
      `SELECT message_id, status, created_at FROM messages
         WHERE direction = 'outbound' AND status IN (${marks(IN_FLIGHT_OUTBOUND_STATES)})
         ORDER BY created_at, message_id LIMIT 1`,
    ).get(...IN_FLIGHT_OUTBOUND_STATES) as
      | { message_id: string; status: MessageState; created_at: string }
      | undefined;
    return row && { messageId: row.message_id, status: row.status, createdAt: row.created_at };
  }

  async sizeBytes(): Promise<number> {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return pages * pageSize;
  }

  async checkWritable(): Promise<void> {
    this.sql('CREATE TABLE IF NOT EXISTS readiness (at TEXT)').run();
    this.sql('DELETE FROM readiness').run();
    this.sql('INSERT INTO readiness (at) VALUES (?)').run(this.clock().toISOString());
  }

  /** Transactions committed and writes they carried: writes / commits is the batching achieved. */
  get commitStats(): { commits: number; writes: number } {
    return { commits: this.commits.commits, writes: this.commits.writes };
  }

  async close(): Promise<void> {
    await this.commits.drain();
    if (this.db.open) this.db.close();
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** Under the write lock, so a gateway and the CLI opening an older file together add each column once. */
  private addMissingColumns(): void {
    const add = this.db.transaction(() => {
      const columns = this.sql('PRAGMA table_info(messages)').all() as { name: string }[];
      const present = new Set(columns.map((column) => column.name));
      for (const [name, type] of ADDED_COLUMNS)
        if (!present.has(name)) this.db.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
      // The first dead-letter index covered FAILED only; UNANSWERED messages are dead letters too.
      this.db.exec(
        `DROP INDEX IF EXISTS messages_dead_letters;
         CREATE INDEX IF NOT EXISTS messages_dead_letters_v2 ON messages (created_at, message_id)
           WHERE status IN (${DEAD_LETTER_SQL}) AND resolution IS NULL;
         CREATE INDEX IF NOT EXISTS messages_hl7_message_id ON messages (hl7_message_id)
           WHERE hl7_message_id IS NOT NULL`,
      );
    });
    add.immediate();
  }

  private addHistory(messageId: string, at: string, status: MessageState, detail: string | undefined): void {
    this.sql('INSERT INTO history (message_id, at, status, detail) VALUES (?, ?, ?, ?)').run(
      messageId,
      at,
      status,
      detail ?? null,
    );
  }

  private applyPatch(messageId: string, patch: MessagePatch, now: string): void {
    const sets: string[] = ['updated_at = ?'];
    const values: unknown[] = [now];
    if (patch.attempts !== undefined) sets.push('attempts = ?') && values.push(patch.attempts);
    if (patch.nextAttemptAt !== undefined)
      sets.push('next_attempt_at = ?') && values.push(patch.nextAttemptAt);
    if (patch.reply !== undefined) sets.push('reply_json = ?') && values.push(toJson(patch.reply));
    if (patch.error !== undefined) sets.push('error_json = ?') && values.push(toJson(patch.error));
    if (patch.replyDeliveredAt !== undefined)
      sets.push('reply_delivered_at = ?') && values.push(patch.replyDeliveredAt);
    if (patch.ack !== undefined) {
      sets.push('ack_content_type = ?', 'ack_soap_action = ?', 'ack_body = ?');
      values.push(patch.ack.contentType, patch.ack.soapAction, patch.ack.body);
    }
    this.sql(`UPDATE messages SET ${sets.join(', ')} WHERE message_id = ?`).run(...values, messageId);
  }
}

interface PendingWrite {
  work: () => unknown;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects the writes asked for in one turn of the event loop and commits them together. Each
 * write runs in a savepoint, so one that throws (a duplicate MessageId) is undone alone and its
 * caller gets the error; a failed commit fails every caller in it. Nothing resolves before the
 * commit (and, with synchronous=FULL, the fsync) returns: a caller told "stored" is stored.
 */
class GroupCommit {
  commits = 0;
  writes = 0;
  private queue: PendingWrite[] = [];
  private scheduled = false;
  private readonly inSavepoint: Database.Transaction<(work: () => unknown) => unknown>;
  private readonly commitAll: Database.Transaction<(batch: PendingWrite[]) => Settled[]>;

  constructor(db: Database.Database) {
    // A transaction function called inside another runs as a SAVEPOINT (better-sqlite3).
    this.inSavepoint = db.transaction((work: () => unknown) => work());
    this.commitAll = db.transaction((batch: PendingWrite[]) =>
      batch.map((write): Settled => {
        try {
          return { ok: true, value: this.inSavepoint(write.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: never) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now (closing the store must not drop accepted writes). */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let settled: Settled[];
    try {
      settled = this.commitAll.immediate(batch);
      this.commits += 1;
      this.writes += batch.length;
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = settled[i]!;
      if (outcome.ok) write.resolve(outcome.value as never);
      else write.reject(outcome.error);
    });
  }
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

function marks(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function fromJson(value: string | null): unknown {
  return value === null ? undefined : JSON.parse(value);
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    attempts: row.attempts,
  };
  if (row.ref_to_message_id !== null) message.refToMessageId = row.ref_to_message_id;
  if (row.hl7_message_id !== null) message.hl7MessageId = row.hl7_message_id;
  if (row.next_attempt_at !== null) message.nextAttemptAt = row.next_attempt_at;
  if (row.reply_delivered_at !== null) message.replyDeliveredAt = row.reply_delivered_at;
  if (row.resolution !== null) message.resolution = row.resolution;
  if (row.resolved_at !== null) message.resolvedAt = row.resolved_at;
  if (row.replayed_as !== null) message.replayedAs = row.replayed_as;
  const optional = {
    route: fromJson(row.route_json),
    http: http(row.http_content_type, row.http_soap_action, row.http_body),
    data: fromJson(row.data_json),
    hl7: row.hl7 ?? undefined,
    reply: fromJson(row.reply_json),
    ack: http(row.ack_content_type, row.ack_soap_action, row.ack_body),
    error: fromJson(row.error_json),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (message as unknown as Record<string, unknown>)[key] = value;
  }
  return message;
}

/**
 * The database holds patient data: its directory is created 0700 and the file 0600 before SQLite
 * opens it. SQLite gives its -wal and -shm files the database file's mode; files an older version
 * left readable by others are narrowed too.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}
