import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { wrapPayload } from '../../src/hl7/index.js';
import { freePort } from '../support/ports.js';
import {
  getJson,
  type Harness,
  postJson,
  putFaults,
  simulatorMessages,
  startHarness,
  waitForStatus,
} from './harness.js';

const INTERACTION = 'REPC_IN150016UK05';
const bin = join(packageRoot, 'bin', 'mhs-gateway.js');

/** Sends one REPC message that Spine faults on every attempt, and waits until the gateway gives up. */
async function deadLetter(h: Harness, attempts: number): Promise<string> {
  await putFaults(h, { soapFault: { codes: ['200'], times: attempts } });
  const messageId = await send(h);
  await waitForStatus(h.api, messageId, 'FAILED');
  // Spine is healthy again: whatever is sent next succeeds.
  await putFaults(h, { soapFault: { codes: [], times: 0 } });
  return messageId;
}

async function send(h: Harness): Promise<string> {
  const messageId = randomUUID().toUpperCase();
  const payload = wrapPayload(
    {
      interactionId: INTERACTION,
      messageId,
      creationTime: new Date(),
      toAsid: '928942012545',
      fromAsid: h.config.asid,
    },
    undefined,
  );
  const response = await postJson(
    `${h.api}/`,
    { payload },
    { 'Interaction-Id': INTERACTION, 'wait-for-response': 'false', 'Message-Id': messageId },
  );
  expect(response.status).toBe(202);
  return messageId;
}

async function deadLetterIds(h: Harness): Promise<string[]> {
  const { status, body } = await getJson(`${h.api}/dead-letters`);
  expect(status).toBe(200);
  return (body.deadLetters as { messageId: string }[]).map((d) => d.messageId);
}

const post = (h: Harness, path: string, body?: unknown) =>
  body === undefined
    ? fetch(`${h.api}${path}`, { method: 'POST' }).then(async (response) => ({
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: (await response.json()) as Record<string, unknown>,
      }))
    : postJson(`${h.api}${path}`, body).then((response) => ({
        ...response,
        contentType: response.headers.get('content-type'),
      }));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `mhs-gateway …` as an operator runs it beside the gateway: same store, RabbitMQ, routes and certificates. */
