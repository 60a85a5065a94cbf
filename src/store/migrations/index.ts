import { sql as initial } from './001_initial.js';
import { sql as deadLetters } from './002_dead_letters.js';
import { sql as hl7IdAndUnanswered } from './003_hl7_id_and_unanswered.js';
import { sql as outbox } from './004_outbox.js';
import { sql as ersFhir } from './005_ers_fhir.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * PostgreSQL schema changes, applied in version order and recorded in schema_migrations.
 * Kept as TypeScript strings so the compiled dist/ carries them. Never edit a released migration: add the next one.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_initial', sql: initial },
  { version: 2, name: '002_dead_letters', sql: deadLetters },
  { version: 3, name: '003_hl7_id_and_unanswered', sql: hl7IdAndUnanswered },
  { version: 4, name: '004_outbox', sql: outbox },
  { version: 5, name: '005_ers_fhir', sql: ersFhir },
];
