import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors/index.js';
import {
  DuplicateMessageError,
  InvalidCursorError,
  SqliteMessageStore,
  StoreUnavailableError,
  ThreadedSqliteStore,
} from '../../../src/store/index.js';

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'mhs-group-')), 'state.db');

const message = (messageId: string) => ({
  messageId,
  direction: 'outbound' as const,
  interactionId: 'PRSC_IN100000UK06',
  conversationId: `C-${messageId}`,
  status: 'ACCEPTED' as const,
  http: { contentType: 'multipart/related', soapAction: 'x', body: Buffer.from([0, 0xff, 13, 10]) },
});

describe('SQLite group commit', () => {
  it('commits writes asked for together in one transaction, and a duplicate fails alone', async () => {
    const store = new SqliteMessageStore(tempPath());
    await store.insert(message('M-0'));
    const before = store.commitStats;
    const results = await Promise.allSettled([
      ...Array.from({ length: 99 }, (_, i) => store.insert(message(`M-${i + 1}`))),
      store.insert(message('M-0')),
    ]);
    const after = store.commitStats;
    expect(after.writes - before.writes).toBe(100);
    expect(after.commits - before.commits).toBeLessThan(5);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateMessageError);
    expect((await store.countByState()).reduce((n, row) => n + row.count, 0)).toBe(100);
    // The refused copy undid only itself: its original keeps one history row.
    expect(await store.history('M-0')).toHaveLength(1);
    await store.close();
  });

  it('fences claims within one batch: of two identical claims, one moves the message', async () => {
    const store = new SqliteMessageStore(tempPath());
    await store.insert(message('M-1'));
    const claim = () =>
      store.transition('M-1', 'SENDING', { from: ['ACCEPTED'], ifAttempts: 0, patch: { attempts: 1 } });
    const outcomes = await Promise.all([claim(), claim()]);
    expect(outcomes.sort()).toEqual([false, true]);
    expect((await store.get('M-1'))?.attempts).toBe(1);
    expect((await store.history('M-1')).map((h) => h.status)).toEqual(['ACCEPTED', 'SENDING']);
    await store.close();
  });

  it('commits queued writes when closed before they were flushed', async () => {
    const path = tempPath();
    const store = new SqliteMessageStore(path);
    const writes = Array.from({ length: 10 }, (_, i) => store.insert(message(`Q-${i}`)));
    await store.close();
    await Promise.all(writes);
    const reopened = new SqliteMessageStore(path);
    expect((await reopened.search({ limit: 50 })).map((m) => m.messageId).sort()).toHaveLength(10);
    await reopened.close();
  });
});

describe('ThreadedSqliteStore', () => {
  it('hands back Buffers and the store errors by class, across the thread', async () => {
    const store = await ThreadedSqliteStore.open(tempPath());
    await store.insert(message('T-1'));
    const stored = await store.get('T-1');
    expect(Buffer.isBuffer(stored?.http?.body)).toBe(true);
    expect(stored?.http?.body.equals(Buffer.from([0, 0xff, 13, 10]))).toBe(true);
    await expect(store.insert(message('T-1'))).rejects.toBeInstanceOf(DuplicateMessageError);
    await expect(store.insert(message('T-1'))).rejects.toMatchObject({
      code: 'DUPLICATE_MESSAGE',
      status: 409,
      messageId: 'T-1',
    });
    await expect(store.search({ before: 'nonsense' })).rejects.toBeInstanceOf(InvalidCursorError);
    // Any other GatewayError crosses by its code: a move the lifecycle refuses, say.
    const refused = await store.transition('T-1', 'UNANSWERED').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({
      name: 'IllegalTransitionError',
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringMatching(/^a message cannot move to UNANSWERED from ACCEPTED/),
    });
    await store.close();
    await expect(store.get('T-1')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('answers each of many calls made in one turn (they cross together) with its own result', async () => {
    const store = await ThreadedSqliteStore.open(tempPath());
    await store.insert(message('B-0'));
    const ids = Array.from({ length: 50 }, (_, i) => `B-${i + 1}`);
    const inserted = await Promise.allSettled([
      ...ids.map((id) => store.insert(message(id))),
      store.insert(message('B-0')),
    ]);
    expect(inserted.slice(0, 50).every((s) => s.status === 'fulfilled')).toBe(true);
    expect(inserted[50]).toMatchObject({
      status: 'rejected',
      reason: { code: 'DUPLICATE_MESSAGE', messageId: 'B-0' },
    });
    const found = await Promise.all([...ids].reverse().map((id) => store.get(id)));
    expect(found.map((m) => m?.messageId)).toEqual([...ids].reverse());
    await store.close();
  });

  it('refuses at open a file it cannot create (its folder is a file), with the reason', async () => {
    const file = tempPath();
    writeFileSync(file, '');
    await expect(ThreadedSqliteStore.open(join(file, 'x', 'state.db'))).rejects.toThrow(/ENOTDIR/);
  });
});
