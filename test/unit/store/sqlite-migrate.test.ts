import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite, SQLITE_MIGRATIONS, SqliteMessageStore } from '../../../src/store/index.js';
import { createPreMigrationFile } from './fixtures/sqlite-before-migrations.js';

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'mhs-migrate-')), 'state.db');

/** Tables, their columns (name, type, order, key) and indexes: what the store's statements rely on. */
function schemaOf(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const tables = (
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as { name: string }[]
    ).map((table) => table.name);
    const columns = Object.fromEntries(
      tables.map((table) => [
        table,
        (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; pk: number }[]).map(
          ({ name, type, pk }) => `${name} ${type}${pk ? ' key' : ''}`,
        ),
      ]),
    );
    const indexes = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .all() as {
        name: string;
      }[]
    ).map((index) => index.name);
    const versions = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    return { tables, columns, indexes, versions };
  } finally {
    db.close();
  }
}

describe('SQLite migrations', () => {
  it('gives a new file every version, recorded in order, and applies nothing the second time', () => {
    const db = new Database(':memory:');
    expect(migrateSqlite(db)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(migrateSqlite(db)).toEqual([]);
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual(
      SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    db.close();
  });

  it('brings a file made before numbered migrations to the schema a new file gets, keeping its data', async () => {
    const fresh = tempPath();
    await new SqliteMessageStore(fresh).close();
    const old = tempPath();
    createPreMigrationFile(old);
    expect(() => schemaOf(old)).toThrow(/schema_migrations/);

    const store = new SqliteMessageStore(old);
    try {
      expect(schemaOf(old)).toEqual(schemaOf(fresh));
      expect(schemaOf(old).versions).toHaveLength(SQLITE_MIGRATIONS.length);
      expect(await store.getByHl7MessageId('H-OLD')).toMatchObject({ messageId: 'OLD', status: 'FAILED' });
      expect(await store.search({ ubrn: '000000000001' })).toHaveLength(1);
      expect(await store.deadLetters({})).toMatchObject([{ messageId: 'OLD', failureDetail: 'gave up' }]);
      expect(await store.pendingNotifications(10, new Date())).toMatchObject([{ id: 'N1', body: { n: 1 } }]);
      expect(await store.referrals.referral('000000000001')).toMatchObject({ version: 2, state: 'BOOKED' });
      const claim = { idempotencyKey: 'key-1', ubrn: '000000000001', action: 'accept', fingerprint: 'f' };
      expect(await store.referrals.claimDecision(claim)).toMatchObject({
        claimed: false,
        existing: { status: 'DONE', outcome: { status: 200, body: {} } },
      });
      await store.checkWritable();
      expect(await store.resolve('OLD', { kind: 'discarded' }, 'discarded')).toBe(true);
    } finally {
      await store.close();
    }
    // Opened again: nothing to apply, the decision stands.
    const again = new Database(old);
    expect(migrateSqlite(again)).toEqual([]);
    again.close();
  });

  it('applies only the versions a file lacks, adding columns only where missing', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE probe (id INTEGER, already TEXT)');
    const first = [{ version: 1, name: '001_probe', sql: 'CREATE TABLE IF NOT EXISTS probe (id INTEGER)' }];
    const later = [
      { version: 3, name: '003_third', sql: 'CREATE INDEX probe_fresh ON probe (fresh)' },
      {
        version: 2,
        name: '002_columns',
        sql: '',
        columns: [
          { table: 'probe', column: 'already', type: 'TEXT' },
          { table: 'probe', column: 'fresh', type: 'TEXT' },
        ],
      },
    ];
    expect(migrateSqlite(db, first)).toEqual([1]);
    expect(migrateSqlite(db, [...first, ...later])).toEqual([2, 3]);
    const columns = (db.prepare('PRAGMA table_info(probe)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['id', 'already', 'fresh']);
    db.close();
  });

  it('leaves a file as it was when a migration fails', () => {
    const db = new Database(':memory:');
    const first = [{ version: 1, name: '001_probe', sql: 'CREATE TABLE probe (id INTEGER)' }];
    migrateSqlite(db, first);
    const broken = {
      version: 2,
      name: '002_broken',
      sql: 'CREATE TABLE half (id INTEGER); SELECT nope FROM probe',
    };
    expect(() => migrateSqlite(db, [...first, broken])).toThrow(/nope/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([]);
    expect(db.prepare('SELECT version FROM schema_migrations').all()).toEqual([{ version: 1 }]);
    db.close();
  });
});
