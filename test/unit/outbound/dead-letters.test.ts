import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/config/index.js';
import { parseMessage } from '../../../src/ebxml/index.js';
import { parseWrapper, wrapPayload } from '../../../src/hl7/index.js';
import {
  DeadLetterConflictError,
  DeadLetterNotFoundError,
  DeadLetters,
  OutboundSubmission,
} from '../../../src/outbound/index.js';
import { renumberWrapper } from '../../../src/outbound/replay-content.js';
import { BrokerUnavailableError, parseOutboundWork, QUEUES } from '../../../src/queue/index.js';
import { loadRouteTable } from '../../../src/routing/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';
import { FakeBroker } from '../../support/fake-broker.js';

const routes = loadRouteTable(
  join(packageRoot, 'config', 'interactions.json'),
  join(packageRoot, 'config', 'routes.json'),
);
// spine-reliable: 2 retries every minute, PersistDuration 5 minutes, so the same MessageId may be
// resent for min(5 min, 1 min × 3) = 3 minutes after the first attempt.
const INTERACTION = 'REPC_IN150016UK05';
const MINUTE = 60_000;

interface Queued {
  queue: string;
  messageId: string;
}

function setUp() {
  let at = Date.parse('2026-03-01T09:00:00.000Z');
  const clock = () => new Date(at);
  const advance = (ms: number) => {
    at += ms;
  };
  const store = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-dlq-')), 'state.db'), clock);
  const broker = new FakeBroker();
  /** What was queued, by the work item each entry carries. */
  const queued = (): Queued[] =>
    broker.published.map(({ queue, body }) => ({ queue, messageId: parseOutboundWork(body).messageId }));
  const submission = new OutboundSubmission({
    partyKey: 'RTX-821088',
    asid: '200000001234',
    routes,
    store,
    broker,
    signingIdentity: () => undefined,
    signatureAlgorithm: 'rsa-sha256',
    clock,
  });
  let ids = 0;
  const newId = () => `0000000${++ids}-AAAA-4BBB-8CCC-DDDDDDDDDDDD`;
  const deadLetters = new DeadLetters({ store, broker, submission, clock, newId });

  /** A message accepted, sent `attempts` times, and given up on. */
  async function deadLetter(messageId: string, options: { attempts?: number; attachments?: boolean } = {}) {
    const payloadXml = wrapPayload(
      {
        interactionId: INTERACTION,
        messageId,
        creationTime: clock(),
        toAsid: '928942012545',
        fromAsid: '200000001234',
      },
      undefined,
    );
    await submission.submit({
      interactionId: INTERACTION,
      payloadXml,
      messageId,
      conversationId: `CONV-${messageId}`,
      refToMessageId: 'EARLIER-MESSAGE',
      data: { source: 'mhs-compatible', odsCode: 'RTX' },
      ...(options.attachments
        ? {
            attachments: [
              {
                contentId: 'first-attachment@spine.nhs.uk',
                contentType: 'application/pdf',
                content: Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a]),
                transferEncoding: 'base64' as const,
                description: 'discharge letter',
                documentId: 'doc_1',
              },
            ],
            externalAttachments: [{ messageId: 'LARGE-DOC-1', description: 'scan, sent separately' }],
          }
        : {}),
    });
    const attempts = options.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++)
      await store.transition(messageId, 'SENDING', {
        detail: `attempt ${attempt}`,
        patch: { attempts: attempt },
      });
    await store.transition(messageId, 'FAILED', {
      detail: `retries exhausted after ${attempts} attempts: HTTP 500 SOAP fault 200`,
      patch: { error: [{ errorCode: 'DeliveryFailure', description: 'retries exhausted' }] },
    });
    broker.published.length = 0;
  }

  return {
    store,
    deadLetters,
    deadLetter,
    queued,
    advance,
    breakBroker: () =>
      broker.failNextPublishes(
        Number.POSITIVE_INFINITY,
        () => new BrokerUnavailableError('RabbitMQ not reachable within 5000 ms'),
      ),
  };
}

const stores: SqliteMessageStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});
function fresh() {
  const setup = setUp();
  stores.push(setup.store);
  return setup;
}

