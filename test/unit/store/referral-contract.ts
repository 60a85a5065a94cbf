import { afterEach, describe, expect, it } from 'vitest';
import type { MessageStore } from '../../../src/store/index.js';
import type { OpenFreshStore } from './contract.js';
import { TestClock } from './contract.js';

/** The ReferralStore half of the contract (the e-RS FHIR side's tables); every store passes it unchanged. */
export function referralStoreContract(name: string, openFresh: OpenFreshStore): void {
  describe(`${name} meets the ReferralStore contract`, () => {
    const opened: MessageStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    async function fresh() {
      const clock = new TestClock();
      const fixture = await openFresh(clock.now);
      opened.push(fixture.store);
      return {
        clock,
        store: fixture.store,
        another: async () => {
          const store = await fixture.another(clock.now);
          opened.push(store);
          return store;
        },
      };
    }

    it('replaces a worklist snapshot per service and list', async () => {
      const { store } = await fresh();
      expect(await store.referrals.worklist('S1', 'REFERRALS_FOR_REVIEW')).toEqual([]);
      await store.referrals.saveWorklist('S1', 'REFERRALS_FOR_REVIEW', [
        { ubrn: '000000000002', version: 3 },
        { ubrn: '000000000001', version: 1 },
      ]);
      await store.referrals.saveWorklist('S1', 'APPOINTMENT_SLOT_ISSUES', [
        { ubrn: '000000000009', version: 1 },
      ]);
      await store.referrals.saveWorklist('S1', 'REFERRALS_FOR_REVIEW', [
        { ubrn: '000000000002', version: 4 },
      ]);
      expect(await store.referrals.worklist('S1', 'REFERRALS_FOR_REVIEW')).toEqual([
        { ubrn: '000000000002', version: 4 },
      ]);
      expect(await store.referrals.worklist('S1', 'APPOINTMENT_SLOT_ISSUES')).toEqual([
        { ubrn: '000000000009', version: 1 },
      ]);
      await store.referrals.saveWorklist('S1', 'REFERRALS_FOR_REVIEW', []);
      expect(await store.referrals.worklist('S1', 'REFERRALS_FOR_REVIEW')).toEqual([]);
    });

    it('keeps each referral as last saved and counts them by state', async () => {
      const { store, clock } = await fresh();
      await store.referrals.saveReferral({
        ubrn: '000000000001',
        version: 1,
        state: 'BOOKED',
        fhir: '{"a":1}',
      });
      clock.advance(1000);
      await store.referrals.saveReferral({
        ubrn: '000000000001',
        version: 2,
        state: 'REJECTED',
        fhir: '{"a":2}',
      });
      await store.referrals.saveReferral({ ubrn: '000000000002', version: 1, state: 'BOOKED', fhir: '{}' });
      expect(await store.referrals.referral('000000000001')).toEqual({
        ubrn: '000000000001',
        version: 2,
        state: 'REJECTED',
        fhir: '{"a":2}',
        fetchedAt: '2024-03-01T09:00:01.000Z',
      });
      expect(await store.referrals.referral('000000000003')).toBeUndefined();
      expect(await store.referrals.countReferralsByState()).toEqual([
        { state: 'BOOKED', count: 1 },
        { state: 'REJECTED', count: 1 },
      ]);
    });

    it('never spends more budget than the limit, across instances and restarts', async () => {
      const { store, another } = await fresh();
      const second = await another();
      const takes = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? store : second).referrals.takeBudget('A008:S1', '2024-03-01', 2),
        ),
      );
      expect(takes.filter(Boolean)).toHaveLength(2);
      const third = await another();
      expect(await third.referrals.takeBudget('A008:S1', '2024-03-01', 2)).toBe(false);
      expect(await third.referrals.budgetUsed('A008:S1', '2024-03-01')).toBe(2);
      // A new day, or another service, has its own budget.
      expect(await third.referrals.takeBudget('A008:S1', '2024-03-02', 2)).toBe(true);
      expect(await third.referrals.takeBudget('A008:S2', '2024-03-01', 2)).toBe(true);
      expect(await third.referrals.takeBudget('A008:S3', '2024-03-01', 0)).toBe(false);
      expect(await third.referrals.budgetUsed('A008:S3', '2024-03-01')).toBe(0);
    });

    it('keeps attachments and lists those due for another try', async () => {
      const { store, clock } = await fresh();
      const base = {
        ubrn: '000000000001',
        url: 'Binary/x',
        title: 'letter.pdf',
        contentType: 'application/pdf',
        attempts: 0,
      };
      await store.referrals.saveAttachment({
        ...base,
        attachmentId: 'a1',
        status: 'PENDING',
        declaredSize: 10,
        nextAttemptAt: '2024-03-01T09:05:00.000Z',
      });
      await store.referrals.saveAttachment({
        ...base,
        attachmentId: 'a2',
        status: 'THREATS_FOUND',
        detail: 'quarantined',
      });
      await store.referrals.saveAttachment({ ...base, attachmentId: 'a3', status: 'FAILED', attempts: 8 });
      expect(await store.referrals.attachmentsDue(clock.now(), 10)).toEqual([]);
      clock.advance(5 * 60_000);
      expect((await store.referrals.attachmentsDue(clock.now(), 10)).map((a) => a.attachmentId)).toEqual([
        'a1',
      ]);
      await store.referrals.saveAttachment({
        ...base,
        attachmentId: 'a1',
        status: 'DOWNLOADED',
        attempts: 1,
        sha256: 'ab'.repeat(32),
        size: 10,
        file: 'f1',
      });
      expect(await store.referrals.attachmentsDue(clock.now(), 10)).toEqual([]);
      expect(await store.referrals.attachment('000000000001', 'a1')).toEqual({
        ...base,
        attachmentId: 'a1',
        status: 'DOWNLOADED',
        attempts: 1,
        sha256: 'ab'.repeat(32),
        size: 10,
        file: 'f1',
        updatedAt: '2024-03-01T09:05:00.000Z',
      });
      expect(
        (await store.referrals.attachments('000000000001')).map((a) => [a.attachmentId, a.status]),
      ).toEqual([
        ['a1', 'DOWNLOADED'],
        ['a2', 'THREATS_FOUND'],
        ['a3', 'FAILED'],
      ]);
      expect((await store.referrals.attachmentFailures(10)).map((a) => a.attachmentId).sort()).toEqual([
        'a2',
        'a3',
      ]);
      expect(await store.referrals.attachmentFailures(1)).toHaveLength(1);
    });

    it('finds the HL7 V3 messages that name a UBRN, however deep in their JSON', async () => {
      const { store } = await fresh();
      const message = (messageId: string, data: unknown) => ({
        messageId,
        direction: 'inbound' as const,
        interactionId: 'PRSC_IN040000UK08',
        conversationId: `c-${messageId}`,
        status: 'RECEIVED' as const,
        data,
      });
      await store.insert(message('m1', { ubrn: '000000000001', usrn: 'x' }));
      await store.insert(message('m2', { patients: [{ ubrn: '000000000002' }, { ubrn: '000000000001' }] }));
      await store.insert(message('m3', { ubrn: '000000000011' }));
      await store.insert(message('m4', { note: 'mentions 000000000001 in text only' }));
      const found = await store.search({ ubrn: '000000000001' });
      expect(found.map((m) => m.messageId).sort()).toEqual(['m1', 'm2']);
      expect(await store.search({ ubrn: '000000000003' })).toEqual([]);
    });

    it('claims an idempotency key once, replays the finished answer, frees a released key', async () => {
      const { store, another } = await fresh();
      const second = await another();
      const decision = { idempotencyKey: 'key-1', ubrn: '000000000001', action: 'accept', fingerprint: 'f' };
      const claims = await Promise.all([
        store.referrals.claimDecision(decision),
        second.referrals.claimDecision(decision),
      ]);
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
      const lost = claims.find((c) => !c.claimed);
      expect(lost).toMatchObject({ claimed: false, existing: { status: 'IN_PROGRESS', fingerprint: 'f' } });
      await store.referrals.finishDecision('key-1', { status: 200, body: { outcome: 'recorded' } });
      await store.referrals.releaseDecision('key-1'); // a finished decision is never freed
      expect(await second.referrals.claimDecision(decision)).toMatchObject({
        claimed: false,
        existing: { status: 'DONE', outcome: { status: 200, body: { outcome: 'recorded' } } },
      });
      const other = { ...decision, idempotencyKey: 'key-2' };
      expect(await store.referrals.claimDecision(other)).toEqual({ claimed: true });
      await store.referrals.releaseDecision('key-2');
      expect(await second.referrals.claimDecision(other)).toEqual({ claimed: true });
    });
  });
}
