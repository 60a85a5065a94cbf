import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { purgeExpired, SqliteMessageStore } from '../../../src/store/index.js';

describe('retention', () => {
  it('purges finished outbound and old inbound messages, never one in flight', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new SqliteMessageStore(
      join(mkdtempSync(join(tmpdir(), 'mhs-retention-')), 'state.db'),
      () => new Date(now),
    );
    const base = { interactionId: 'PRSC_IN090000UK09', conversationId: 'C' };
    await store.insert({ ...base, messageId: 'DONE', direction: 'outbound', status: 'SENT' });
    await store.transition('DONE', 'COMPLETED');
    await store.insert({ ...base, messageId: 'FLYING', direction: 'outbound', status: 'SENDING' });
    await store.transition('FLYING', 'SENT');
    await store.insert({ ...base, messageId: 'IN', direction: 'inbound', status: 'RECEIVED' });
    await store.transition('IN', 'DELIVERED');
    now += 2 * 86_400_000; // two days later
    await store.insert({ ...base, messageId: 'IN-NEW', direction: 'inbound', status: 'RECEIVED' });
    const purged = await purgeExpired(
      store,
      { finishedMs: 86_400_000, inboundMs: 86_400_000, intervalMs: 1 },
      new Date(now),
    );
    expect(purged).toEqual({ finished: 1, inbound: 1 });
    expect(await store.get('DONE')).toBeUndefined();
    expect(await store.history('DONE')).toEqual([]);
    expect(await store.get('IN')).toBeUndefined();
    expect((await store.get('FLYING'))?.status).toBe('SENT');
    expect(await store.get('IN-NEW')).toBeDefined();
    await store.close();
  });
});
