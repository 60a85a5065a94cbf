// SendOutcomes on its own: what each outcome of a send does to the stored message and the queues.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/ops/index.js';
import type { RouteSnapshot } from '../../../src/outbound/index.js';
import { SendOutcomes } from '../../../src/outbound/outcomes.js';
import { NotificationRelay } from '../../../src/outbox/index.js';
import { parsePasMessage } from '../../../src/queue/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';
import { FakeBroker } from '../../support/fake-broker.js';

const route = {
  endpoint: 'https://localhost:1/',
  workflow: 'forward-reliable',
  retries: 1,
  retryIntervalMs: 200,
  persistDurationMs: 60_000,
} as RouteSnapshot;

async function sending(messageId: string) {
  const store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-outcomes-')), 'state.db'));
  const broker = new FakeBroker();
  const logger = createLogger({ level: 'silent', redactPatientData: true });
  const clock = () => new Date('2026-01-01T00:00:00Z');
  const outcomes = new SendOutcomes({
    store,
    broker,
    relay: new NotificationRelay({ store, broker, logger }),
    clock,
  });
  await store.insert({
    messageId,
    direction: 'outbound',
    interactionId: 'PRSC_IN100000UK06',
    conversationId: `C-${messageId}`,
    status: 'ACCEPTED',
    http: { contentType: 'multipart/related', soapAction: 'x', body: Buffer.from('x') },
    route,
  });
  await store.transition(messageId, 'SENDING', { from: ['ACCEPTED'], patch: { attempts: 1 } });
  return { store, broker, outcomes, message: (await store.get(messageId))! };
}

describe('SendOutcomes', () => {
  it('queues a retriable failure on the retry queue of its interval while retries are left', async () => {
    const { store, broker, outcomes, message } = await sending('M-R');
    await outcomes.record(message, route, 1, { kind: 'retry', detail: 'ECONNRESET' });
    const stored = await store.get('M-R');
    expect(stored?.status).toBe('RETRYING');
    expect(stored?.nextAttemptAt).toBe('2026-01-01T00:00:00.200Z');
    expect(broker.published.map((p) => p.queue)).toEqual(['mhs.retry.200']);
    await store.close();
  });

  it("fails a message whose retries ran out, telling the PAS Spine's last words", async () => {
    const { store, broker, outcomes, message } = await sending('M-F');
    const errors = [{ errorType: 'soap_fault' as const, errorCode: '200', description: 'busy' }];
    await outcomes.record(message, route, 2, { kind: 'retry', detail: 'busy', errors });
    expect((await store.get('M-F'))?.status).toBe('FAILED');
    expect(broker.published.map((p) => p.queue).sort()).toEqual(['mhs.dead-letter', 'mhs.inbound']);
    const told = parsePasMessage(broker.published.find((p) => p.queue === 'mhs.inbound')!.body);
    expect(told).toMatchObject({ kind: 'error', refToMessageId: 'M-F', data: { status: 'FAILED', errors } });
    expect(broker.events.map((e) => e.routingKey)).toEqual(['message.M-F']);
    await store.close();
  });
});
