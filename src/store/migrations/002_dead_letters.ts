/** How an operator settled a dead letter (a FAILED outbound message): replayed (as which message) or discarded. */
export const postgres = `
ALTER TABLE messages
  ADD COLUMN IF NOT EXISTS resolution text CHECK (resolution IN ('replayed', 'discarded')),
  ADD COLUMN IF NOT EXISTS resolved_at timestamptz,
  ADD COLUMN IF NOT EXISTS replayed_as text;
-- The dead-letter listing: few rows, read newest first.
CREATE INDEX IF NOT EXISTS messages_dead_letters ON messages (created_at, message_id)
  WHERE status = 'FAILED' AND resolution IS NULL;
`;

/** SQLite: the same columns (their index came with 003's, which covers UNANSWERED too). */
export const sqlite = '';
export const sqliteColumns = [
  { table: 'messages', column: 'resolution', type: 'TEXT' },
  { table: 'messages', column: 'resolved_at', type: 'TEXT' },
  { table: 'messages', column: 'replayed_as', type: 'TEXT' },
];
