/** Messages, their status history, and a row the readiness check writes. */
export const sql = `
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
