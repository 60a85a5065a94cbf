// A message stored but not queued (RabbitMQ restarting) is answered 503 "try again later"; the
// PAS's retry with the same Message-Id must be accepted, not refused 409 "accepted before", or a
// PAS trusting that believes it sent while it sits FAILED and unsent (found by the soak).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapPayload } from '../../../src/hl7/index.js';
import { NotAcceptedError, type OutboundSubmission } from '../../../src/outbound/index.js';
import { BrokerUnavailableError } from '../../../src/queue/index.js';
import { DuplicateMessageError, SqliteMessageStore } from '../../../src/store/index.js';
import { FakeBroker } from '../../support/fake-broker.js';
import { unsignedSubmission } from '../../support/submission.js';

describe('a message the gateway could not queue', () => {
  let dir: string;
  let store: SqliteMessageStore;
  let submission: OutboundSubmission;
  const broker = new FakeBroker();
  const published = () => broker.published.map((p) => p.properties.messageId);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mhs-resubmit-'));
    store = new SqliteMessageStore(join(dir, 'state.db'));
    submission = unsignedSubmission(store, broker);
  });

  afterAll(() => {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is accepted and queued when the PAS retries with the same Message-Id; after that it is a duplicate', async () => {
    const messageId = randomUUID().toUpperCase();
    const interactionId = 'REPC_IN150016UK05';
    const request = {
      interactionId,
      messageId,
      payloadXml: wrapPayload(
        {
          interactionId,
          messageId,
          creationTime: new Date(),
          toAsid: '928942012545',
          fromAsid: '918999198738',
        },
        undefined,
      ),
    };

    // A broker restarting refuses one publish, then confirms.
    broker.failNextPublishes(1, () => new BrokerUnavailableError('RabbitMQ is not connected'));
    await expect(submission.submit(request)).rejects.toBeInstanceOf(NotAcceptedError);
    expect((await store.get(messageId))?.status).toBe('FAILED');

    await expect(submission.submit(request)).resolves.toMatchObject({ messageId, status: 'ACCEPTED' });
    expect((await store.get(messageId))?.status).toBe('ACCEPTED');
    expect(published()).toEqual([messageId]);

    await expect(submission.submit(request)).rejects.toBeInstanceOf(DuplicateMessageError);
    expect(published()).toEqual([messageId]);
  });
});
