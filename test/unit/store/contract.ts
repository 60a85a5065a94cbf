import { afterEach, describe, expect, it } from 'vitest';
import {
  DuplicateMessageError,
  FINAL_OUTBOUND_STATES,
  InvalidCursorError,
  type MessageState,
  type MessageStore,
  messageCursor,
  type NewMessage,
  type StoredMessage,
} from '../../../src/store/index.js';

/** A store on fresh, empty data, and a way to open another instance on the same data. */
export interface StoreFixture {
  store: MessageStore;
  /** A second store on the same data (a second gateway instance, or the same one after a restart). */
  another(clock?: () => Date): Promise<MessageStore>;
}

export type OpenFreshStore = (clock: () => Date) => Promise<StoreFixture>;

/** A clock the test moves by hand, so timestamps (and what is stale) are exact. */
export class TestClock {
  private at = Date.parse('2024-03-01T09:00:00.000Z');
  readonly now = (): Date => new Date(this.at);
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

const MINUTE = 60_000;

function outbound(messageId: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    messageId,
    direction: 'outbound',
    interactionId: 'PRSC_IN090000UK09',
    conversationId: `conv-${messageId}`,
    status: 'ACCEPTED',
    ...extra,
  };
}

function inbound(messageId: string, extra: Partial<NewMessage> = {}): NewMessage {
  return { ...outbound(messageId, extra), direction: 'inbound', status: 'RECEIVED', ...extra };
}

/** Every byte value, CR LF pairs and a lone CR: bodies must come back exactly. */
const ALL_BYTES = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\r\n\r\r\n'),
]);

