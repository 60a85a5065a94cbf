import { PostgresMessageStore, type PostgresStoreOptions } from './postgres.js';
import { redactStoreSetting } from './setting.js';
import { SqliteMessageStore } from './sqlite.js';
import { ThreadedSqliteStore } from './sqlite-thread.js';
import type { MessageStore } from './types.js';

export {
  type Migration,
  POSTGRES_MIGRATIONS,
  SQLITE_MIGRATIONS,
  type SqliteMigration,
} from './migrations/index.js';
export { PostgresMessageStore, type PostgresStoreOptions } from './postgres.js';
export { migratePostgres } from './postgres-migrate.js';
export * from './referral-types.js';
export type { SessionStore, StoredSession } from './session-types.js';
export { postgresTarget, redactStoreSetting } from './setting.js';
export { SqliteMessageStore } from './sqlite.js';
export { migrateSqlite } from './sqlite-migrate.js';
export { ThreadedSqliteStore } from './sqlite-thread.js';
export * from './types.js';

/**
 * Opens the store a `store` setting names: `sqlite:<path>`, or `postgres://…` / `postgresql://…` (connected and
 * migrated before this resolves). Errors never carry the password.
 */
export async function openStore(
  setting: string,
  options: PostgresStoreOptions & {
    /** SQLite on a thread of its own (the gateway's choice: its event loop never waits for an fsync). */
    thread?: boolean;
  } = {},
): Promise<MessageStore> {
  if (setting.startsWith('sqlite:')) {
    const path = setting.slice('sqlite:'.length);
    if (options.thread) return ThreadedSqliteStore.open(path, options.clock);
    return new SqliteMessageStore(path, options.clock);
  }
  if (/^postgres(ql)?:\/\//.test(setting)) return PostgresMessageStore.open(setting, options);
  throw new Error(`store ${redactStoreSetting(setting)} is not supported: use sqlite:<path> or postgres://…`);
}
export { purgeExpired, type RetentionSettings, startRetention } from './retention.js';
