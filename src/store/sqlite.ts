import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GroupCommit } from './group-commit.js';
import { type Dialect, type Outcome, runNow, SqlStore, type Statement, type Work } from './sql/index.js';
import { migrateSqlite } from './sqlite-migrate.js';
import type { MessageState } from './types.js';

/** SQLite's spelling: `?` placeholders, JSON as text in `<name>_json` columns, one writer (no row locks). */
export const SQLITE_DIALECT: Dialect = {
  placeholder: () => '?',
  jsonColumn: (name) => `${name}_json`,
  jsonText: (name) => `${name}_json`,
  jsonPair: (key, value) => `"${key}":"${value}"`,
  lockRow: '',
};

/** Rows deleted per purge transaction, so retention never holds the single writer lock for long. */
const PURGE_BATCH = 500;

/** Prepared statements kept; dynamic SQL (searches, patches) has a bounded number of shapes. */
const STATEMENT_CACHE = 256;

/**
 * SQLite store for one gateway node: WAL, synchronous=FULL, one writer. Writes are group-committed
 * (group-commit.ts): those asked for while the event loop is busy share one transaction and so one
 * fsync, and none resolves before the commit. Reads run at once.
 */
export class SqliteMessageStore extends SqlStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly commits: GroupCommit;

  constructor(path: string, clock: () => Date = () => new Date()) {
    super(SQLITE_DIALECT, clock);
    if (path !== ':memory:') createPrivately(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    migrateSqlite(this.db);
    this.commits = new GroupCommit(this.db);
  }

  protected async read<T>(work: Work<T>): Promise<T> {
    return runNow(work, (statement) => this.execute(statement));
  }

  protected write<T>(work: Work<T>): Promise<T> {
    return this.commits.run(() => runNow(work, (statement) => this.execute(statement)));
  }

  protected change(statement: Statement): Promise<number> {
    return this.commits.run(() => this.execute(statement).changes);
  }

  async purge(states: readonly MessageState[], before: Date): Promise<number> {
    if (states.length === 0) return 0;
    const select = this.prepared(
      `SELECT message_id FROM messages WHERE status IN (${states.map(() => '?').join(', ')})
         AND updated_at < ? LIMIT ${PURGE_BATCH}`,
    );
    // No foreign keys here: a message's history and outbox rows go in the same transaction.
    const deletes = ['history', 'outbox', 'messages'].map((table) =>
      this.prepared(`DELETE FROM ${table} WHERE message_id = ?`),
    );
    const batch = this.db.transaction(() => {
      const ids = (select.all(...states, before.toISOString()) as { message_id: string }[]).map(
        (row) => row.message_id,
      );
      for (const id of ids) for (const statement of deletes) statement.run(id);
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

  async sizeBytes(): Promise<number> {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return pages * pageSize;
  }

  async checkWritable(): Promise<void> {
    this.prepared('DELETE FROM readiness').run();
    this.prepared('INSERT INTO readiness (at) VALUES (?)').run(this.clock().toISOString());
  }

  /** Transactions committed and writes they carried: writes / commits is the batching achieved. */
  get commitStats(): { commits: number; writes: number } {
    return { commits: this.commits.commits, writes: this.commits.writes };
  }

  async close(): Promise<void> {
    await this.commits.drain();
    if (this.db.open) this.db.close();
  }

  private execute(statement: Statement): Outcome {
    const prepared = this.prepared(statement.text);
    if (prepared.reader) {
      const rows = prepared.all(...statement.values) as Record<string, unknown>[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: prepared.run(...statement.values).changes };
  }

  private prepared(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
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
