import { describe, expect, it } from 'vitest';
import { Waiters } from '../../../src/correlation/index.js';
import { parseWakeUp, publishWakeUp, wakeUpKey } from '../../../src/queue/index.js';
import { FakeBroker } from '../../support/fake-broker.js';

describe('the wake-up event', () => {
  it('is keyed by the message and carries the state that ended the wait', async () => {
    const broker = new FakeBroker();
    await publishWakeUp(broker, 'M-1', 'COMPLETED');
    expect(broker.events.map((e) => [e.routingKey, e.body.toString('utf8')])).toEqual([
      ['message.M-1', 'COMPLETED'],
    ]);
    expect(wakeUpKey('M-1')).toBe('message.M-1');
    expect(parseWakeUp('message.M-1', Buffer.from('NACKED'))).toEqual({ messageId: 'M-1', status: 'NACKED' });
  });

  it('is told apart from other events', () => {
    expect(parseWakeUp('referral.M-1', Buffer.from('x'))).toBeUndefined();
    expect(parseWakeUp('message.', Buffer.from('x'))).toBeUndefined();
  });

  it('never fails its publisher: a lost wake-up only delays an answer', async () => {
    const bus = {
      publishEvent: async () => {
        throw new Error('RabbitMQ is not connected');
      },
    };
    await expect(publishWakeUp(bus, 'M-1', 'FAILED')).resolves.toBeUndefined();
  });
});

describe('Waiters', () => {
  it('wakes the caller waiting on the message a wake-up names, and no other', async () => {
    const broker = new FakeBroker();
    const waiters = new Waiters(broker);
    const done = new Set<string>();
    const waiting = (id: string) => waiters.waitFor(id, async () => done.has(id), 1_500);
    const first = waiting('M-1');
    const second = waiting('M-2');
    done.add('M-1');
    done.add('M-2');
    await new Promise((resolve) => setImmediate(resolve)); // both are held now (each looked once)
    await publishWakeUp(broker, 'M-1', 'COMPLETED');
    expect(await first).toBe(true);
    // M-2 is done too, but nothing woke it: it waits for its own event (or the slow poll).
    const settled = await Promise.race([
      second,
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 50)),
    ]);
    expect(settled).toBe('waiting');
    await publishWakeUp(broker, 'M-2', 'COMPLETED');
    expect(await second).toBe(true);
  });

  it('gives up with false after its timeout', async () => {
    const waiters = new Waiters(new FakeBroker());
    expect(await waiters.waitFor('M-3', async () => false, 30)).toBe(false);
  });
});
