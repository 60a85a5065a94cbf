/** How an operator settled a dead letter (a FAILED outbound message): replayed (as which message) or discarded. */
export const sql = `
ALTER TABLE messages
  ADD COLUMN IF NOT EXISTS resolution text CHECK (resolution IN ('replayed', 'discarded')),
  ADD COLUMN IF NOT EXISTS resolved_at timestamptz,
  ADD COLUMN IF NOT EXISTS replayed_as text;
-- The dead-letter listing: few rows, read newest first.
CREATE INDEX IF NOT EXISTS messages_dead_letters ON messages (created_at, message_id)
  WHERE status = 'FAILED' AND resolution IS NULL;
`;
