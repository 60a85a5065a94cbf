import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  DuplicateMessageError,
  openStore,
  SqliteMessageStore,
  ThreadedSqliteStore,
} from '../../../src/store/index.js';
import { messageStoreContract, type OpenFreshStore } from './contract.js';
import { referralStoreContract } from './referral-contract.js';
import { sessionStoreContract } from './session-contract.js';

function openTemp(): SqliteMessageStore {
  return new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-store-')), 'state.db'));
}

const base = {
  direction: 'outbound' as const,
  interactionId: 'PRSC_IN090000UK09',
  conversationId: 'C1',
  status: 'ACCEPTED' as const,
};

/** A fresh file, opened in this thread. */
const inProcess: OpenFreshStore = async (clock) => {
  const path = join(mkdtempSync(join(tmpdir(), 'mhs-store-')), 'state.db');
  return {
    store: new SqliteMessageStore(path, clock),
    another: async (otherClock) => new SqliteMessageStore(path, otherClock),
  };
};

/** The gateway's store: the same file behind a thread of its own; every promise holds as above. */
const threaded: OpenFreshStore = async (clock) => {
  const path = join(mkdtempSync(join(tmpdir(), 'mhs-store-')), 'state.db');
  return {
    store: await ThreadedSqliteStore.open(path, clock),
    another: async (otherClock) => ThreadedSqliteStore.open(path, otherClock),
  };
};

for (const [name, openFresh] of [
  ['SqliteMessageStore', inProcess],
  ['ThreadedSqliteStore', threaded],
] as const) {
  messageStoreContract(name, openFresh);
  referralStoreContract(name, openFresh);
  sessionStoreContract(name, openFresh);
}

describe('openStore', () => {
  it('opens sqlite: settings and refuses other schemes without echoing a password', async () => {
    const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'mhs-store-')), 'state.db')}`);
    expect(store).toBeInstanceOf(SqliteMessageStore);
    await store.checkWritable();
    await store.close();
    const refused = openStore('mysql://admin:s3cret@db/mhs');
    await expect(refused).rejects.toThrow(/mysql:\/\/admin:\*\*\*@db\/mhs is not supported/);
    await expect(refused).rejects.not.toThrow(/s3cret/);
  });
});

describe('SqliteMessageStore', () => {
  it('stores a message with its exact HTTP bytes and first history row', async () => {
    const store = openTemp();
    const body = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]);
    await store.insert({
      ...base,
      messageId: 'M1',
      http: { contentType: 'multipart/related', soapAction: 'a/b', body },
      data: { x: 1 },
    });
    const stored = await store.get('M1');
    expect(stored?.http?.body.equals(body)).toBe(true);
    expect(stored?.data).toEqual({ x: 1 });
    expect(stored?.status).toBe('ACCEPTED');
    expect((await store.history('M1')).map((h) => h.status)).toEqual(['ACCEPTED']);
    await store.close();
  });

  it('refuses a second insert of the same message id', async () => {
    const store = openTemp();
    await store.insert({ ...base, messageId: 'M1' });
    await expect(store.insert({ ...base, messageId: 'M1' })).rejects.toBeInstanceOf(DuplicateMessageError);
    expect(await store.history('M1')).toHaveLength(1);
    await store.close();
  });

  it('moves state only from the allowed states, recording history', async () => {
    const store = openTemp();
    await store.insert({ ...base, messageId: 'M1', status: 'SENDING' });
    expect(await store.transition('M1', 'SENT', { from: ['SENDING'], detail: 'HTTP 202' })).toBe(true);
    expect(await store.transition('M1', 'SENT', { from: ['SENDING'] })).toBe(false);
    expect(await store.transition('M1', 'ACKED', { patch: { reply: { ok: true }, attempts: 1 } })).toBe(true);
    expect(await store.transition('missing', 'ACKED')).toBe(false);
    const stored = await store.get('M1');
    expect(stored).toMatchObject({ status: 'ACKED', attempts: 1, reply: { ok: true } });
    expect(await store.history('M1')).toMatchObject([
      { status: 'SENDING' },
      { status: 'SENT', detail: 'HTTP 202' },
      { status: 'ACKED' },
    ]);
    await store.close();
  });

  it('adds the dead-letter columns to a file from an earlier release, keeping its messages', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mhs-store-')), 'state.db');
    // The first release's messages table, with one FAILED message in it.
    const old = new Database(path);
    old.exec(`CREATE TABLE messages (
      message_id TEXT PRIMARY KEY, direction TEXT NOT NULL, interaction_id TEXT NOT NULL,
      conversation_id TEXT NOT NULL, ref_to_message_id TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, route_json TEXT,
      http_content_type TEXT, http_soap_action TEXT, http_body BLOB, data_json TEXT, hl7 TEXT, reply_json TEXT,
      ack_content_type TEXT, ack_soap_action TEXT, ack_body BLOB, error_json TEXT, reply_delivered_at TEXT)`);
    old
      .prepare(
        `INSERT INTO messages (message_id, direction, interaction_id, conversation_id, status, created_at, updated_at)
         VALUES ('OLD', 'outbound', 'I', 'C', 'FAILED', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')`,
      )
      .run();
    old.close();
    const store = new SqliteMessageStore(path);
    expect((await store.deadLetters({})).map((m) => m.messageId)).toEqual(['OLD']);
    expect((await store.deadLetters({}))[0]?.failedAt).toBe('2024-01-01T00:00:00.000Z');
    expect(await store.resolve('OLD', { kind: 'discarded' }, 'discarded')).toBe(true);
    await store.close();
    // Opening again finds the columns there and changes nothing.
    const again = new SqliteMessageStore(path);
    expect((await again.get('OLD'))?.resolution).toBe('discarded');
    await again.close();
  });

  it('keeps state across reopening the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mhs-store-')), 'state.db');
    const first = new SqliteMessageStore(path);
    await first.insert({ ...base, messageId: 'M1' });
    await first.update('M1', {
      ack: { contentType: 'text/xml', soapAction: 's', body: Buffer.from('<ack/>') },
    });
    await first.close();
    const second = new SqliteMessageStore(path);
    expect((await second.get('M1'))?.ack?.body.toString()).toBe('<ack/>');
    await second.checkWritable();
    await second.close();
  });
});
