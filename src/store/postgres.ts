import pg from 'pg';
import { migratePostgres } from './postgres-migrate.js';
import { inTransaction } from './postgres-transaction.js';
import { postgresTarget } from './setting.js';
import { type Dialect, type Outcome, runAwaiting, SqlStore, type Statement, type Work } from './sql/index.js';
import type { MessageState } from './types.js';

export interface PostgresStoreOptions {
  clock?: () => Date;
  /** Pool size per instance (pg's default is 10). */
  maxConnections?: number;
  /** An idle connection broke (e.g. PostgreSQL restarted); the pool reconnects on next use. */
  onPoolError?: (error: Error) => void;
}

/**
 * PostgreSQL's spelling: `$n` placeholders (cast where a bare parameter's type cannot be inferred),
 * jsonb read back as text (so a stored JSON null stays null), and row locks for read-then-write.
 */
export const POSTGRES_DIALECT: Dialect = {
  placeholder: (n, type) => (type ? `$${n}::${type}` : `$${n}`),
  jsonColumn: (name) => name,
  jsonText: (name) => `${name}::text`,
  jsonPair: (key, value) => `"${key}": "${value}"`,
  lockRow: ' FOR UPDATE',
};

const STORE_TABLES = [
  'messages',
  'history',
  'outbox',
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

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * PostgreSQL store shared by several gateway instances. Timestamps come from the clock (not now()) and go
 * back out in toISOString form, so both stores return identical shapes.
 */
export class PostgresMessageStore extends SqlStore {
  private ended = false;

  constructor(
    private readonly pool: pg.Pool,
    clock: () => Date = () => new Date(),
  ) {
    super(POSTGRES_DIALECT, clock);
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

  protected read<T>(work: Work<T>): Promise<T> {
    return runAwaiting(work, (statement) => execute(this.pool, statement));
  }

  protected write<T>(work: Work<T>): Promise<T> {
    return inTransaction(this.pool, (client) => runAwaiting(work, (statement) => execute(client, statement)));
  }

  protected async change(statement: Statement): Promise<number> {
    return (await execute(this.pool, statement)).changes;
  }

  async purge(states: readonly MessageState[], before: Date): Promise<number> {
    if (states.length === 0) return 0;
    let total = 0;
    let deleted: number;
    do {
      // SKIP LOCKED: rows another instance is moving or purging right now wait for the next round.
      // History and outbox rows go with their message (ON DELETE CASCADE).
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
}

async function execute(client: Queryable, statement: Statement): Promise<Outcome> {
  const result = await client.query(statement.text, statement.values);
  return { rows: result.rows, changes: result.rowCount ?? 0 };
}
