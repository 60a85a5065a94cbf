import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectProxy, startConnectProxy } from '../support/connect-proxy.js';
import { answerSlotPoll, type Harness, startHarness, waitForStatus } from './harness.js';

const credentials = `Basic ${Buffer.from('mhs-site:proxy-pw').toString('base64')}`;

/** A site whose outbound traffic must go through an HTTP proxy (outbound.proxy). */
describe('gateway behind an outbound HTTP CONNECT proxy', () => {
  let proxy: ConnectProxy;
  let h: Harness;
  beforeAll(async () => {
    proxy = await startConnectProxy({ requireAuthorization: credentials });
    h = await startHarness({
      env: { MHS_OUTBOUND_PROXY_URL: proxy.url.replace('http://', 'http://mhs-site:proxy-pw@') },
    });
  });
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
  });

  it('sends a slot response to Spine through the tunnel, with its client certificate, and completes', async () => {
    // The simulator (e-RS) calls the gateway directly; only the gateway's outbound side is proxied.
    const { answer } = await answerSlotPoll(h, 'CLINIC-ORTHO-7');
    expect(answer.status).toBe(202);
    const done = await waitForStatus(h.api, answer.body.messageId as string, 'COMPLETED');
    expect((done.history as { status: string }[]).map((e) => e.status)).toEqual([
      'ACCEPTED',
      'SENDING',
      'SENT',
      'ACKED',
      'COMPLETED',
    ]);
    // Every tunnel went to the simulated Spine, authenticated; nothing was sent through in the clear.
    const spine = `localhost:${h.config.simulator.port}`;
    expect(proxy.targets.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.targets)).toEqual(new Set([spine]));
    expect(new Set(proxy.authorizations)).toEqual(new Set([credentials]));
    expect(proxy.plainRequests).toEqual([]);
    // Spine received the response it acknowledged: it arrived intact through the proxy.
    const received = (await (await fetch(`${h.control}/control/messages`)).json()) as {
      messages: { interactionId?: string; messageId?: string }[];
    };
    expect(received.messages.some((m) => m.messageId === answer.body.messageId)).toBe(true);
  });
});
