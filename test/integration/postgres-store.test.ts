import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  migratePostgres,
  openStore,
  POSTGRES_MIGRATIONS,
  PostgresMessageStore,
} from '../../src/store/index.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { messageStoreContract, type OpenFreshStore } from '../unit/store/contract.js';
import { referralStoreContract } from '../unit/store/referral-contract.js';
import { sessionStoreContract } from '../unit/store/session-contract.js';

// One database per run; each contract test gets a schema of its own inside it (search_path in the URL).
const databases: TestDatabase[] = [];
let run: TestDatabase;
let schemas = 0;

beforeAll(async () => {
  run = await createTestDatabase();
  databases.push(run);
});

afterAll(async () => {
  await Promise.all(databases.map((database) => database.remove()));
});

/** A fresh schema in this run's database. */
const fresh: OpenFreshStore = async (clock) => {
  const url = await run.schemaUrl(`store_${++schemas}`);
  return {
    store: await PostgresMessageStore.open(url, { clock }),
    another: (otherClock) => PostgresMessageStore.open(url, { clock: otherClock ?? clock }),
  };
};

messageStoreContract('PostgresMessageStore', fresh);
referralStoreContract('PostgresMessageStore', fresh);
sessionStoreContract('PostgresMessageStore', fresh);

describe('PostgresMessageStore migrations and opening', () => {
  it('migrates a new database once when two instances start together', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openStore(database.url) as Promise<PostgresMessageStore>),
    );
    const pool = new pg.Pool({ connectionString: database.url });
    try {
      const applied = await pool.query<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      );
      expect(applied.rows).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })));
      expect(await migratePostgres(pool)).toEqual([]);
      await stores[0]?.insert({
        messageId: 'M1',
        direction: 'outbound',
        interactionId: 'I',
        conversationId: 'C',
        status: 'ACCEPTED',
      });
      expect((await stores[3]?.get('M1'))?.status).toBe('ACCEPTED');
      const columns = await pool.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns
         WHERE table_name = 'messages' AND column_name IN ('http_body', 'data', 'created_at')
         ORDER BY column_name`,
      );
      expect(columns.rows).toEqual([
        { column_name: 'created_at', data_type: 'timestamp with time zone' },
        { column_name: 'data', data_type: 'jsonb' },
        { column_name: 'http_body', data_type: 'bytea' },
      ]);
    } finally {
      await pool.end();
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('applies only the migrations a database lacks, in order', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const pool = new pg.Pool({ connectionString: database.url });
    try {
      const first = POSTGRES_MIGRATIONS.slice(0, 1);
      const extra = [
        { version: 3, name: '003_third', sql: 'ALTER TABLE probe ADD COLUMN third integer' },
        { version: 2, name: '002_probe', sql: 'CREATE TABLE probe (id integer)' },
      ];
      expect(await migratePostgres(pool, first)).toEqual([1]);
      expect(await migratePostgres(pool, [...first, ...extra])).toEqual([2, 3]);
      expect(await migratePostgres(pool, [...first, ...extra])).toEqual([]);
      // A failing migration leaves nothing half-applied.
      const broken = { version: 4, name: '004_broken', sql: 'CREATE TABLE half (id integer); SELECT nope' };
      await expect(migratePostgres(pool, [...first, ...extra, broken])).rejects.toThrow(/nope/);
      const tables = await pool.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'");
      expect(tables.rowCount).toBe(0);
      const versions = await pool.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY 1',
      );
      expect(versions.rows.map((row) => row.version)).toEqual([1, 2, 3]);
    } finally {
      await pool.end();
    }
  });

  it('upgrades a database from the first release: its dead letters can then be resolved', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const pool = new pg.Pool({ connectionString: database.url });
    try {
      expect(await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 1))).toEqual([1]);
      await pool.query(
        `INSERT INTO messages (message_id, direction, interaction_id, conversation_id, status, created_at, updated_at)
         VALUES ('OLD', 'outbound', 'I', 'C', 'FAILED', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
      );
      const store = await PostgresMessageStore.open(database.url);
      try {
        expect((await store.deadLetters({})).map((m) => m.messageId)).toEqual(['OLD']);
        expect(await store.resolve('OLD', { kind: 'replayed', replayedAs: 'NEW' }, 'replayed as NEW')).toBe(
          true,
        );
        expect(await store.get('OLD')).toMatchObject({ resolution: 'replayed', replayedAs: 'NEW' });
      } finally {
        await store.close();
      }
      const bad = pool.query("UPDATE messages SET resolution = 'forgotten' WHERE message_id = 'OLD'");
      await expect(bad).rejects.toThrow(/check constraint/);
    } finally {
      await pool.end();
    }
  });

  it('opens postgres:// and postgresql:// settings through openStore', async () => {
    const url = await run.schemaUrl('open_store');
    const store = await openStore(url.replace(/^postgres:/, 'postgresql:'));
    expect(store).toBeInstanceOf(PostgresMessageStore);
    await store.checkWritable();
    await store.close();
  });

  it('fails to open with one line naming host and database, never the password', async () => {
    const port = await freePort();
    const opening = openStore(`postgres://mhs:s3cret-pw@127.0.0.1:${port}/mhs_missing`);
    const error = (await opening.catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(
      new RegExp(`^cannot open PostgreSQL store at 127\\.0\\.0\\.1:${port}/mhs_missing: `),
    );
    expect(error.message).not.toMatch(/s3cret/);
    expect(error.message).not.toContain('\n');
  });

  it('names a database that does not exist', async () => {
    const missing = new URL(run.url);
    missing.pathname = '/mhs_no_such_database';
    missing.password = 'hunter2';
    const error = (await openStore(missing.toString()).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain(`${missing.hostname}:${missing.port || '5432'}/mhs_no_such_database: `);
    expect(error.message).toMatch(/does not exist/);
    expect(error.message).not.toMatch(/hunter2/);
  });
});
