import { describe, expect, it } from 'vitest';
import { POSTGRES_DIALECT } from '../../../src/store/postgres.js';
import {
  type Outcome,
  runAwaiting,
  runNow,
  type Statement,
  sql,
  type Work,
} from '../../../src/store/sql/index.js';
import { toMessage } from '../../../src/store/sql/message-rows.js';
import { patchMessage } from '../../../src/store/sql/messages.js';
import { SQLITE_DIALECT } from '../../../src/store/sqlite.js';

describe('shared SQL in two dialects', () => {
  it('numbers PostgreSQL parameters with their casts and gives SQLite bare ?, values in text order', () => {
    const build = (p: (value: unknown, type?: 'jsonb') => string) =>
      `UPDATE t SET a = ${p(1)}, b = ${p('{"x":1}', 'jsonb')} WHERE id = ${p('M1')}`;
    expect(sql(SQLITE_DIALECT, build)).toEqual({
      text: 'UPDATE t SET a = ?, b = ? WHERE id = ?',
      values: [1, '{"x":1}', 'M1'],
    });
    expect(sql(POSTGRES_DIALECT, build)).toEqual({
      text: 'UPDATE t SET a = $1, b = $2::jsonb WHERE id = $3',
      values: [1, '{"x":1}', 'M1'],
    });
  });

  it('writes one patch for both stores, naming each its own JSON columns', () => {
    const patch = {
      attempts: 2,
      reply: [1],
      ack: { contentType: 'text/xml', soapAction: '', body: Buffer.from('a') },
    };
    const sqlite = patchMessage(SQLITE_DIALECT, 'M1', patch, 'NOW', 'ACKED');
    const postgres = patchMessage(POSTGRES_DIALECT, 'M1', patch, 'NOW', 'ACKED');
    expect(sqlite.text).toContain('reply_json = ?');
    expect(postgres.text).toContain('reply = $4::jsonb');
    expect(postgres.text).toMatch(/WHERE message_id = \$8$/);
    expect(sqlite.values).toEqual(postgres.values);
    expect(sqlite.values).toEqual(['NOW', 'ACKED', 2, '[1]', 'text/xml', '', Buffer.from('a'), 'M1']);
  });

  it('maps a row the same whether timestamps come back as ISO text (SQLite) or Dates (PostgreSQL)', () => {
    const at = '2024-03-01T09:00:00.000Z';
    const row = {
      message_id: 'M1',
      direction: 'outbound' as const,
      interaction_id: 'I',
      conversation_id: 'C',
      ref_to_message_id: null,
      hl7_message_id: null,
      status: 'SENT' as const,
      attempts: 1,
      route: null,
      http_content_type: null,
      http_soap_action: null,
      http_body: null,
      data: 'null',
      hl7: null,
      reply: '[1,2]',
      ack_content_type: null,
      ack_soap_action: null,
      ack_body: null,
      error: null,
      resolution: null,
      replayed_as: null,
      resolved_at: null,
      reply_delivered_at: null,
    };
    const fromText = toMessage({ ...row, created_at: at, updated_at: at, next_attempt_at: at });
    const fromDates = toMessage({
      ...row,
      created_at: new Date(at),
      updated_at: new Date(at),
      next_attempt_at: new Date(at),
    });
    expect(fromDates).toEqual(fromText);
    expect(fromText).toEqual({
      messageId: 'M1',
      direction: 'outbound',
      interactionId: 'I',
      conversationId: 'C',
      status: 'SENT',
      createdAt: at,
      updatedAt: at,
      attempts: 1,
      nextAttemptAt: at,
      data: null,
      reply: [1, 2],
    });
  });

  it('runs one unit of work with either driver, handing each statement its outcome', async () => {
    function* work(): Work<number> {
      const first = yield { text: 'one', values: [] };
      const second = yield { text: 'two', values: [first.changes] };
      return (second.rows[0]?.n as number) + first.changes;
    }
    const seen: Statement[] = [];
    const outcome = (statement: Statement): Outcome => {
      seen.push(statement);
      return statement.text === 'one' ? { rows: [], changes: 2 } : { rows: [{ n: 40 }], changes: 0 };
    };
    expect(runNow(work(), outcome)).toBe(42);
    expect(await runAwaiting(work(), async (statement) => outcome(statement))).toBe(42);
    expect(seen.map((s) => [s.text, ...s.values])).toEqual([['one'], ['two', 2], ['one'], ['two', 2]]);
  });

  it('stops the work at the first statement that fails', async () => {
    let after = false;
    function* work(): Work<void> {
      yield { text: 'bad', values: [] };
      after = true;
    }
    await expect(
      runAwaiting(work(), async () => {
        throw new Error('syntax error');
      }),
    ).rejects.toThrow('syntax error');
    expect(after).toBe(false);
  });
});
