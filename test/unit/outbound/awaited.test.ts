// Wake-ups are published only for messages a caller may be waiting on (issue 16: a CAB JSON
// message is never waited on, so its moves publish nothing on mhs.events).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapPayload } from '../../../src/hl7/index.js';
import { mayBeAwaited, type OutboundSubmission } from '../../../src/outbound/index.js';
import { SqliteMessageStore } from '../../../src/store/index.js';
import { FakeBroker } from '../../support/fake-broker.js';
import { unsignedSubmission } from '../../support/submission.js';

describe('whether a message may be awaited', () => {
  let dir: string;
  let store: SqliteMessageStore;
  let submission: OutboundSubmission;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-awaited-'));
    store = new SqliteMessageStore(join(dir, 'state.db'));
    submission = unsignedSubmission(store, new FakeBroker());
  });

  afterAll(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = async (awaited?: boolean) => {
    const messageId = randomUUID().toUpperCase();
    const interactionId = 'REPC_IN150016UK05';
    const payloadXml = wrapPayload(
      {
        interactionId,
        messageId,
        creationTime: new Date(),
        toAsid: '928942012545',
        fromAsid: '918999198738',
      },
      undefined,
    );
    await submission.submit({
      interactionId,
      messageId,
      payloadXml,
      ...(awaited === undefined ? {} : { awaited }),
    });
    return (await store.get(messageId))!;
  };

  it('keeps whether a caller waits in the route snapshot; by default no one does', async () => {
    const waited = await submit(true);
    expect(waited.route).toMatchObject({ awaited: true });
    expect(mayBeAwaited(waited)).toBe(true);
    for (const unwaited of [await submit(false), await submit()]) {
      expect(unwaited.route).toMatchObject({ awaited: false });
      expect(mayBeAwaited(unwaited)).toBe(false);
    }
  });

  it('takes a row from before the flag as awaited, so no waiter is ever left to its poll', () => {
    expect(mayBeAwaited({ route: { endpoint: 'https://spine.example/' } })).toBe(true);
    expect(mayBeAwaited({})).toBe(true);
  });
});
