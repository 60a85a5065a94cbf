/**
 * The HL7 wrapper id of each outbound message, so an application acknowledgement that names it (its
 * messageRef) finds the message whatever its ebXML MessageId; and UNANSWERED messages (their reply
 * deadline passed) are dead letters beside FAILED ones.
 */
export const postgres = `
ALTER TABLE messages ADD COLUMN IF NOT EXISTS hl7_message_id text;
CREATE INDEX IF NOT EXISTS messages_hl7_message_id ON messages (hl7_message_id)
  WHERE hl7_message_id IS NOT NULL;
DROP INDEX IF EXISTS messages_dead_letters;
CREATE INDEX IF NOT EXISTS messages_dead_letters_v2 ON messages (created_at, message_id)
  WHERE status IN ('FAILED', 'UNANSWERED') AND resolution IS NULL;
`;

export const sqlite = `
CREATE INDEX IF NOT EXISTS messages_hl7_message_id ON messages (hl7_message_id)
  WHERE hl7_message_id IS NOT NULL;
DROP INDEX IF EXISTS messages_dead_letters;
CREATE INDEX IF NOT EXISTS messages_dead_letters_v2 ON messages (created_at, message_id)
  WHERE status IN ('FAILED', 'UNANSWERED') AND resolution IS NULL;
`;
export const sqliteColumns = [{ table: 'messages', column: 'hl7_message_id', type: 'TEXT' }];
