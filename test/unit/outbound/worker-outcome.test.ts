// Found by the soak: an instance killed after a message went FAILED (or NACKED) but before the PAS
// was told left the outcome untold for ever; the redelivered queue entry was just acknowledged.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/ops/index.js';
import { outcomeMessageId, SendWorker } from '../../../src/outbound/index.js';
import { NotificationRelay } from '../../../src/outbox/index.js';
import {
  type Delivery,
  parseDeadLetterNotice,
  parseOutboundWork,
  parsePasMessage,
  parseWakeUp,
  QUEUES,
  QueueContractError,
} from '../../../src/queue/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';
import { FakeBroker } from '../../support/fake-broker.js';

function setUp() {
  const store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-worker-')), 'state.db'));
  const broker = new FakeBroker();
  const client = {
    post: async () => {
      throw new Error('nothing is sent in these tests');
    },
  };
  const logger = createLogger({ level: 'silent', redactPatientData: true });
  const worker = new SendWorker({
    store,
    broker,
    relay: new NotificationRelay({ store, broker, logger }),
    client: client as never,
    logger: createLogger({ level: 'silent', redactPatientData: true }),
    prefetch: 1,
    requestTimeoutMs: 1_000,
  });
  return { store, broker, published: broker.published, worker };
}

const delivery = (messageId: string): Delivery => ({
  body: Buffer.from(JSON.stringify({ messageId })),
  messageId,
  headers: {},
  redelivered: true,
});

async function accepted(store: SqliteMessageStore, messageId: string, retries: number) {
  await store.insert({
    messageId,
    direction: 'outbound',
    interactionId: 'PRSC_IN100000UK06',
    conversationId: `C-${messageId}`,
    status: 'ACCEPTED',
    http: { contentType: 'multipart/related', soapAction: 'x', body: Buffer.from('x') },
    route: {
      endpoint: 'https://localhost:1/',
      workflow: 'forward-reliable',
      retries,
      retryIntervalMs: 200,
      persistDurationMs: 60_000,
    },
  });
}

async function failedUntold(store: SqliteMessageStore, messageId: string, attempts: number) {
  await store.insert({
    messageId,
    direction: 'outbound',
    interactionId: 'PRSC_IN100000UK06',
    conversationId: `C-${messageId}`,
    status: 'ACCEPTED',
    http: { contentType: 'multipart/related', soapAction: 'x', body: Buffer.from('x') },
    route: {
      endpoint: 'https://localhost:1/',
      workflow: 'forward-reliable',
      retries: 0,
      retryIntervalMs: 1,
      persistDurationMs: 1,
    },
  });
  if (attempts > 0) await store.transition(messageId, 'SENDING', { from: ['ACCEPTED'], patch: { attempts } });
  await store.transition(messageId, 'FAILED', {
    detail: 'retries exhausted after 1 attempts: ECONNREFUSED',
    patch: { error: [{ errorType: 'ebxml_error', errorCode: 'DeliveryFailure', description: 'gave up' }] },
  });
}

