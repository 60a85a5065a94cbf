import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayMetrics, instrumentStore, OpsStateReader, type StoreEvents } from '../../../src/ops/index.js';
import { QUEUES } from '../../../src/queue/index.js';
import { type MessageStore, type NewMessage, SqliteMessageStore } from '../../../src/store/index.js';

/** A clock the test moves by hand. */
function manualClock(start = '2026-11-22T10:00:00.000Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const outbound = (messageId: string, interactionId = 'PRSC_IN090000UK09'): NewMessage => ({
  messageId,
  direction: 'outbound',
  interactionId,
  conversationId: `C-${messageId}`,
  status: 'ACCEPTED',
});

/** The value of one sample line (`name{labels} value`) in the Prometheus text, or undefined. */
async function sample(metrics: GatewayMetrics, name: string, labels: Record<string, string> = {}) {
  const json = await metrics.registry.getMetricsAsJSON();
  for (const metric of json) {
    for (const value of metric.values) {
      const metricName = (value as { metricName?: string }).metricName ?? metric.name;
      if (metricName !== name) continue;
      const actual = value.labels as Record<string, string | number>;
      if (Object.entries(labels).every(([k, v]) => String(actual[k]) === v)) return value.value;
    }
  }
  return undefined;
}

describe('instrumentStore + GatewayMetrics', () => {
  let raw: SqliteMessageStore;
  let store: MessageStore;
  let metrics: GatewayMetrics;
  let clock: ReturnType<typeof manualClock>;

  beforeEach(() => {
    clock = manualClock();
    raw = new SqliteMessageStore(join(mkdtempSync(join(tmpdir(), 'mhs-metrics-')), 'state.db'), clock.now);
    metrics = new GatewayMetrics({ processMetrics: false });
    store = instrumentStore(raw, metrics, clock.now);
  });
  afterEach(() => store.close());

  it('counts stored messages by direction and interaction', async () => {
    await store.insert(outbound('A'));
    await store.insert(outbound('B'));
    await store.insert({ ...outbound('C', 'PRSC_IN080000UK07'), direction: 'inbound', status: 'RECEIVED' });
    expect(
      await sample(metrics, 'mhs_messages_total', {
        direction: 'outbound',
        interaction: 'PRSC_IN090000UK09',
      }),
    ).toBe(2);
    expect(
      await sample(metrics, 'mhs_messages_total', { direction: 'inbound', interaction: 'PRSC_IN080000UK07' }),
    ).toBe(1);
    expect(metrics.totals()).toMatchObject({ outbound: 2, inbound: 1 });
  });

  it('counts transitions that moved, retries, and observes accepted → acknowledged → completed latency', async () => {
    await store.insert(outbound('A'));
    clock.advance(1_000);
    await store.transition('A', 'SENDING');
    await store.transition('A', 'RETRYING');
    // A transition refused by its `from` guard is not an outcome.
    expect(await store.transition('A', 'ACKED', { from: ['SENT'] })).toBe(false);
    await store.transition('A', 'SENDING');
    clock.advance(2_000);
    await store.transition('A', 'ACKED');
    clock.advance(7_000);
    await store.transition('A', 'COMPLETED');

    const moved = (state: string) =>
      sample(metrics, 'mhs_message_transitions_total', { interaction: 'PRSC_IN090000UK09', state });
    expect(await moved('SENDING')).toBe(2);
    expect(await moved('RETRYING')).toBe(1);
    expect(await moved('ACKED')).toBe(1);
    expect(await moved('COMPLETED')).toBe(1);
    expect(await sample(metrics, 'mhs_retries_total', { interaction: 'PRSC_IN090000UK09' })).toBe(1);
    expect(await sample(metrics, 'mhs_accepted_to_acknowledged_seconds_count')).toBe(1);
    expect(await sample(metrics, 'mhs_accepted_to_acknowledged_seconds_sum')).toBeCloseTo(3, 3);
    expect(await sample(metrics, 'mhs_accepted_to_completed_seconds_sum')).toBeCloseTo(10, 3);
    // 3 s falls in the 5 s bucket, not the 2.5 s one.
    expect(await sample(metrics, 'mhs_accepted_to_acknowledged_seconds_bucket', { le: '2.5' })).toBe(0);
    expect(await sample(metrics, 'mhs_accepted_to_acknowledged_seconds_bucket', { le: '5' })).toBe(1);
  });

  it('counts dead letters (FAILED) and times from the stored createdAt when the message was not seen', async () => {
    await raw.insert(outbound('OLD')); // stored before this decorator existed (another instance)
    clock.advance(60_000);
    await store.transition('OLD', 'SENDING');
    await store.transition('OLD', 'FAILED');
    expect(await sample(metrics, 'mhs_dead_letters_total', { interaction: 'PRSC_IN090000UK09' })).toBe(1);
    expect(metrics.totals().deadLetters).toBe(1);
    await raw.insert({ ...outbound('LATE'), status: 'SENT' });
    clock.advance(30_000);
    await store.transition('LATE', 'COMPLETED');
    expect(await sample(metrics, 'mhs_accepted_to_completed_seconds_sum')).toBeCloseTo(30, 3);
  });

  it('counts duplicates eliminated', async () => {
    metrics.duplicateEliminated();
    metrics.duplicateEliminated();
    expect(await sample(metrics, 'mhs_duplicates_eliminated_total')).toBe(2);
  });

  it('passes every other method through, and never fails a store call because counting failed', async () => {
    const broken: StoreEvents = {
      messageStored: () => {
        throw new Error('metrics broke');
      },
      messageMoved: () => {
        throw new Error('metrics broke');
      },
    };
    const tolerant = instrumentStore(raw, broken, clock.now);
    await tolerant.insert(outbound('X'));
    expect(await tolerant.transition('X', 'SENDING')).toBe(true);
    expect((await tolerant.history('X')).map((h) => h.status)).toEqual(['ACCEPTED', 'SENDING']);
    expect((await tolerant.search({ messageId: 'X' })).map((m) => m.status)).toEqual(['SENDING']);
  });
});