function cli(h: Harness, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: h.dir,
    env: {
      PATH: process.env.PATH,
      MHS_DATA_DIR: h.dir,
      MHS_STORE: h.config.store,
      MHS_AMQP_URL: h.config.amqp.url,
      MHS_TLS_CERT: h.config.tls.cert,
      MHS_TLS_KEY: h.config.tls.key,
      MHS_TLS_CA: h.config.tls.ca,
      MHS_ROUTES_FILE: h.config.routesFile,
      MHS_INTERACTIONS_FILE: h.config.interactionsFile,
      MHS_LOGGING_LEVEL: 'silent',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

// No retries, a 30 s RetryInterval: a message fails at its first fault, and its MessageId may be
// resent for 30 s after (RetryInterval × (Retries + 1)). An operator's replay, even a command line
// started on a loaded machine, is then well inside the window; with a 3 s window it once was not.
describe('dead letters replayed with the same MessageId, and discarded', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      routes: (routes) => {
        routes.defaults.sign = true;
        routes.routes[INTERACTION]!.reliability = { retryInterval: 'PT30S', retries: 0 };
      },
    });
  });
  afterAll(() => h?.close());

  it('lists a failed message and replays it: the same MessageId is sent again and completes', async () => {
    const messageId = await deadLetter(h, 1);
    const { body } = await getJson(`${h.api}/dead-letters`);
    expect(body.deadLetters).toEqual([
      {
        messageId,
        conversationId: expect.any(String),
        interactionId: INTERACTION,
        status: 'FAILED',
        createdAt: expect.any(String),
        failedAt: expect.any(String),
        reason: expect.stringMatching(/^retries exhausted after 1 attempts: .*200/),
        attempts: 1,
      },
    ]);
    expect(body).not.toHaveProperty('next');
    const replay = await post(h, `/dead-letters/${messageId}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ messageId, replayOf: messageId, sameMessageId: true });
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    expect((done.history as { status: string; detail?: string }[]).map((e) => e.status)).toEqual([
      'ACCEPTED',
      'SENDING',
      'FAILED',
      'RETRYING',
      'SENDING',
      'ACKED',
      'COMPLETED',
    ]);
    const copies = (await simulatorMessages(h)).filter((m) => m.messageId === messageId);
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((m) => m.hl7)).size).toBe(1);
    expect(await deadLetterIds(h)).toEqual([]);
  });

  it('replays once when two operators replay the same dead letter together', async () => {
    const messageId = await deadLetter(h, 1);
    const both = await Promise.all([
      post(h, `/dead-letters/${messageId}/replay`),
      post(h, `/dead-letters/${messageId}/replay`),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
    const refused = both.find((r) => r.status === 409)!;
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ title: 'Not a dead letter', status: 409 });
    await waitForStatus(h.api, messageId, 'COMPLETED');
    const copies = (await simulatorMessages(h)).filter((m) => m.messageId === messageId);
    expect(copies).toHaveLength(2);
  });

  it('discards a dead letter: it leaves the list, keeps its reason, and cannot be replayed', async () => {
    const messageId = await deadLetter(h, 1);
    expect(await deadLetterIds(h)).toEqual([messageId]);
    const discarded = await post(h, `/dead-letters/${messageId}/discard`, { reason: 'sent by fax instead' });
    expect(discarded.status).toBe(200);
    expect(discarded.body).toEqual({ messageId, resolution: 'discarded' });
    expect(await deadLetterIds(h)).toEqual([]);
    const message = (await getJson(`${h.api}/messages/${messageId}`)).body;
    expect(message).toMatchObject({ status: 'FAILED', resolution: 'discarded' });
    expect((message.history as { detail?: string }[]).at(-1)?.detail).toBe(
      'discarded by operator: sent by fax instead',
    );
    const again = await post(h, `/dead-letters/${messageId}/replay`);
    expect(again.status).toBe(409);
    expect(again.body.state).toBe('FAILED, already discarded');
  });

  it('answers 404 for an unknown message, 409 naming the state of one that is not a dead letter', async () => {
    const unknown = await post(h, '/dead-letters/NO-SUCH-MESSAGE/discard');
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/^application\/problem\+json/);
    const completed = await send(h);
    await waitForStatus(h.api, completed, 'COMPLETED');
    const notDead = await post(h, `/dead-letters/${completed}/replay`);
    expect(notDead.status).toBe(409);
    expect(notDead.body).toMatchObject({
      state: 'COMPLETED',
      detail: expect.stringContaining('it is COMPLETED'),
    });
    const badLimit = await getJson(`${h.api}/dead-letters?limit=0`);
    expect(badLimit.status).toBe(400);
    const badCursor = await getJson(`${h.api}/dead-letters?before=yesterday`);
    expect(badCursor.status).toBe(400);
  });

  it('does the same from the command line: dlq replay, list, discard', async () => {
    // Replayed straight away, well inside its resend window.
    const first = await deadLetter(h, 1);
    const replayed = await cli(h, ['dlq', 'replay', first, '--json']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(JSON.parse(replayed.stdout)).toEqual({ messageId: first, replayOf: first, sameMessageId: true });
    const done = await waitForStatus(h.api, first, 'COMPLETED');
    expect(
      (done.history as { detail?: string }[]).find((e) => e.detail?.startsWith('replayed'))?.detail,
    ).toMatch(/^replayed by operator \S+ \(command line\) with the same MessageId$/);

    const second = await deadLetter(h, 1);
    const listed = await cli(h, ['dlq', 'list', '--json', '--limit', '10']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      deadLetters: [expect.objectContaining({ messageId: second, interactionId: INTERACTION, attempts: 1 })],
    });
    const table = await cli(h, ['dlq', 'list']);
    expect(table.stdout).toMatch(/^MESSAGE ID +INTERACTION +FAILED AT +ATTEMPTS +REASON\n/);
    expect(table.stdout).toContain(`${second}  ${INTERACTION}`);
    const discarded = await cli(h, ['dlq', 'discard', second, '--reason', 'duplicate of a phone call']);
    expect(discarded).toMatchObject({ code: 0, stdout: `discarded ${second} (duplicate of a phone call)\n` });
    expect(await cli(h, ['dlq', 'list'])).toMatchObject({ code: 0, stdout: 'no dead letters\n' });

    expect(await cli(h, ['dlq', 'replay', 'NO-SUCH-MESSAGE'])).toMatchObject({
      code: 1,
      stderr: 'replaying NO-SUCH-MESSAGE …\nmhs-gateway: no message NO-SUCH-MESSAGE\n',
    });
    expect(await cli(h, ['dlq', 'discard', first])).toMatchObject({
      code: 1,
      stderr: `mhs-gateway: message ${first} is not a dead letter: it is COMPLETED\n`,
    });
    expect(await cli(h, ['dlq', 'replay'])).toMatchObject({
      code: 1,
      stderr: 'mhs-gateway: dlq replay needs exactly one message ID\n',
    });
    const port = await freePort();
    const unreachable = await cli(h, ['dlq', 'list'], {
      MHS_STORE: `postgres://mhs:pw@127.0.0.1:${port}/mhs`,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      new RegExp(`^mhs-gateway: cannot open PostgreSQL store at 127\\.0\\.0\\.1:${port}/mhs: [^\\n]+\\n$`),
    );
    expect(unreachable.stderr).not.toContain(':pw@');
    const missing = await cli(h, ['dlq', 'list'], {
      MHS_STORE: `sqlite:${join(h.dir, 'elsewhere', 'state.db')}`,
    });
    expect(missing).toMatchObject({
      code: 1,
      stderr: `mhs-gateway: no store at ${join(h.dir, 'elsewhere', 'state.db')}: check MHS_STORE or --config (the gateway creates it)\n`,
    });
  }, 60_000);
});

