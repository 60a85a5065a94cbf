import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sweeper } from '../../src/outbound/index.js';
import { Broker, type Delivery, QUEUES } from '../../src/queue/index.js';
import { SqliteMessageStore } from '../../src/store/index.js';
import { eventually } from '../e2e/harness.js';
import { createTestVhost } from '../support/rabbitmq.js';

const quiet = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quiet,
} as never;

describe('the sweeper queues again what a crash stranded', () => {
  const vhost = createTestVhost();
  let now = Date.parse('2026-01-05T10:00:00Z');
  const clock = () => new Date(now);
  const store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-sweep-')), 'state.db'), clock);
  const broker = new Broker(vhost.url, { instanceId: `sweep-${randomUUID()}`, logger: quiet });
  const queued: Delivery[] = [];
  beforeAll(async () => {
    await broker.start();
    await broker.consume(QUEUES.outbound, async (delivery) => {
      queued.push(delivery);
      return 'ack';
    });
  });
  afterAll(async () => {
    await broker.close();
    await store.close();
    vhost.remove();
  });

  const message = (messageId: string) => ({
    messageId,
    direction: 'outbound' as const,
    interactionId: 'PRSC_IN090000UK09',
    conversationId: 'C',
    status: 'ACCEPTED' as const,
  });

  it('finds accepted, retrying and interrupted messages by age, and nothing fresh or finished', async () => {
    await store.insert(message('OLD-ACCEPTED'));
    await store.insert(message('OLD-SENDING'));
    await store.transition('OLD-SENDING', 'SENDING', { patch: { attempts: 1 } });
    await store.insert(message('RETRY-DUE'));
    await store.transition('RETRY-DUE', 'RETRYING', {
      patch: { nextAttemptAt: new Date(now + 1_000).toISOString() },
    });
    await store.insert(message('DONE'));
    await store.transition('DONE', 'COMPLETED');
    now += 10 * 60_000; // ten minutes later: everything above is stale
    await store.insert(message('FRESH'));
    const sweeper = new Sweeper({
      store,
      broker,
      logger: quiet,
      clock,
      settings: {
        intervalMs: 60_000,
        requestTimeoutMs: 1_000,
        acceptedGraceMs: 5 * 60_000,
        retryGraceMs: 60_000,
      },
    });
    expect(await sweeper.sweep()).toBe(3);
    const ids = await eventually(() =>
      queued.length >= 3 ? queued.map((d) => d.messageId).sort() : undefined,
    );
    expect(ids).toEqual(['OLD-ACCEPTED', 'OLD-SENDING', 'RETRY-DUE']);
    expect(queued.every((d) => d.headers.requeuedBy === 'sweeper')).toBe(true);
  });
});