describe('state gauges, read on scrape', () => {
  const counts = [
    {
      direction: 'outbound' as const,
      interactionId: 'PRSC_IN090000UK09',
      status: 'ACKED' as const,
      count: 3,
    },
    {
      direction: 'outbound' as const,
      interactionId: 'PRSC_IN090000UK09',
      status: 'FAILED' as const,
      count: 1,
    },
  ];

  function sources(overrides: { connected?: boolean; countsFail?: boolean } = {}) {
    const calls = { queueDepth: 0, countByState: 0 };
    const clock = manualClock();
    const reader = new OpsStateReader({
      store: {
        countByState: async () => {
          calls.countByState += 1;
          if (overrides.countsFail) throw new Error('database is locked');
          return counts;
        },
        oldestInFlight: async () => ({
          messageId: 'OLDEST',
          status: 'RETRYING',
          createdAt: '2026-11-22T09:50:00.000Z',
        }),
        sizeBytes: async () => 123_456,
      },
      broker: {
        connected: overrides.connected ?? true,
        queueDepth: async (queue: string) => {
          calls.queueDepth += 1;
          return { messages: queue === 'mhs.outbound' ? 7 : 0, consumers: queue === 'mhs.inbound' ? 0 : 1 };
        },
      },
      certificate: () => ({ validTo: 'Dec 22 10:00:00 2026 GMT', subject: 'CN=gateway' }),
      clock: clock.now,
    });
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.readStateFrom(reader);
    return { metrics, calls, clock, reader };
  }

  it('reports queue depth and consumers for every mhs.* queue, counts by state, oldest age, size and expiry', async () => {
    const { metrics } = sources();
    expect(await sample(metrics, 'mhs_queue_messages', { queue: 'mhs.outbound' })).toBe(7);
    expect(await sample(metrics, 'mhs_queue_messages', { queue: 'mhs.dead-letter' })).toBe(0);
    expect(await sample(metrics, 'mhs_queue_consumers', { queue: 'mhs.inbound' })).toBe(0);
    expect(await sample(metrics, 'mhs_queue_consumers', { queue: 'mhs.signals' })).toBe(1);
    expect(
      await sample(metrics, 'mhs_messages_by_state', { interaction: 'PRSC_IN090000UK09', state: 'ACKED' }),
    ).toBe(3);
    expect(await sample(metrics, 'mhs_oldest_in_flight_seconds')).toBe(600);
    expect(await sample(metrics, 'mhs_store_size_bytes')).toBe(123_456);
    expect(await sample(metrics, 'mhs_certificate_expiry_seconds')).toBe(30 * 86_400);
    expect(await sample(metrics, 'mhs_rabbitmq_connected')).toBe(1);
  });

  it('reads RabbitMQ and the store once per 2 s however often it is scraped', async () => {
    const { metrics, calls, clock } = sources();
    await metrics.text();
    await metrics.text();
    // One depth read per mhs.* queue.
    const queues = Object.keys(QUEUES).length;
    expect(calls).toEqual({ queueDepth: queues, countByState: 1 });
    clock.advance(2_001);
    await metrics.text();
    expect(calls).toEqual({ queueDepth: 2 * queues, countByState: 2 });
  });

  it('does not wait for a disconnected broker, and one failing part leaves the others', async () => {
    const { metrics, calls, reader } = sources({ connected: false, countsFail: true });
    const text = await metrics.text();
    expect(calls.queueDepth).toBe(0);
    expect(await sample(metrics, 'mhs_rabbitmq_connected')).toBe(0);
    expect(text).not.toMatch(/^mhs_queue_messages\{/m);
    expect(await sample(metrics, 'mhs_store_size_bytes')).toBe(123_456);
    expect((await reader.read()).errors).toEqual([
      'store counts: database is locked',
      'RabbitMQ is not connected',
    ]);
  });

  it('exposes Prometheus text with help for every mhs_ metric', async () => {
    const { metrics } = sources();
    const text = await metrics.text();
    for (const name of [
      'mhs_messages_total',
      'mhs_message_transitions_total',
      'mhs_retries_total',
      'mhs_dead_letters_total',
      'mhs_duplicates_eliminated_total',
      'mhs_accepted_to_acknowledged_seconds',
      'mhs_accepted_to_completed_seconds',
      'mhs_queue_messages',
      'mhs_queue_consumers',
      'mhs_messages_by_state',
      'mhs_oldest_in_flight_seconds',
      'mhs_store_size_bytes',
      'mhs_certificate_expiry_seconds',
      'mhs_rabbitmq_connected',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    }
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('keeps two gateways apart: each has its own registry', async () => {
    const a = new GatewayMetrics({ processMetrics: false });
    const b = new GatewayMetrics({ processMetrics: false });
    a.duplicateEliminated();
    expect(await sample(a, 'mhs_duplicates_eliminated_total')).toBe(1);
    expect(await sample(b, 'mhs_duplicates_eliminated_total')).toBe(0);
  });
});
