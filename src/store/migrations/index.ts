import * as initial from './001_initial.js';
import * as deadLetters from './002_dead_letters.js';
import * as hl7IdAndUnanswered from './003_hl7_id_and_unanswered.js';
import * as outbox from './004_outbox.js';
import * as ersFhir from './005_ers_fhir.js';
import * as dashboardSessions from './006_dashboard_sessions.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** A column a migration adds to an existing table. */
export interface AddedColumn {
  table: string;
  column: string;
  type: string;
}

export interface SqliteMigration extends Migration {
  /**
   * Columns added before `sql` runs. SQLite has no ADD COLUMN IF NOT EXISTS, and files from before
   * numbered migrations (which added columns as they found them missing) may have them already.
   */
  columns?: readonly AddedColumn[];
}

/**
 * Schema changes, applied in version order and recorded in schema_migrations; each version is one
 * file holding both dialects, so neither is forgotten. Kept as TypeScript strings so the compiled
 * dist/ carries them. Never edit a released migration: add the next one.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_initial', sql: initial.postgres },
  { version: 2, name: '002_dead_letters', sql: deadLetters.postgres },
  { version: 3, name: '003_hl7_id_and_unanswered', sql: hl7IdAndUnanswered.postgres },
  { version: 4, name: '004_outbox', sql: outbox.postgres },
  { version: 5, name: '005_ers_fhir', sql: ersFhir.postgres },
  { version: 6, name: '006_dashboard_sessions', sql: dashboardSessions.postgres },
];

/**
 * The same versions for SQLite. Written to be safe on a file the store opened before it numbered
 * its migrations (CREATE … IF NOT EXISTS, columns added only when missing): such a file is brought
 * up to date and its versions recorded like any other.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, name: '001_initial', sql: initial.sqlite },
  { version: 2, name: '002_dead_letters', sql: deadLetters.sqlite, columns: deadLetters.sqliteColumns },
  {
    version: 3,
    name: '003_hl7_id_and_unanswered',
    sql: hl7IdAndUnanswered.sqlite,
    columns: hl7IdAndUnanswered.sqliteColumns,
  },
  { version: 4, name: '004_outbox', sql: outbox.sqlite },
  { version: 5, name: '005_ers_fhir', sql: ersFhir.sqlite },
  { version: 6, name: '006_dashboard_sessions', sql: dashboardSessions.sqlite },
];
