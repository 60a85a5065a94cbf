import { afterEach, describe, expect, it } from 'vitest';
import type { MessageStore, StoredSession } from '../../../src/store/index.js';
import type { OpenFreshStore } from './contract.js';
import { TestClock } from './contract.js';

/** The SessionStore half of the contract (the dashboard's sessions); every store passes it unchanged. */
export function sessionStoreContract(name: string, openFresh: OpenFreshStore): void {
  describe(`${name} meets the SessionStore contract`, () => {
    const opened: MessageStore[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });
    async function fresh() {
      const fixture = await openFresh(new TestClock().now);
      opened.push(fixture.store);
      return fixture;
    }
    // Epoch milliseconds past 2^31: a column or parameter of 32 bits would fail here.
    const T0 = Date.parse('2026-12-04T12:00:00Z');
    const session = (keyName: string, createdAt: number): StoredSession => ({
      keyName,
      csrfToken: `csrf-${keyName}`,
      createdAt,
      lastSeenAt: createdAt,
    });

    it('keeps a session under its id hash, for every instance on the same data, until it ends', async () => {
      const { store, another } = await fresh();
      await store.sessions.saveSession('hash-a', session('operator', T0), 100);
      const other = await another();
      opened.push(other);
      expect(await other.sessions.session('hash-a')).toEqual(session('operator', T0));
      await other.sessions.touchSession('hash-a', T0 + 90_000);
      expect(await store.sessions.session('hash-a')).toMatchObject({
        createdAt: T0,
        lastSeenAt: T0 + 90_000,
      });
      await store.sessions.endSession('hash-a');
      expect(await other.sessions.session('hash-a')).toBeUndefined();
      expect(await store.sessions.session('unknown')).toBeUndefined();
    });

    it('ends sessions idle or old past their limits, and keeps at most the newest N', async () => {
      const { store } = await fresh();
      await store.sessions.saveSession('old', session('a', T0), 100);
      await store.sessions.saveSession('idle', { ...session('b', T0 + 1_000), lastSeenAt: T0 + 1_000 }, 100);
      await store.sessions.saveSession('live', { ...session('c', T0 + 2_000), lastSeenAt: T0 + 60_000 }, 100);
      // Idle since before T0 + 30 s, or created before T0 + 500 ms.
      expect(await store.sessions.endExpiredSessions(T0 + 30_000, T0 + 500)).toBe(2);
      expect(await store.sessions.session('live')).toBeDefined();
      for (let n = 1; n <= 3; n++)
        await store.sessions.saveSession(`new-${n}`, session('d', T0 + 2_000 + n), 3);
      expect(await store.sessions.session('live')).toBeUndefined();
      for (let n = 1; n <= 3; n++) expect(await store.sessions.session(`new-${n}`)).toBeDefined();
    });
  });
}
