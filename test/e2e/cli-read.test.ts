// `mhs-gateway read`: what a newcomer without a PAS uses to see mhs.inbound, on a real RabbitMQ.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { Broker, type PasMessage, publishToPas, QUEUES } from '../../src/queue/index.js';
import { createTestVhost, type TestVhost } from '../support/rabbitmq.js';
import { quietLogger } from './harness.js';

const bin = join(packageRoot, 'bin', 'mhs-gateway.js');

describe('mhs-gateway read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mhs-cli-read-'));
  let vhost: TestVhost;
  let broker: Broker;

  beforeAll(async () => {
    vhost = createTestVhost();
    broker = new Broker(vhost.url, { instanceId: 'cli-read-test', logger: quietLogger });
    await broker.start();
  });
  afterAll(async () => {
    await broker?.close();
    vhost?.remove();
  });

  const read = (...args: string[]) =>
    spawnSync(process.execPath, [bin, 'read', ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, MHS_AMQP_URL: vhost.url, MHS_LOGGING_LEVEL: 'silent' },
    });
  const request = (messageId: string): PasMessage => ({
    kind: 'request',
    interactionId: 'PRSC_IN080000UK07',
    messageId,
    conversationId: `C-${messageId}`,
    receivedAt: '2026-12-04T10:00:00.000Z',
    data: { clinicId: 'CLINIC-ORTHO-7' },
    hl7: '<PRSC_IN080000UK07 xmlns="urn:hl7-org:v3"/>',
    attachments: [],
  });

  it('shows what waits for the PAS, oldest first, and leaves it there, in order', async () => {
    await publishToPas(broker, request('M-1'));
    await publishToPas(broker, request('M-2'));
    // Once stopping at the count, once when nothing more comes.
    for (const until of [
      ['--count', '2'],
      ['--wait', '1'],
    ]) {
      const shown = read('--json', ...until);
      expect(shown.status).toBe(0);
      expect(
        shown.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([request('M-1'), request('M-2')]);
      expect((await broker.queueDepth(QUEUES.inbound)).messages).toBe(2);
    }
  });

  it('with --take, acknowledges each message it prints, as a PAS does, so it leaves the queue', async () => {
    const first = read('--take', '--count', '1', '--json');
    expect(first.status).toBe(0);
    expect(
      first.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([request('M-1')]);
    expect((await broker.queueDepth(QUEUES.inbound)).messages).toBe(1);

    const rest = read('--take', '--count', '1');
    expect(rest.status).toBe(0);
    expect(JSON.parse(rest.stdout)).toEqual(request('M-2'));
    expect(rest.stdout).toContain('\n  "kind": "request",'); // pretty without --json
    expect((await broker.queueDepth(QUEUES.inbound)).messages).toBe(0);

    const empty = read('--wait', '1');
    expect(empty.status).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe('mhs.inbound is empty\n');
  });

  it('reads only the queues a PAS reads, and shows at most 100 without taking them, in one line', () => {
    const refused = read(QUEUES.signals);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      'mhs-gateway: read takes a queue the PAS reads (mhs.inbound, mhs.referrals), not "mhs.signals"\n',
    );
    const tooMany = read('--count', '101');
    expect(tooMany.status).toBe(1);
    expect(tooMany.stderr).toBe('mhs-gateway: read shows at most 100 messages without --take\n');
  });
});
