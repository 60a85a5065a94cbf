import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wrapPayload } from '../../src/hl7/index.js';
import { Broker, encodeOutboundWork, QUEUES } from '../../src/queue/index.js';
import {
  eventually,
  getJson,
  type Harness,
  postJson,
  putFaults,
  quietLogger,
  simulatorMessages,
  startHarness,
  waitForStatus,
} from './harness.js';

/** Issue 6: nothing accepted is lost or sent twice across duplicate queue entries, deadlines and broker cuts. */
describe('reliability', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      routes: (routes) => {
        routes.routes.REPC_IN150016UK05!.reliability = {
          retryInterval: 'PT0.3S',
          retries: 5,
          persistDuration: 'PT0.5S',
        };
      },
    });
  });
  afterAll(() => h?.close());
  beforeEach(() =>
    putFaults(h, { applicationAck: 'AA', responseDelayMs: 0, soapFault: { codes: [], times: 0 } }),
  );

  const post = async (api: string, interactionId: string, headers: Record<string, string> = {}) => {
    const messageId = randomUUID().toUpperCase();
    const payload = wrapPayload(
      { interactionId, messageId, creationTime: new Date(), toAsid: '928942012545', fromAsid: h.config.asid },
      undefined,
    );
    const response = await postJson(
      `${api}/`,
      { payload },
      { 'Interaction-Id': interactionId, 'wait-for-response': 'false', 'Message-Id': messageId, ...headers },
    );
    return { messageId, response };
  };

  it('sends a message once even when its queue entry is duplicated during a slow send', async () => {
    await putFaults(h, { responseDelayMs: 700 });
    const { messageId } = await post(h.api, 'QUPC_IN160101UK05');
    const broker = new Broker(h.config.amqp.url, { instanceId: `dup-${randomUUID()}`, logger: quietLogger });
    await broker.start();
    try {
      await eventually(
        async () =>
          (await getJson(`${h.api}/messages/${messageId}`)).body.status === 'SENDING' ? true : undefined,
        5_000,
      );
      await broker.publish(QUEUES.outbound, encodeOutboundWork({ messageId }), { messageId });
    } finally {
      await broker.close();
    }
    const done = await waitForStatus(h.api, messageId, 'COMPLETED');
    expect((done.history as { status: string }[]).filter((e) => e.status === 'SENDING')).toHaveLength(1);
    expect((await simulatorMessages(h)).filter((m) => m.messageId === messageId)).toHaveLength(1);
  });

  it("fails a message whose resends would outlive the receiver's persist duration", async () => {
    await putFaults(h, { soapFault: { codes: ['200'], times: 10 } });
    const { messageId } = await post(h.api, 'REPC_IN150016UK05');
    const failed = await waitForStatus(h.api, messageId, 'FAILED');
    const history = failed.history as { at: string; status: string; detail?: string }[];
    expect(history.at(-1)?.detail).toMatch(/^deadline passed: first sent .+, resends allowed until .+$/);
    // The promise, whatever the machine's load: a resend is at least one retry interval (0.3 s)
    // after the last, and none starts after first attempt + persist duration (0.5 s). How many
    // fit (2 when idle; 1 if the second is late) depends on timing, so it is not what is asserted.
    const sends = history.filter((entry) => entry.status === 'SENDING').map((entry) => Date.parse(entry.at));
    expect(failed.attempts).toBe(sends.length);
    expect(sends.length).toBeGreaterThanOrEqual(1);
    for (const at of sends) expect(at - sends[0]!).toBeLessThanOrEqual(500);
    for (let i = 1; i < sends.length; i += 1) expect(sends[i]! - sends[i - 1]!).toBeGreaterThanOrEqual(300);
  });

  it('loses nothing and sends nothing twice when the broker connections are cut mid-flow', async () => {
    const sent: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      if (i === 4) h.vhost.cut();
      const { messageId, response } = await post(h.api, 'QUPC_IN160101UK05');
      expect(response.status).toBe(202);
      sent.push(messageId);
    }
    for (const messageId of sent) await waitForStatus(h.api, messageId, 'COMPLETED', 30_000);
    const copies = await simulatorMessages(h);
    for (const messageId of sent) expect(copies.filter((m) => m.messageId === messageId)).toHaveLength(1);
    for (const messageId of sent) {
      await h.pas.waitFor(
        (d) => d.headers.kind === 'application-ack' && d.headers.refToMessageId === messageId,
        `the reply to ${messageId}`,
        30_000,
      );
      // mhs.inbound is at-least-once: a confirm lost in the cut may bring a second copy, always under
      // the same messageId (the PAS's idempotency key). What must never happen is a reply under two ids.
      const ids = new Set(
        h.pas.received.filter((d) => d.headers.refToMessageId === messageId).map((d) => d.messageId),
      );
      expect(ids.size).toBe(1);
    }
    expect((await getJson(`${h.api}/readyz`)).status).toBe(200);
  });
});