describe('SendWorker and an outcome left untold', () => {
  it('tells the PAS once, under an id that is the same however often it is retold', async () => {
    const { store, published, worker } = setUp();
    await failedUntold(store, 'M-1', 1);
    expect(await worker.handle(delivery('M-1'))).toBe('ack');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      queue: 'mhs.inbound',
      properties: {
        messageId: outcomeMessageId('M-1', 'FAILED'),
        headers: { kind: 'error', refToMessageId: 'M-1' },
      },
    });
    expect(parsePasMessage(published[0]!.body)).toMatchObject({
      kind: 'error',
      refToMessageId: 'M-1',
      data: { status: 'FAILED', detail: 'retries exhausted after 1 attempts: ECONNREFUSED' },
    });
    expect((await store.get('M-1'))?.replyDeliveredAt).toBeDefined();
    // Told now: another copy of the queue entry changes nothing.
    expect(await worker.handle(delivery('M-1'))).toBe('ack');
    expect(published).toHaveLength(1);
    await store.close();
  });

  it('retells a NACK correlation wrote to the outbox under the signal’s id, never under a second one', async () => {
    const { store, published, worker } = setUp();
    await accepted(store, 'M-9', 0);
    await store.transition('M-9', 'SENDING', { from: ['ACCEPTED'], patch: { attempts: 1 } });
    await store.transition('M-9', 'SENT', { from: ['SENDING'] });
    // Correlation moved it and wrote its notification; the instance died before publishing it.
    const told = {
      kind: 'error' as const,
      interactionId: 'PRSC_IN100000UK06',
      messageId: 'SIGNAL-9',
      conversationId: 'C-M-9',
      refToMessageId: 'M-9',
      receivedAt: new Date().toISOString(),
      data: { status: 'NACKED' },
      attachments: [],
    };
    await store.transition('M-9', 'NACKED', {
      from: ['SENT'],
      detail: 'MessageError ValueNotRecognized',
      notify: { id: 'SIGNAL-9', body: told },
    });
    expect(await worker.handle(delivery('M-9'))).toBe('ack');
    expect(published.map((p) => p.properties.messageId)).toEqual(['SIGNAL-9']);
    expect((await store.get('M-9'))?.replyDeliveredAt).toBeDefined();
    expect(await worker.handle(delivery('M-9'))).toBe('ack');
    expect(published).toHaveLength(1);
    await store.close();
  });

  it('says nothing for a message never sent (the PAS was answered 503 for it)', async () => {
    const { store, published, worker } = setUp();
    await failedUntold(store, 'M-2', 0);
    expect(await worker.handle(delivery('M-2'))).toBe('ack');
    expect(published).toHaveLength(0);
    await store.close();
  });

  it('derives a well-formed UUID that differs by outcome', () => {
    const failed = outcomeMessageId('M-1', 'FAILED');
    expect(failed).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(outcomeMessageId('M-1', 'NACKED')).not.toBe(failed);
    expect(outcomeMessageId('M-1', 'FAILED')).toBe(failed);
  });
});

describe('SendWorker and the queue contracts', () => {
  it('refuses a queue entry that is not a work item, naming what is wrong', async () => {
    const { store, broker, worker } = setUp();
    await worker.start();
    const outcome = broker.deliver(QUEUES.outbound, { body: Buffer.from('{"id":"M-1"}') });
    await expect(outcome).rejects.toBeInstanceOf(QueueContractError);
    await expect(outcome).rejects.toThrow(/^malformed mhs\.outbound message: messageId: /);
    await expect(broker.deliver(QUEUES.outbound, { body: Buffer.from('M-1') })).rejects.toThrow(
      /^malformed mhs\.outbound message: not JSON/,
    );
    expect(broker.published).toEqual([]);
    await store.close();
  });

  it('parks a failed attempt in the retry queue of its interval as a work item', async () => {
    const { store, broker, worker } = setUp();
    await accepted(store, 'R-1', 2);
    await worker.start();
    expect(await broker.deliver(QUEUES.outbound, delivery('R-1'))).toBe('ack');
    expect(broker.published.map((p) => p.queue)).toEqual(['mhs.retry.200']);
    expect(parseOutboundWork(broker.published[0]!.body)).toEqual({ messageId: 'R-1' });
    expect(broker.published[0]!.properties).toMatchObject({
      correlationId: 'C-R-1',
      type: 'PRSC_IN100000UK06',
    });
    expect((await store.get('R-1'))?.status).toBe('RETRYING');
    await store.close();
  });

  it('announces a message it gives up on to mhs.dead-letter and wakes its waiters', async () => {
    const { store, broker, worker } = setUp();
    await accepted(store, 'D-1', 0);
    expect(await worker.handle(delivery('D-1'))).toBe('ack');
    const [notice] = broker.published.filter((p) => p.queue === QUEUES.deadLetter);
    expect(parseDeadLetterNotice(notice!.body)).toEqual({
      messageId: 'D-1',
      reason: 'retries exhausted after 1 attempts: nothing is sent in these tests',
    });
    expect(notice!.properties.headers).toEqual({
      reason: 'retries exhausted after 1 attempts: nothing is sent in these tests',
    });
    expect(broker.events.map((e) => parseWakeUp(e.routingKey, e.body))).toEqual([
      { messageId: 'D-1', status: 'FAILED' },
    ]);
    await store.close();
  });
});
