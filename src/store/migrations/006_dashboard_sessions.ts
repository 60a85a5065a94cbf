/**
 * Dashboard sessions (docs/operations.md): kept in the store, so instances behind one address share
 * them and a restart keeps them. The id is kept only as its SHA-256; times are epoch milliseconds.
 */
export const postgres = `
CREATE TABLE IF NOT EXISTS dashboard_sessions (
  id_hash text PRIMARY KEY,
  key_name text NOT NULL,
  csrf_token text NOT NULL,
  created_at bigint NOT NULL,
  last_seen_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS dashboard_sessions_created ON dashboard_sessions (created_at);
`;

export const sqlite = `
CREATE TABLE IF NOT EXISTS dashboard_sessions (
  id_hash TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dashboard_sessions_created ON dashboard_sessions (created_at);
`;