describe('several instances share RabbitMQ and the store', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ instances: 3 });
  });
  afterAll(() => h?.close());

  it('a reply arriving at instance A completes a message and wakes the caller held by instance C', async () => {
    const [, , apiC] = h.apis as [string, string, string];
    const waits = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const messageId = randomUUID().toUpperCase();
        const payload = wrapPayload(
          {
            interactionId: 'REPC_IN150016UK05',
            messageId,
            creationTime: new Date(),
            toAsid: '928942012545',
            fromAsid: h.config.asid,
          },
          undefined,
        );
        const response = await fetch(`${apiC}/`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Interaction-Id': 'REPC_IN150016UK05',
            'wait-for-response': 'true',
            'Message-Id': messageId,
          },
          body: JSON.stringify({ payload }),
        });
        return { messageId, status: response.status, body: await response.text() };
      }),
    );
    for (const wait of waits) {
      expect(wait.status).toBe(200);
      expect(wait.body).toContain('MCCI_IN010000UK13');
    }
    // Every instance sees the same state: the store is shared.
    for (const api of h.apis)
      expect((await getJson(`${api}/messages/${waits[0]!.messageId}`)).body.status).toBe('COMPLETED');
  });
});

describe('graceful restarts while messages flow (rolling restart of two instances)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ instances: 2 });
  });
  afterAll(() => h?.close());

  it('completes every message exactly once while each instance restarts in turn', async () => {
    await putFaults(h, { responseDelayMs: 50 });
    const sent: string[] = [];
    let sending = true;
    const traffic = (async () => {
      for (let i = 0; sending || i < 10; i += 1) {
        const api = h.apis[i % 2]!;
        const messageId = randomUUID().toUpperCase();
        const payload = wrapPayload(
          {
            interactionId: 'REPC_IN150016UK05',
            messageId,
            creationTime: new Date(),
            toAsid: '928942012545',
            fromAsid: h.config.asid,
          },
          undefined,
        );
        const response = await postJson(
          `${api}/`,
          { payload },
          { 'Interaction-Id': 'REPC_IN150016UK05', 'wait-for-response': 'false', 'Message-Id': messageId },
        ).catch(() => undefined);
        // A refused connection during a restart is not an acceptance: only 202s count.
        if (response?.status === 202) sent.push(messageId);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // The timeline follows the traffic, not the clock: a loaded machine accepts fewer messages in a
    // fixed 300 ms (a run once had 8 where more than 10 were expected). Four more accepted before
    // each step, so messages are accepted before, between and after the two restarts.
    const accepted = async (more: number) => {
      const target = sent.length + more;
      expect(await eventually(() => sent.length >= target, 60_000), `${target} accepted`).toBe(true);
    };
    await accepted(4);
    await h.restart(0);
    await accepted(4);
    await h.restart(1);
    await accepted(4);
    sending = false;
    await traffic;
    expect(sent.length).toBeGreaterThanOrEqual(12);
    for (const messageId of sent) await waitForStatus(h.apis[0]!, messageId, 'COMPLETED', 30_000);
    const copies = await simulatorMessages(h);
    for (const messageId of sent) expect(copies.filter((m) => m.messageId === messageId)).toHaveLength(1);
  }, 120_000);
});
