import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyDeadlineAt, SendWorker, Sweeper } from '../../src/outbound/index.js';
import { NotificationRelay } from '../../src/outbox/index.js';
import {
  Broker,
  type Delivery,
  parseDeadLetterNotice,
  parseOutboundWork,
  parsePasMessage,
  QUEUES,
} from '../../src/queue/index.js';
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
    await store.insert({ ...message('RETRY-DUE'), status: 'SENDING' });
    await store.transition('RETRY-DUE', 'RETRYING', {
      patch: { nextAttemptAt: new Date(now + 1_000).toISOString() },
    });
    await store.insert({ ...message('DONE'), status: 'SENT' });
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
    expect(queued.map((d) => parseOutboundWork(d.body).messageId).sort()).toEqual(ids);
  });
});

describe('a sent message whose answer never comes', () => {
  const vhost = createTestVhost();
  let now = Date.parse('2026-01-05T10:00:00Z');
  const clock = () => new Date(now);
  const store = new SqliteMessageStore(
    join(mkdtempSync(join(tmpdir(), 'mhs-unanswered-')), 'state.db'),
    clock,
  );
  const broker = new Broker(vhost.url, { instanceId: `unanswered-${randomUUID()}`, logger: quiet });
  const pas: Delivery[] = [];
  const parked: Delivery[] = [];
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
  beforeAll(async () => {
    await broker.start();
    const worker = new SendWorker({
      store,
      broker,
      // Nothing is sent: these messages have been sent already.
      relay: new NotificationRelay({ store, broker, logger: quiet }),
      client: { post: () => Promise.reject(new Error('no send expected')) } as never,
      logger: quiet,
      prefetch: 10,
      requestTimeoutMs: 1_000,
      clock,
    });
    await worker.start();
    await broker.consume(QUEUES.inbound, async (delivery) => {
      pas.push(delivery);
      return 'ack';
    });
    await broker.consume(QUEUES.deadLetter, async (delivery) => {
      parked.push(delivery);
      return 'ack';
    });
  });
  afterAll(async () => {
    await broker.close();
    await store.close();
    vhost.remove();
  });

  // A reply timeout of 10 minutes; the resend window (1 min × 3) is shorter, so 10 minutes it is.
  const route = {
    endpoint: 'https://localhost:1/',
    workflow: 'forward-reliable',
    retries: 2,
    retryIntervalMs: 60_000,
    persistDurationMs: 5 * 60_000,
    replyTimeoutMs: 10 * 60_000,
  };
  const sent = async (messageId: string, to: 'SENT' | 'ACKED') => {
    await store.insert({
      messageId,
      direction: 'outbound',
      interactionId: 'PRSC_IN090000UK09',
      conversationId: `C-${messageId}`,
      status: 'ACCEPTED',
      route,
      http: { contentType: 'multipart/related', soapAction: 'x', body: Buffer.from('x') },
    });
    await store.transition(messageId, 'SENDING', { patch: { attempts: 1 } });
    // As the worker and the correlation consumer record it: the reply deadline in nextAttemptAt.
    await store.transition(messageId, to, {
      patch: { nextAttemptAt: replyDeadlineAt((await store.get(messageId))!) },
    });
  };

  it('waits until its reply deadline, then ends UNANSWERED, tells the PAS and parks it as a dead letter', async () => {
    await sent('ACKED-1', 'ACKED');
    await sent('SENT-1', 'SENT');
    now += 9 * 60_000;
    await sent('ACKED-LATER', 'ACKED');
    expect((await store.get('ACKED-1'))?.nextAttemptAt).toBe('2026-01-05T10:10:00.000Z');
    expect(await sweeper.sweep()).toBe(0);

    now += 60_000 + 1; // past the first two deadlines, not the third
    expect(await sweeper.sweep()).toBe(2);
    const told = await eventually(() => (pas.length >= 2 ? pas : undefined));
    expect(told?.map((d) => d.headers.refToMessageId).sort()).toEqual(['ACKED-1', 'SENT-1']);
    for (const delivery of told ?? []) {
      expect(delivery.headers.kind).toBe('error');
      const body = parsePasMessage(delivery.body);
      expect(body.data).toMatchObject({
        status: 'UNANSWERED',
        errors: [{ errorType: 'ebxml_error', errorCode: 'DeliveryFailure', severity: 'Warning' }],
      });
    }
    expect(await store.get('ACKED-1')).toMatchObject({ status: 'UNANSWERED' });
    expect((await store.history('ACKED-1')).at(-1)?.detail).toBe(
      'acknowledged by Spine, but no application acknowledgement by its reply deadline 2026-01-05T10:10:00.000Z',
    );
    expect((await store.history('SENT-1')).at(-1)?.detail).toMatch(/^no ebXML Acknowledgment or application/);
    expect((await store.get('ACKED-LATER'))?.status).toBe('ACKED');
    expect((await store.deadLetters({})).map((m) => m.messageId).sort()).toEqual(['ACKED-1', 'SENT-1']);
    await eventually(() => (parked.length >= 2 ? true : undefined));
    expect(parked.map((d) => d.messageId).sort()).toEqual(['ACKED-1', 'SENT-1']);
    for (const notice of parked.map((d) => parseDeadLetterNotice(d.body)))
      expect(notice.reason).toMatch(/ by its reply deadline 2026-/);
    // Nothing is due now: a second sweep queues nothing and nobody is told twice.
    expect(await sweeper.sweep()).toBe(0);
    expect(pas).toHaveLength(2);
  });
});