/** The MessageStore contract; every implementation must pass it unchanged. */
export function messageStoreContract(name: string, openFresh: OpenFreshStore): void {
  describe(`${name} meets the MessageStore contract`, () => {
    const opened: MessageStore[] = [];
    let clock: TestClock;

    async function fresh(): Promise<StoreFixture & { clock: TestClock }> {
      clock = new TestClock();
      const fixture = await openFresh(clock.now);
      opened.push(fixture.store);
      return {
        clock,
        store: fixture.store,
        another: async (otherClock) => {
          const store = await fixture.another(otherClock ?? clock.now);
          opened.push(store);
          return store;
        },
      };
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('stores a message with byte-exact bodies, its JSON and its first history row', async () => {
      const { store } = await fresh();
      const http = {
        contentType: 'multipart/related; boundary="b"',
        soapAction: 'urn:nhs/x',
        body: ALL_BYTES,
      };
      const data = { list: [1, 'two', null, { deep: [true] }], empty: {}, text: 'é ✓ 𝄞', nothing: null };
      await store.insert(
        outbound('M1', {
          refToMessageId: 'R0',
          route: { endpoint: 'https://spine/reliablemessaging', reliability: { retries: 2 } },
          http,
          data,
          hl7: '<x>é ✓</x>',
          detail: 'accepted from the PAS',
        }),
      );
      const stored = await store.get('M1');
      expect(stored?.http?.body.equals(ALL_BYTES)).toBe(true);
      expect(stored).toEqual({
        messageId: 'M1',
        direction: 'outbound',
        interactionId: 'PRSC_IN090000UK09',
        conversationId: 'conv-M1',
        refToMessageId: 'R0',
        status: 'ACCEPTED',
        createdAt: '2024-03-01T09:00:00.000Z',
        updatedAt: '2024-03-01T09:00:00.000Z',
        attempts: 0,
        route: { endpoint: 'https://spine/reliablemessaging', reliability: { retries: 2 } },
        http: { contentType: http.contentType, soapAction: http.soapAction, body: expect.any(Buffer) },
        data,
        hl7: '<x>é ✓</x>',
      });
      expect(await store.history('M1')).toEqual([
        { at: '2024-03-01T09:00:00.000Z', status: 'ACCEPTED', detail: 'accepted from the PAS' },
      ]);
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.history('missing')).toEqual([]);
    });

    it('keeps JSON arrays, null and plain values as JSON, and leaves out what was not given', async () => {
      const { store } = await fresh();
      await store.insert(outbound('A', { data: [1, [2, 3]], route: null }));
      await store.insert(outbound('B', { data: 'text' }));
      await store.insert(outbound('C'));
      expect(await store.get('A')).toMatchObject({ data: [1, [2, 3]], route: null });
      expect((await store.get('B'))?.data).toBe('text');
      const bare = await store.get('C');
      for (const key of [
        'refToMessageId',
        'nextAttemptAt',
        'route',
        'http',
        'data',
        'hl7',
        'reply',
        'ack',
        'error',
        'resolution',
        'resolvedAt',
        'replayedAs',
      ])
        expect(bare).not.toHaveProperty(key);
    });

    it('refuses a second insert of the same message id and keeps the first', async () => {
      const { store } = await fresh();
      await store.insert(outbound('M1', { data: { first: true } }));
      const again = store.insert(inbound('M1', { data: { first: false } }));
      await expect(again).rejects.toBeInstanceOf(DuplicateMessageError);
      await expect(again).rejects.toMatchObject({ messageId: 'M1' });
      expect(await store.get('M1')).toMatchObject({ direction: 'outbound', data: { first: true } });
      expect(await store.history('M1')).toHaveLength(1);
    });

    it('moves state only from the allowed states, with patches and history in order', async () => {
      const { store, clock } = await fresh();
      await store.insert(outbound('M1'));
      clock.advance(1000);
      expect(await store.transition('M1', 'SENDING', { from: ['ACCEPTED', 'RETRYING'] })).toBe(true);
      clock.advance(1000);
      expect(await store.transition('M1', 'FAILED', { from: ['ACCEPTED'] })).toBe(false);
      // A move the lifecycle does not allow is refused, not skipped, whatever the message's state.
      await expect(store.transition('M1', 'SENT', { from: ['ACCEPTED'] })).rejects.toMatchObject({
        code: 'ILLEGAL_TRANSITION',
      });
      await expect(store.transition('M1', 'UNANSWERED')).rejects.toMatchObject({
        code: 'ILLEGAL_TRANSITION',
      });
      expect(
        await store.transition('M1', 'SENT', {
          from: ['SENDING'],
          detail: 'HTTP 202',
          patch: { attempts: 1 },
        }),
      ).toBe(true);
      clock.advance(1000);
      expect(
        await store.transition('M1', 'COMPLETED', { patch: { reply: { ok: true }, nextAttemptAt: null } }),
      ).toBe(true);
      expect(await store.transition('missing', 'ACKED')).toBe(false);
      expect(await store.transition('missing', 'ACKED', { from: ['SENT'] })).toBe(false);
      expect(await store.get('M1')).toMatchObject({
        status: 'COMPLETED',
        attempts: 1,
        reply: { ok: true },
        createdAt: '2024-03-01T09:00:00.000Z',
        updatedAt: '2024-03-01T09:00:03.000Z',
      });
      expect(await store.history('M1')).toEqual([
        { at: '2024-03-01T09:00:00.000Z', status: 'ACCEPTED' },
        { at: '2024-03-01T09:00:01.000Z', status: 'SENDING' },
        { at: '2024-03-01T09:00:02.000Z', status: 'SENT', detail: 'HTTP 202' },
        { at: '2024-03-01T09:00:03.000Z', status: 'COMPLETED' },
      ]);
    });

    it('moves only while attempts still has the expected value (a fencing token for senders)', async () => {
      const { store } = await fresh();
      await store.insert(outbound('F1'));
      expect(
        await store.transition('F1', 'SENDING', {
          from: ['ACCEPTED'],
          ifAttempts: 0,
          patch: { attempts: 1 },
        }),
      ).toBe(true);
      // A second sender that read attempts 0 loses, even though SENDING → SENDING is allowed.
      expect(
        await store.transition('F1', 'SENDING', { from: ['SENDING'], ifAttempts: 0, patch: { attempts: 1 } }),
      ).toBe(false);
      expect(
        await store.transition('F1', 'SENDING', { from: ['SENDING'], ifAttempts: 1, patch: { attempts: 2 } }),
      ).toBe(true);
      expect((await store.get('F1'))?.attempts).toBe(2);
      expect((await store.history('F1')).map((h) => h.status)).toEqual(['ACCEPTED', 'SENDING', 'SENDING']);
    });

    it('updates fields without a status change or a history row', async () => {
      const { store, clock } = await fresh();
      await store.insert(inbound('M1'));
      clock.advance(5000);
      const ack = { contentType: 'text/xml; charset=UTF-8', soapAction: 'urn:ack', body: ALL_BYTES };
      await store.update('M1', {
        attempts: 3,
        nextAttemptAt: '2024-03-01T10:00:00.000Z',
        reply: ['a', { b: 1 }],
        error: { code: 'ERROR', detail: 'x' },
        replyDeliveredAt: '2024-03-01T09:30:00.000Z',
        ack,
      });
      const updated = await store.get('M1');
      expect(updated?.ack?.body.equals(ALL_BYTES)).toBe(true);
      expect(updated).toMatchObject({
        status: 'RECEIVED',
        updatedAt: '2024-03-01T09:00:05.000Z',
        attempts: 3,
        nextAttemptAt: '2024-03-01T10:00:00.000Z',
        reply: ['a', { b: 1 }],
        error: { code: 'ERROR', detail: 'x' },
        replyDeliveredAt: '2024-03-01T09:30:00.000Z',
        ack: { contentType: ack.contentType, soapAction: 'urn:ack' },
      });
      await store.update('M1', { nextAttemptAt: null });
      expect(await store.get('M1')).not.toHaveProperty('nextAttemptAt');
      expect((await store.get('M1'))?.attempts).toBe(3);
      expect(await store.history('M1')).toHaveLength(1);
      await store.update('missing', { attempts: 1 });
      expect(await store.get('missing')).toBeUndefined();
    });

    it('lets exactly one of two instances win the same transition', async () => {
      const { store, another } = await fresh();
      const second = await another();
      const ids = Array.from({ length: 20 }, (_, i) => `race-${i}`);
      for (const id of ids) await store.insert(outbound(id));
      const results = await Promise.all(
        ids.map((id) =>
          Promise.all([
            store.transition(id, 'SENDING', { from: ['ACCEPTED'], detail: 'first' }),
            second.transition(id, 'SENDING', { from: ['ACCEPTED'], detail: 'second' }),
          ]),
        ),
      );
      for (const [index, pair] of results.entries()) {
        expect(pair.filter(Boolean), ids[index]).toHaveLength(1);
        const history = await store.history(ids[index] as string);
        expect(history.map((entry) => entry.status)).toEqual(['ACCEPTED', 'SENDING']);
        expect(history[1]?.detail).toBe(pair[0] ? 'first' : 'second');
      }
    });

    it('writes a PAS notification with the transition that moves, and only with it (the outbox)', async () => {
      const { store, clock, another } = await fresh();
      await store.insert(outbound('told', { status: 'SENT' }));
      const notify = { id: 'N-1', body: { kind: 'error', messageId: 'N-1', data: { status: 'NACKED' } } };
      expect(await store.transition('told', 'NACKED', { from: ['SENT'], notify })).toBe(true);
      // A second signal for a message already moved moves nothing, and so writes nothing.
      const again = { id: 'N-2', body: { kind: 'error', messageId: 'N-2' } };
      expect(await store.transition('told', 'NACKED', { from: ['SENDING', 'SENT'], notify: again })).toBe(
        false,
      );
      clock.advance(1_000);
      const pending = await store.pendingNotifications(10, clock.now());
      expect(pending).toEqual([
        { id: 'N-1', messageId: 'told', body: notify.body, createdAt: '2024-03-01T09:00:00.000Z' },
      ]);
      // Younger rows are left to the instance that wrote them.
      expect(await store.pendingNotifications(10, new Date('2024-03-01T09:00:00.000Z'))).toEqual([]);
      // Every instance sees it pending until one records it sent; then the message is delivered.
      const second = await another();
      expect((await second.pendingNotifications(10, clock.now())).map((row) => row.id)).toEqual(['N-1']);
      expect((await store.get('told'))?.replyDeliveredAt).toBeUndefined();
      await second.markNotificationSent('N-1', 'told');
      expect(await store.pendingNotifications(10, clock.now())).toEqual([]);
      expect((await store.get('told'))?.replyDeliveredAt).toBe('2024-03-01T09:00:01.000Z');
      // Marking again (a relay that published twice) changes nothing.
      clock.advance(1_000);
      await store.markNotificationSent('N-1', 'told');
      expect((await store.get('told'))?.replyDeliveredAt).toBe('2024-03-01T09:00:01.000Z');
    });

    it('keeps one outbox row per notification id, and purges rows with their message', async () => {
      const { store, clock } = await fresh();
      await store.insert(outbound('a', { status: 'SENDING' }));
      await store.insert(outbound('b', { status: 'SENT' }));
      const notify = { id: 'SAME', body: { n: 1 } };
      expect(await store.transition('a', 'RETRYING', { notify })).toBe(true);
      expect(await store.transition('a', 'FAILED', { notify: { id: 'SAME', body: { n: 2 } } })).toBe(true);
      expect(await store.transition('b', 'COMPLETED', { notify: { id: 'B-1', body: { n: 3 } } })).toBe(true);
      clock.advance(1_000);
      expect(await store.pendingNotifications(10, clock.now())).toEqual([
        expect.objectContaining({ id: 'B-1', messageId: 'b' }),
        expect.objectContaining({ id: 'SAME', messageId: 'a', body: { n: 1 } }),
      ]);
      expect(await store.pendingNotifications(1, clock.now())).toHaveLength(1);
      expect((await store.pendingNotifications(10, clock.now(), 'a')).map((row) => row.id)).toEqual(['SAME']);
      clock.advance(10 * MINUTE);
      expect(await store.purge(['FAILED'], clock.now())).toBe(1);
      expect((await store.pendingNotifications(10, clock.now())).map((row) => row.id)).toEqual(['B-1']);
    });

    it('finds stale outbound messages by updatedAt, or nextAttemptAt when set, oldest first', async () => {
      const { store, clock } = await fresh();
      await store.insert(outbound('old-accepted'));
      clock.advance(MINUTE);
      await store.insert(outbound('sending'));
      await store.transition('sending', 'SENDING');
      await store.insert(inbound('inbound-received'));
      await store.insert(outbound('retry-due', { status: 'SENDING' }));
      await store.transition('retry-due', 'RETRYING', {
        patch: { nextAttemptAt: '2024-03-01T09:03:00.000Z' },
      });
      await store.insert(outbound('retry-later', { status: 'SENDING' }));
      await store.transition('retry-later', 'RETRYING', {
        patch: { nextAttemptAt: '2024-03-01T11:00:00.000Z' },
      });
      clock.advance(MINUTE);
      await store.insert(outbound('completed', { status: 'SENT' }));
      await store.transition('completed', 'COMPLETED');
      clock.advance(2 * MINUTE);
      await store.insert(outbound('fresh'));

      const states: MessageState[] = ['ACCEPTED', 'SENDING', 'RETRYING', 'RECEIVED'];
      const stale = await store.findStale(states, new Date('2024-03-01T09:04:00.000Z'), 10);
      expect(stale.map((m) => m.messageId)).toEqual(['old-accepted', 'sending', 'retry-due']);
      expect(stale[2]?.nextAttemptAt).toBe('2024-03-01T09:03:00.000Z');
      expect(
        (await store.findStale(states, new Date('2024-03-01T09:04:00.000Z'), 2)).map((m) => m.messageId),
      ).toEqual(['old-accepted', 'sending']);
      expect((await store.findStale(['SENDING'], new Date('2024-03-01T12:00:00.000Z'), 10)).length).toBe(1);
      expect(
        (await store.findStale(['RETRYING'], new Date('2024-03-01T12:00:00.000Z'), 10)).map(
          (m) => m.messageId,
        ),
      ).toEqual(['retry-due', 'retry-later']);
      expect(await store.findStale([], new Date('2030-01-01T00:00:00.000Z'), 10)).toEqual([]);
      expect(await store.findStale(states, new Date('2024-03-01T09:00:00.000Z'), 10)).toEqual([]);
    });

    it('purges finished messages and their history, keeping newer and unfinished ones', async () => {
      const { store, clock, another } = await fresh();
      await store.insert(outbound('done-old', { status: 'SENT' }));
      await store.transition('done-old', 'COMPLETED');
      await store.insert(outbound('failed-old'));
      await store.transition('failed-old', 'FAILED', { detail: 'gave up' });
      await store.insert(outbound('stuck-old', { status: 'SENDING' }));
      await store.transition('stuck-old', 'SENT');
      await store.insert(inbound('dedup-old'));
      await store.transition('dedup-old', 'DELIVERED');
      clock.advance(10 * MINUTE);
      await store.insert(outbound('done-new', { status: 'SENT' }));
      await store.transition('done-new', 'COMPLETED');

      const cutoff = new Date('2024-03-01T09:05:00.000Z');
      expect(await store.purge([...FINAL_OUTBOUND_STATES, 'DELIVERED'], cutoff)).toBe(3);
      for (const gone of ['done-old', 'failed-old', 'dedup-old']) {
        expect(await store.get(gone)).toBeUndefined();
        expect(await store.history(gone)).toEqual([]);
      }
      expect((await store.get('stuck-old'))?.status).toBe('SENT');
      expect(await store.history('stuck-old')).toHaveLength(2);
      expect((await store.get('done-new'))?.status).toBe('COMPLETED');
      expect(await store.purge(['COMPLETED'], cutoff)).toBe(0);
      expect(await store.purge([], new Date('2030-01-01T00:00:00.000Z'))).toBe(0);
      // A purged id is free again (a late duplicate after retention is a new message).
      await store.insert(outbound('done-old'));
      expect(await store.history('done-old')).toHaveLength(1);
      // The purge is visible to every instance.
      expect(await (await another()).get('failed-old')).toBeUndefined();
    });

    it('purges more than one batch', async () => {
      const { store, clock } = await fresh();
      const ids = Array.from({ length: 501 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
      await Promise.all(ids.map((id) => store.insert(outbound(id, { status: 'COMPLETED' }))));
      await store.insert(outbound('keep', { status: 'ACCEPTED' }));
      clock.advance(MINUTE);
      expect(await store.purge(['COMPLETED'], clock.now())).toBe(501);
      expect((await store.search({ limit: 500 })).map((m) => m.messageId)).toEqual(['keep']);
    });

    it('searches newest first with every filter, without HTTP bodies', async () => {
      const { store, clock } = await fresh();
      await store.insert(
        outbound('o1', {
          conversationId: 'c1',
          http: { contentType: 'a', soapAction: 'b', body: ALL_BYTES },
        }),
      );
      clock.advance(MINUTE);
      await store.insert(
        inbound('i1', { conversationId: 'c1', interactionId: 'QUPC_IN160101UK05', data: { n: 1 } }),
      );
      await store.update('i1', {
        ack: { contentType: 'text/xml', soapAction: '', body: Buffer.from('<ack/>') },
      });
      clock.advance(MINUTE);
      await store.insert(outbound('o2', { conversationId: 'c2', status: 'SENDING' }));
      await store.transition('o2', 'SENT');

      const ids = async (query: Parameters<MessageStore['search']>[0]) =>
        (await store.search(query)).map((m) => m.messageId);
      expect(await ids({})).toEqual(['o2', 'i1', 'o1']);
      expect(await ids({ messageId: 'i1' })).toEqual(['i1']);
      expect(await ids({ conversationId: 'c1' })).toEqual(['i1', 'o1']);
      expect(await ids({ interactionId: 'QUPC_IN160101UK05' })).toEqual(['i1']);
      expect(await ids({ status: 'SENT' })).toEqual(['o2']);
      expect(await ids({ direction: 'outbound' })).toEqual(['o2', 'o1']);
      expect(await ids({ direction: 'outbound', conversationId: 'c1' })).toEqual(['o1']);
      expect(await ids({ from: new Date('2024-03-01T09:01:00.000Z') })).toEqual(['o2', 'i1']);
      expect(await ids({ to: new Date('2024-03-01T09:01:00.000Z') })).toEqual(['o1']);
      expect(
        await ids({ from: new Date('2024-03-01T09:00:30.000Z'), to: new Date('2024-03-01T09:01:30.000Z') }),
      ).toEqual(['i1']);
      expect(await ids({ status: 'FAILED' })).toEqual([]);

      const listed = await store.search({});
      for (const message of listed) {
        expect(message.http).toBeUndefined();
        expect(message.ack).toBeUndefined();
      }
      expect(listed[1]).toMatchObject({
        messageId: 'i1',
        data: { n: 1 },
        createdAt: '2024-03-01T09:01:00.000Z',
      });
      expect((await store.get('o1'))?.http?.body.equals(ALL_BYTES)).toBe(true);
    });

    it('pages with the keyset cursor, ties broken by message id, and clamps the limit', async () => {
      const { store, clock } = await fresh();
      const all: string[] = [];
      for (let minute = 0; minute < 12; minute++) {
        // Three messages per instant, so the cursor must break ties.
        for (const suffix of ['a', 'b', 'c']) {
          const id = `m${String(minute).padStart(2, '0')}${suffix}`;
          await store.insert(outbound(id));
          all.push(id);
        }
        clock.advance(MINUTE);
      }
      const newestFirst = [...all].reverse();
      expect((await store.search({})).length).toBe(36);
      const seen: string[] = [];
      let before: string | undefined;
      for (;;) {
        const page = await store.search({ limit: 5, ...(before ? { before } : {}) });
        seen.push(...page.map((m) => m.messageId));
        if (page.length < 5) break;
        before = messageCursor(page[page.length - 1] as StoredMessage);
      }
      expect(seen).toEqual(newestFirst);
      expect((await store.search({ limit: 0 })).length).toBe(1);
      expect((await store.search({ limit: -3 })).length).toBe(1);
      expect(
        (await store.search({ before: '2024-03-01T09:05:00.000Z|m05b' })).map((m) => m.messageId).slice(0, 3),
      ).toEqual(['m05a', 'm04c', 'm04b']);
      // A cursor's time in another ISO spelling means the same instant.
      expect((await store.search({ before: '2024-03-01T09:05:00Z|m05b', limit: 1 }))[0]?.messageId).toBe(
        'm05a',
      );
      for (const bad of ['', 'nonsense', '|m01a', 'not-a-date|m01a', '2024-03-01T09:05:00.000Z|'])
        await expect(store.search({ before: bad }), bad).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('lists 50 by default and at most 500', async () => {
      const { store } = await fresh();
      await Promise.all(
        Array.from({ length: 501 }, (_, i) => store.insert(outbound(`n${String(i).padStart(3, '0')}`))),
      );
      expect((await store.search({})).length).toBe(50);
      expect((await store.search({ limit: 10_000 })).length).toBe(500);
      expect((await store.search({ limit: 120 })).length).toBe(120);
    });

    it('counts messages by direction, interaction and status', async () => {
      const { store } = await fresh();
      expect(await store.countByState()).toEqual([]);
      await store.insert(outbound('o1'));
      await store.insert(outbound('o2', { status: 'SENDING' }));
      await store.insert(outbound('o3', { interactionId: 'OTHER' }));
      await store.transition('o2', 'SENT');
      await store.insert(inbound('i1'));
      await store.insert(inbound('i2'));
      const counts = await store.countByState();
      expect(counts).toHaveLength(4);
      expect(counts).toEqual(
        expect.arrayContaining([
          { direction: 'inbound', interactionId: 'PRSC_IN090000UK09', status: 'RECEIVED', count: 2 },
          { direction: 'outbound', interactionId: 'OTHER', status: 'ACCEPTED', count: 1 },
          { direction: 'outbound', interactionId: 'PRSC_IN090000UK09', status: 'ACCEPTED', count: 1 },
          { direction: 'outbound', interactionId: 'PRSC_IN090000UK09', status: 'SENT', count: 1 },
        ]),
      );
    });

    it('reports the oldest outbound message still in flight', async () => {
      const { store, clock } = await fresh();
      expect(await store.oldestInFlight()).toBeUndefined();
      await store.insert(inbound('inbound-first'));
      await store.insert(outbound('finished', { status: 'SENT' }));
      await store.transition('finished', 'NACKED');
      expect(await store.oldestInFlight()).toBeUndefined();
      clock.advance(MINUTE);
      await store.insert(outbound('waiting', { status: 'SENT' }));
      await store.transition('waiting', 'ACKED');
      clock.advance(MINUTE);
      await store.insert(outbound('newer'));
      expect(await store.oldestInFlight()).toEqual({
        messageId: 'waiting',
        status: 'ACKED',
        createdAt: '2024-03-01T09:01:00.000Z',
      });
      await store.transition('waiting', 'COMPLETED');
      expect((await store.oldestInFlight())?.messageId).toBe('newer');
    });

    /** An outbound message that failed at the clock's current time, with the worker's detail. */
    async function failed(store: MessageStore, messageId: string, extra: Partial<NewMessage> = {}) {
      await store.insert(outbound(messageId, { hl7: `<hl7 id="${messageId}"/>`, ...extra }));
      await store.transition(messageId, 'SENDING', { patch: { attempts: 1 } });
      await store.transition(messageId, 'FAILED', {
        from: ['SENDING'],
        detail: `retries exhausted for ${messageId}`,
        patch: { error: [{ errorCode: 'DeliveryFailure' }] },
      });
    }

    it('lists unresolved FAILED outbound messages newest first, with when and why they failed', async () => {
      const { store, clock } = await fresh();
      await failed(store, 'd1', { http: { contentType: 'a', soapAction: 'b', body: ALL_BYTES } });
      clock.advance(MINUTE);
      await store.insert(outbound('ok', { status: 'SENT' }));
      await store.transition('ok', 'COMPLETED');
      await store.insert(outbound('nacked', { status: 'NACKED' }));
      await store.insert(inbound('inbound-failed', { status: 'FAILED' }));
      await failed(store, 'd2');
      clock.advance(MINUTE);
      await store.insert(outbound('d3'));
      clock.advance(MINUTE);
      // d3 fails later than it was created; failedAt is the FAILED row's time, not createdAt.
      await store.transition('d3', 'FAILED', { detail: 'not queued: RabbitMQ down' });
      await failed(store, 'd4');
      expect(await store.resolve('d4', { kind: 'discarded' }, 'discarded by alice')).toBe(true);

      const letters = await store.deadLetters({});
      expect(letters.map((m) => m.messageId)).toEqual(['d3', 'd2', 'd1']);
      expect(letters[0]).toMatchObject({
        messageId: 'd3',
        status: 'FAILED',
        createdAt: '2024-03-01T09:02:00.000Z',
        failedAt: '2024-03-01T09:03:00.000Z',
        failureDetail: 'not queued: RabbitMQ down',
      });
      expect(letters[1]).toMatchObject({
        messageId: 'd2',
        attempts: 1,
        failedAt: '2024-03-01T09:01:00.000Z',
        failureDetail: 'retries exhausted for d2',
        error: [{ errorCode: 'DeliveryFailure' }],
        hl7: '<hl7 id="d2"/>',
      });
      for (const letter of letters) {
        expect(letter.http).toBeUndefined();
        expect(letter).not.toHaveProperty('resolution');
      }
      const first = await store.deadLetters({ limit: 2 });
      expect(first.map((m) => m.messageId)).toEqual(['d3', 'd2']);
      const rest = await store.deadLetters({ limit: 2, before: messageCursor(first[1] as StoredMessage) });
      expect(rest.map((m) => m.messageId)).toEqual(['d1']);
      await expect(store.deadLetters({ before: 'nonsense' })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('resolves a dead letter once, with a history row, and never moves it again', async () => {
      const { store, clock } = await fresh();
      await failed(store, 'd1');
      await failed(store, 'd2');
      await store.insert(outbound('sent', { status: 'SENDING' }));
      await store.transition('sent', 'SENT');
      clock.advance(MINUTE);
      expect(await store.resolve('d1', { kind: 'replayed', replayedAs: 'NEW-1' }, 'replayed as NEW-1')).toBe(
        true,
      );
      expect(await store.resolve('d1', { kind: 'discarded' }, 'too late')).toBe(false);
      expect(await store.resolve('d2', { kind: 'discarded' }, 'discarded by bob: duplicate')).toBe(true);
      expect(await store.resolve('sent', { kind: 'discarded' }, 'not a dead letter')).toBe(false);
      expect(await store.resolve('missing', { kind: 'discarded' }, 'nothing')).toBe(false);

      expect(await store.get('d1')).toMatchObject({
        status: 'FAILED',
        resolution: 'replayed',
        replayedAs: 'NEW-1',
        resolvedAt: '2024-03-01T09:01:00.000Z',
        updatedAt: '2024-03-01T09:01:00.000Z',
      });
      const discarded = await store.get('d2');
      expect(discarded).toMatchObject({ resolution: 'discarded', resolvedAt: '2024-03-01T09:01:00.000Z' });
      expect(discarded).not.toHaveProperty('replayedAs');
      expect((await store.search({ messageId: 'd2' }))[0]).toMatchObject({ resolution: 'discarded' });
      expect((await store.history('d2')).slice(-1)).toEqual([
        { at: '2024-03-01T09:01:00.000Z', status: 'FAILED', detail: 'discarded by bob: duplicate' },
      ]);
      expect(await store.history('sent')).toHaveLength(2);
      // An operator's decision is final: nothing moves a resolved dead letter.
      expect(await store.transition('d1', 'RETRYING', { from: ['FAILED'] })).toBe(false);
      expect(await store.transition('d2', 'ACKED')).toBe(false);
      expect((await store.get('d1'))?.status).toBe('FAILED');
      expect(await store.deadLetters({})).toEqual([]);
    });

    it('lets exactly one of two instances resolve, or move, the same dead letter', async () => {
      const { store, another } = await fresh();
      const second = await another();
      const ids = Array.from({ length: 10 }, (_, i) => `dead-${i}`);
      for (const id of ids) await failed(store, id);
      const results = await Promise.all(
        ids.map((id, i) =>
          Promise.all([
            store.resolve(id, { kind: 'replayed', replayedAs: `first-${i}` }, 'first'),
            // Half race a second resolution, half a same-id requeue (FAILED → RETRYING).
            i % 2 === 0
              ? second.resolve(id, { kind: 'discarded' }, 'second')
              : second.transition(id, 'RETRYING', { from: ['FAILED'], detail: 'second' }),
          ]),
        ),
      );
      for (const [index, pair] of results.entries()) {
        const id = ids[index] as string;
        expect(pair.filter(Boolean), id).toHaveLength(1);
        const message = await store.get(id);
        if (pair[0]) expect(message).toMatchObject({ status: 'FAILED', replayedAs: `first-${index}` });
        else if (index % 2 === 0)
          expect(message).toMatchObject({ status: 'FAILED', resolution: 'discarded' });
        else expect(message?.status).toBe('RETRYING');
        expect((await store.history(id)).slice(-1)[0]?.detail).toBe(pair[0] ? 'first' : 'second');
      }
    });

    it('finds the newest outbound message by its HL7 wrapper id', async () => {
      const { store, clock } = await fresh();
      await store.insert(outbound('EB-1', { hl7MessageId: 'HL7-A', hl7: '<hl7 id="HL7-A"/>' }));
      clock.advance(MINUTE);
      await store.insert(outbound('EB-2', { hl7MessageId: 'HL7-A' }));
      await store.insert(inbound('IN-1', { hl7MessageId: 'HL7-B' }));
      await store.insert(outbound('EB-3'));
      expect(await store.getByHl7MessageId('HL7-A')).toMatchObject({
        messageId: 'EB-2',
        hl7MessageId: 'HL7-A',
      });
      expect((await store.get('EB-1'))?.hl7MessageId).toBe('HL7-A');
      expect(await store.getByHl7MessageId('HL7-B')).toBeUndefined();
      expect(await store.getByHl7MessageId('EB-3')).toBeUndefined();
      expect(await store.get('EB-3')).not.toHaveProperty('hl7MessageId');
    });

    it('lists UNANSWERED messages as dead letters, resolved like FAILED ones with their own status', async () => {
      const { store, clock } = await fresh();
      await failed(store, 'd1');
      clock.advance(MINUTE);
      await store.insert(outbound('u1', { status: 'SENT' }));
      await store.transition('u1', 'ACKED');
      clock.advance(MINUTE);
      await store.transition('u1', 'UNANSWERED', {
        from: ['ACKED'],
        detail: 'no application acknowledgement',
      });
      const letters = await store.deadLetters({});
      expect(letters.map((m) => [m.messageId, m.status])).toEqual([
        ['u1', 'UNANSWERED'],
        ['d1', 'FAILED'],
      ]);
      expect(letters[0]).toMatchObject({
        failedAt: '2024-03-01T09:02:00.000Z',
        failureDetail: 'no application acknowledgement',
      });
      expect(await store.resolve('u1', { kind: 'discarded' }, 'discarded by carol')).toBe(true);
      expect((await store.history('u1')).slice(-1)).toEqual([
        { at: '2024-03-01T09:02:00.000Z', status: 'UNANSWERED', detail: 'discarded by carol' },
      ]);
      expect(await store.transition('u1', 'COMPLETED')).toBe(false);
      expect(await store.unresolve('u1', 'reopened')).toBe(true);
      expect((await store.history('u1')).slice(-1)[0]?.status).toBe('UNANSWERED');
      expect((await store.deadLetters({})).map((m) => m.messageId)).toEqual(['u1', 'd1']);
    });

    it('reopens a resolved dead letter (a replay that could not be stored)', async () => {
      const { store, clock } = await fresh();
      await failed(store, 'd1');
      expect(await store.unresolve('d1', 'nothing to undo')).toBe(false);
      await store.resolve('d1', { kind: 'replayed', replayedAs: 'NEW-1' }, 'replayed as NEW-1');
      clock.advance(MINUTE);
      expect(await store.unresolve('d1', 'replay failed: no route')).toBe(true);
      const reopened = await store.get('d1');
      for (const key of ['resolution', 'resolvedAt', 'replayedAs']) expect(reopened).not.toHaveProperty(key);
      expect((await store.deadLetters({})).map((m) => m.messageId)).toEqual(['d1']);
      expect((await store.history('d1')).slice(-2).map((entry) => entry.detail)).toEqual([
        'replayed as NEW-1',
        'replay failed: no route',
      ]);
      expect(await store.unresolve('missing', 'x')).toBe(false);
    });

    it('reports its size, checks it is writable, and keeps data across reopening', async () => {
      const { store, another } = await fresh();
      expect(await store.sizeBytes()).toBeGreaterThan(0);
      await store.checkWritable();
      await store.insert(outbound('M1'));
      await store.update('M1', {
        ack: { contentType: 'text/xml', soapAction: 's', body: Buffer.from('<ack/>') },
      });
      await store.close();
      await store.close();
      await expect(store.checkWritable()).rejects.toThrow();
      const reopened = await another();
      expect((await reopened.get('M1'))?.ack?.body.toString()).toBe('<ack/>');
      expect(await reopened.history('M1')).toHaveLength(1);
      await reopened.checkWritable();
    });
  });
}
