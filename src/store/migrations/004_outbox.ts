/**
 * The PAS notification outbox: a notification is written in the same transaction as the state
 * transition it tells of, under the AMQP messageId the PAS will see, and marked sent once the
 * broker has confirmed it. Rows go with their message when it is purged.
 */
export const postgres = `
CREATE TABLE IF NOT EXISTS outbox (
  id text PRIMARY KEY,
  message_id text NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (created_at) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_message ON outbox (message_id);
`;

/** SQLite: no foreign keys; purging deletes a message's outbox rows itself. */
export const sqlite = `
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
