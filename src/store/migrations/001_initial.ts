/** Messages, their status history, and a row the readiness check writes. */
export const postgres = `
CREATE TABLE messages (
  message_id text PRIMARY KEY,
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  interaction_id text NOT NULL,
  conversation_id text NOT NULL,
  ref_to_message_id text,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  route jsonb,
  http_content_type text,
  http_soap_action text,
  http_body bytea,
  data jsonb,
  hl7 text,
  reply jsonb,
  ack_content_type text,
  ack_soap_action text,
  ack_body bytea,
  error jsonb,
  reply_delivered_at timestamptz
);
CREATE INDEX messages_conversation ON messages (conversation_id);
CREATE INDEX messages_status_updated ON messages (status, updated_at);
CREATE INDEX messages_status_created ON messages (status, created_at);
CREATE INDEX messages_created ON messages (created_at, message_id);

-- History goes with its message when retention purges it.
CREATE TABLE history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id text NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  status text NOT NULL,
  detail text
);
CREATE INDEX history_message ON history (message_id, id);

CREATE TABLE readiness (
  id integer PRIMARY KEY CHECK (id = 1),
  at timestamptz NOT NULL
);
`;

/** SQLite: JSON as text in `<name>_json` columns, timestamps as ISO text; the readiness table holds one row. */
export const sqlite = `
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
CREATE TABLE IF NOT EXISTS readiness (at TEXT);
`;