// PersistDuration 0.5 s: by the time an operator looks, resending the same MessageId could deliver twice.
describe('dead letters replayed after the persist duration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      routes: (routes) => {
        routes.defaults.sign = true;
        routes.routes[INTERACTION]!.reliability = { retryInterval: 'PT0.2S', persistDuration: 'PT0.5S' };
      },
    });
  });
  afterAll(() => h?.close());

  it('sends a new message with a new MessageId in the same conversation; the old one says so', async () => {
    const old = await deadLetter(h, 3);
    await sleep(600);
    const results = await Promise.all([
      post(h, `/dead-letters/${old}/replay`),
      post(h, `/dead-letters/${old}/replay`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([202, 409]);
    const replay = results.find((r) => r.status === 202)!;
    const newId = replay.body.messageId as string;
    expect(replay.body).toEqual({ messageId: newId, replayOf: old, sameMessageId: false });
    expect(newId).not.toBe(old);
    // Completed means e-RS's application acknowledgement named the new message's HL7 wrapper id.
    const done = await waitForStatus(h.api, newId, 'COMPLETED');
    const oldMessage = (await getJson(`${h.api}/messages/${old}`)).body;
    expect(oldMessage).toMatchObject({ status: 'FAILED', resolution: 'replayed', replayedAs: newId });
    expect(done.conversationId).toBe(oldMessage.conversationId);
    const sent = (await simulatorMessages(h)).filter((m) => m.messageId === newId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ signature: { present: true, valid: true } });
    expect(await deadLetterIds(h)).toEqual([]);
  });

  it('replays as a new, signed message from the command line too', async () => {
    const old = await deadLetter(h, 3);
    await sleep(600);
    const replayed = await cli(h, ['dlq', 'replay', old]);
    expect(replayed.code, replayed.stderr).toBe(0);
    const newId = /as new message (\S+) /.exec(replayed.stdout)?.[1] as string;
    expect(replayed.stdout).toBe(
      `replayed ${old} as new message ${newId} (too late to resend the same MessageId); ${old} is marked replayed\n`,
    );
    await waitForStatus(h.api, newId, 'COMPLETED');
    const sent = (await simulatorMessages(h)).find((m) => m.messageId === newId);
    expect(sent).toMatchObject({ signature: { present: true, valid: true } });
  });
});