describe('DeadLetters', () => {
  it('lists dead letters newest first with why they failed, a page at a time', async () => {
    const { deadLetters, deadLetter, advance } = fresh();
    await deadLetter('M1');
    advance(MINUTE);
    await deadLetter('M2', { attempts: 1 });
    advance(MINUTE);
    await deadLetter('M3');
    const all = await deadLetters.list();
    expect(all.next).toBeUndefined();
    expect(all.deadLetters.map((d) => d.messageId)).toEqual(['M3', 'M2', 'M1']);
    expect(all.deadLetters[1]).toEqual({
      messageId: 'M2',
      conversationId: 'CONV-M2',
      interactionId: INTERACTION,
      refToMessageId: 'EARLIER-MESSAGE',
      status: 'FAILED',
      createdAt: '2026-03-01T09:01:00.000Z',
      failedAt: '2026-03-01T09:01:00.000Z',
      reason: 'retries exhausted after 1 attempts: HTTP 500 SOAP fault 200',
      attempts: 1,
    });
    const first = await deadLetters.list({ limit: 2 });
    expect(first.deadLetters.map((d) => d.messageId)).toEqual(['M3', 'M2']);
    expect(first.next).toBe('2026-03-01T09:01:00.000Z|M2');
    const second = await deadLetters.list({ limit: 2, before: first.next });
    expect(second.deadLetters.map((d) => d.messageId)).toEqual(['M1']);
    expect(second.next).toBeUndefined();
  });

  it('replays an UNANSWERED message as a new message at once: Spine already has the old MessageId', async () => {
    const { store, deadLetters, deadLetter, queued } = fresh();
    await deadLetter('U1', { attempts: 1 });
    // Make it an UNANSWERED dead letter instead: acknowledged, then no application ack by its deadline.
    await store.transition('U1', 'RETRYING', { from: ['FAILED'] });
    await store.transition('U1', 'SENDING', { from: ['RETRYING'] });
    await store.transition('U1', 'ACKED', { from: ['SENDING'] });
    await store.transition('U1', 'UNANSWERED', { from: ['ACKED'], detail: 'no application acknowledgement' });
    expect((await deadLetters.list()).deadLetters).toMatchObject([
      { messageId: 'U1', status: 'UNANSWERED', reason: 'no application acknowledgement' },
    ]);
    // Well inside the resend window, yet a new MessageId: a resend would be dropped as a duplicate.
    const result = await deadLetters.replay('U1');
    expect(result).toMatchObject({ replayOf: 'U1', sameMessageId: false });
    expect(await store.get('U1')).toMatchObject({ status: 'UNANSWERED', resolution: 'replayed' });
    expect(queued()).toEqual([{ queue: QUEUES.outbound, messageId: result.messageId }]);
    await expect(deadLetters.discard('U1')).rejects.toThrow(/UNANSWERED, already replayed as/);
  });

  it('resends the same MessageId and bytes while the receiver still remembers it', async () => {
    const { store, deadLetters, deadLetter, queued, advance } = fresh();
    await deadLetter('M1');
    const bytes = (await store.get('M1'))?.http?.body;
    advance(3 * MINUTE - 1);
    expect(await deadLetters.replay('M1', { operator: 'alice' })).toEqual({
      messageId: 'M1',
      replayOf: 'M1',
      sameMessageId: true,
    });
    const message = await store.get('M1');
    expect(message).toMatchObject({ status: 'RETRYING', attempts: 3 });
    expect(message).not.toHaveProperty('resolution');
    expect(message?.http?.body.equals(bytes as Buffer)).toBe(true);
    expect((await store.history('M1')).slice(-1)[0]).toMatchObject({
      status: 'RETRYING',
      detail: 'replayed by operator alice with the same MessageId',
    });
    expect(queued()).toEqual([{ queue: QUEUES.outbound, messageId: 'M1' }]);
    expect((await deadLetters.list()).deadLetters).toEqual([]);
  });

  it('sends a new message in its place once the resend window has passed', async () => {
    const { store, deadLetters, deadLetter, queued, advance } = fresh();
    await deadLetter('M1');
    advance(3 * MINUTE);
    const result = await deadLetters.replay('M1');
    const newId = '00000001-AAAA-4BBB-8CCC-DDDDDDDDDDDD';
    expect(result).toEqual({ messageId: newId, replayOf: 'M1', sameMessageId: false });
    expect(await store.get('M1')).toMatchObject({
      status: 'FAILED',
      resolution: 'replayed',
      replayedAs: newId,
      resolvedAt: '2026-03-01T09:03:00.000Z',
    });
    expect((await store.history('M1')).slice(-1)[0]?.detail).toBe(
      `replayed by operator as new message ${newId}: too late to resend the same MessageId`,
    );
    const old = await store.get('M1');
    const replacement = await store.get(newId);
    expect(replacement).toMatchObject({
      status: 'ACCEPTED',
      attempts: 0,
      interactionId: INTERACTION,
      conversationId: 'CONV-M1',
      refToMessageId: 'EARLIER-MESSAGE',
      data: { source: 'mhs-compatible', odsCode: 'RTX' },
    });
    // Same HL7 but for the wrapper id, which e-RS's application acknowledgement will name.
    expect(parseWrapper(replacement?.hl7 as string).messageId).toBe(newId);
    expect(replacement?.hl7).toBe(old?.hl7?.replace('root="M1"', `root="${newId}"`));
    const sent = parseMessage(replacement?.http?.contentType, replacement?.http?.body as Buffer);
    expect(sent.header).toMatchObject({
      messageId: newId,
      conversationId: 'CONV-M1',
      refToMessageId: 'EARLIER-MESSAGE',
    });
    expect(queued()).toEqual([{ queue: QUEUES.outbound, messageId: newId }]);
    await expect(deadLetters.replay('M1')).rejects.toThrow(
      `message M1 is not a dead letter: it is FAILED, already replayed as ${newId}`,
    );
  });

  it('keeps every attachment when the replay is a new message', async () => {
    const { store, deadLetters, deadLetter, advance } = fresh();
    await deadLetter('M1', { attachments: true });
    advance(10 * MINUTE);
    const { messageId } = await deadLetters.replay('M1');
    const stored = await store.get(messageId);
    const sent = parseMessage(stored?.http?.contentType, stored?.http?.body as Buffer);
    expect(sent.manifest.map((ref) => [ref.href.slice(0, 4), ref.description, ref.documentId])).toEqual([
      ['cid:', 'HL7 payload', undefined],
      ['cid:', 'discharge letter', 'doc_1'],
      ['mid:', 'scan, sent separately', undefined],
    ]);
    expect(sent.manifest[2]?.href).toBe('mid:LARGE-DOC-1');
    const attachment = sent.parts[1];
    expect(attachment?.contentType).toBe('application/pdf');
    expect(attachment?.content.equals(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a]))).toBe(
      true,
    );
    expect(attachment?.contentId).not.toBe('first-attachment@spine.nhs.uk');
  });

  it('resends a message that never left with the same MessageId, however late', async () => {
    const { store, deadLetters, deadLetter, advance } = fresh();
    await deadLetter('M1', { attempts: 0 });
    advance(24 * 60 * MINUTE);
    expect((await deadLetters.replay('M1')).sameMessageId).toBe(true);
    expect((await store.get('M1'))?.status).toBe('RETRYING');
  });

  it('replays once when two operators replay together, on either path', async () => {
    const { store, deadLetters, deadLetter, advance } = fresh();
    await deadLetter('EARLY');
    await deadLetter('LATE');
    advance(MINUTE);
    const early = await Promise.allSettled([deadLetters.replay('EARLY'), deadLetters.replay('EARLY')]);
    expect(early.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = early.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DeadLetterConflictError);
    expect(refused.reason.state).toBe('RETRYING');
    advance(5 * MINUTE);
    const late = await Promise.allSettled([deadLetters.replay('LATE'), deadLetters.replay('LATE')]);
    expect(late.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((late.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      DeadLetterConflictError,
    );
    const outbound = await store.search({ direction: 'outbound' });
    expect(outbound.filter((m) => m.conversationId === 'CONV-LATE')).toHaveLength(2);
  });

  it('discards a dead letter with the reason, once', async () => {
    const { store, deadLetters, deadLetter, queued } = fresh();
    await deadLetter('M1');
    await deadLetters.discard('M1', { reason: ' sent by phone instead ', operator: 'bob' });
    expect(await store.get('M1')).toMatchObject({ status: 'FAILED', resolution: 'discarded' });
    expect((await store.history('M1')).slice(-1)[0]?.detail).toBe(
      'discarded by operator bob: sent by phone instead',
    );
    expect(queued()).toEqual([]);
    expect((await deadLetters.list()).deadLetters).toEqual([]);
    const again = deadLetters.discard('M1');
    await expect(again).rejects.toBeInstanceOf(DeadLetterConflictError);
    await expect(again).rejects.toMatchObject({ state: 'FAILED, already discarded' });
    await expect(deadLetters.replay('M1')).rejects.toBeInstanceOf(DeadLetterConflictError);
  });

  it('says which message is unknown and which is not a dead letter, naming its state', async () => {
    const { store, deadLetters, deadLetter } = fresh();
    await expect(deadLetters.replay('NOPE')).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    await expect(deadLetters.discard('NOPE')).rejects.toThrow('no message NOPE');
    await deadLetter('M1');
    await store.insert({
      messageId: 'DONE',
      direction: 'outbound',
      interactionId: INTERACTION,
      conversationId: 'C',
      status: 'COMPLETED',
    });
    await store.insert({
      messageId: 'IN',
      direction: 'inbound',
      interactionId: 'PRSC_IN080000UK07',
      conversationId: 'C',
      status: 'FAILED',
    });
    const done = deadLetters.replay('DONE');
    await expect(done).rejects.toThrow('message DONE is not a dead letter: it is COMPLETED');
    await expect(done).rejects.toMatchObject({ state: 'COMPLETED' });
    await expect(deadLetters.discard('IN')).rejects.toThrow('it is an inbound message');
  });

  it('leaves a dead letter as it was when its replay cannot be queued or stored', async () => {
    const { store, deadLetters, deadLetter, advance, breakBroker } = fresh();
    await deadLetter('SAME');
    await store.insert({
      messageId: 'NOROUTE',
      direction: 'outbound',
      interactionId: 'XXXX_IN000000UK01',
      conversationId: 'C',
      status: 'SENDING',
      hl7: '<XXXX_IN000000UK01 xmlns="urn:hl7-org:v3"><id root="NOROUTE"/></XXXX_IN000000UK01>',
      route: {
        endpoint: 'https://gone',
        workflow: 'async-reliable',
        retries: 0,
        retryIntervalMs: 1,
        persistDurationMs: 1,
      },
    });
    await store.transition('NOROUTE', 'FAILED', { patch: { attempts: 1 } });
    advance(MINUTE);
    breakBroker();
    await expect(deadLetters.replay('SAME')).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(await store.get('SAME')).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect((await store.history('SAME')).slice(-2).map((h) => [h.status, h.detail])).toEqual([
      ['RETRYING', 'replayed by operator with the same MessageId'],
      ['FAILED', 'replay not queued: RabbitMQ not reachable within 5000 ms'],
    ]);
    await expect(deadLetters.replay('NOROUTE')).rejects.toThrow('unknown interaction XXXX_IN000000UK01');
    const noRoute = await store.get('NOROUTE');
    expect(noRoute).not.toHaveProperty('resolution');
    expect((await store.history('NOROUTE')).slice(-1)[0]?.detail).toMatch(
      /^replay as \S+ failed: unknown interaction/,
    );
    expect((await deadLetters.list()).deadLetters.map((d) => d.messageId).sort()).toEqual([
      'NOROUTE',
      'SAME',
    ]);
  });
});

describe('renumberWrapper', () => {
  const hl7 = `<?xml version="1.0"?>\n<REPC_IN150016UK05 xmlns="urn:hl7-org:v3" xmlns:x="urn:x">\n  <!-- <id root="OLD"/> -->\n  <id   root = 'old' x:note="a>b"/>\n  <creationTime value="20260301090000"/>\n  <subject><id root="OLD"/></subject>\n</REPC_IN150016UK05>`;

  it('changes only the wrapper id, whatever the case and quoting, and leaves every other byte', () => {
    const renumbered = renumberWrapper(hl7, 'OLD', 'NEW-ID');
    expect(renumbered).toBe(hl7.replace("root = 'old'", "root = 'NEW-ID'"));
    expect(parseWrapper(renumbered).messageId).toBe('NEW-ID');
  });

  it('leaves a wrapper id the sender chose, and XML that is not HL7, unchanged', () => {
    expect(renumberWrapper(hl7, 'SOMETHING-ELSE', 'NEW-ID')).toBe(hl7);
    const other = '<REPC_IN150016UK05 xmlns="urn:other"><id root="OLD"/></REPC_IN150016UK05>';
    expect(renumberWrapper(other, 'OLD', 'NEW-ID')).toBe(other);
  });
});
