import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../src/queue/index.js';
import { loadRouteTable } from '../../src/routing/index.js';
import { slotPollMessage } from '../../src/simulator/index.js';
import {
  answerSlotPoll,
  eventually,
  type Harness,
  sendInbound,
  startHarness,
  waitForStatus,
} from './harness.js';

/** The samples of a Prometheus text exposition: name, labels, value. */
function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Issue 7: the Prometheus metrics of a running gateway while messages flow through it. */
describe('GET /metrics while messages flow', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  async function scrape() {
    const response = await fetch(`${h.api}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(await response.text());
    return (name: string, labels: Record<string, string> = {}) =>
      samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
  }

  it('counts messages, outcomes, latency and duplicates, and reports queues, store and certificate', async () => {
    const initial = await scrape();
    expect(initial('mhs_messages_total')).toBe(0);

    // e-RS polls, the PAS answers, e-RS acknowledges: one inbound and one outbound message.
    const { answer } = await answerSlotPoll(h, 'CLINIC-METRICS');
    expect(answer.status).toBe(202);
    await waitForStatus(h.api, answer.body.messageId as string, 'COMPLETED');

    // The same inbound message twice: the second is a duplicate, answered with the first ack.
    const context = {
      parties: {
        partyKey: h.config.simulator.partyKey,
        asid: h.config.simulator.asid,
        gatewayPartyKey: h.config.partyKey,
        gatewayAsid: h.config.asid,
      },
      routes: loadRouteTable(h.config.interactionsFile, h.config.routesFile),
      now: new Date(),
      newId: () => randomUUID().toUpperCase(),
    };
    const message = slotPollMessage(
      context,
      {
        requestId: randomUUID().toUpperCase(),
        clinicId: 'CLINIC-DUP',
        period: { start: '2026-12-01T00:00:00.000Z', end: '2026-12-08T00:00:00.000Z' },
      },
      { messageId: randomUUID().toUpperCase(), conversationId: randomUUID().toUpperCase() },
    );
    const first = await sendInbound(h, message);
    const second = await sendInbound(h, message);
    expect(second.status).toBe(200);
    expect(second.body.equals(first.body)).toBe(true);

    const counted = await scrape();
    const outbound = { direction: 'outbound', interaction: 'PRSC_IN090000UK09' };
    expect(counted('mhs_messages_total', outbound)).toBe(1);
    expect(counted('mhs_messages_total', { direction: 'inbound', interaction: 'PRSC_IN080000UK07' })).toBe(2);
    expect(
      counted('mhs_message_transitions_total', { interaction: 'PRSC_IN090000UK09', state: 'COMPLETED' }),
    ).toBe(1);
    expect(
      counted('mhs_message_transitions_total', { interaction: 'PRSC_IN080000UK07', state: 'DELIVERED' }),
    ).toBe(2);
    expect(counted('mhs_accepted_to_completed_seconds_count', { interaction: 'PRSC_IN090000UK09' })).toBe(1);
    expect(
      counted('mhs_accepted_to_completed_seconds_sum', { interaction: 'PRSC_IN090000UK09' }),
    ).toBeGreaterThan(0);
    expect(counted('mhs_accepted_to_acknowledged_seconds_count', { interaction: 'PRSC_IN090000UK09' })).toBe(
      1,
    );
    expect(counted('mhs_duplicates_eliminated_total')).toBe(1);
    // Gauges read the store on scrape, at most every 2 s: the first scrape's reading may still be served.
    const fresh = await eventually(async () => {
      const now = await scrape();
      return now('mhs_messages_by_state', { interaction: 'PRSC_IN090000UK09', state: 'COMPLETED' }) === 1
        ? now
        : undefined;
    }, 5_000);
    expect(fresh, 'mhs_messages_by_state never showed the completed message').toBeDefined();
    expect(fresh!('mhs_messages_by_state', { interaction: 'PRSC_IN080000UK07', state: 'DELIVERED' })).toBe(2);
    expect(counted('mhs_retries_total')).toBe(0);
    expect(counted('mhs_dead_letters_total')).toBe(0);

    // Read on scrape: every mhs.* queue, with this gateway's consumers on its work queues.
    expect(counted('mhs_rabbitmq_connected')).toBe(1);
    expect(counted('mhs_queue_consumers', { queue: QUEUES.outbound })).toBeGreaterThanOrEqual(1);
    expect(counted('mhs_queue_consumers', { queue: QUEUES.signals })).toBeGreaterThanOrEqual(1);
    expect(counted('mhs_store_size_bytes')).toBeGreaterThan(0);
    // The development certificate is fresh: valid for days, not expired.
    expect(counted('mhs_certificate_expiry_seconds')).toBeGreaterThan(86_400);
    expect(counted('mhs_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('shows every mhs.* queue by name', async () => {
    const text = await (await fetch(`${h.api}/metrics`)).text();
    for (const queue of Object.values(QUEUES)) expect(text).toContain(`mhs_queue_messages{queue="${queue}"}`);
  });
});
