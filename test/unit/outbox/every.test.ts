import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { every } from '../../../src/outbox/index.js';

describe('every', () => {
  it('runs a first pass at once when asked, then once per interval', async () => {
    let passes = 0;
    const task = every(
      10,
      async () => {
        passes += 1;
      },
      { runNow: true, onError: () => undefined },
    );
    expect(passes).toBe(1);
    await sleep(80);
    await task.stop();
    const stoppedAt = passes;
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    await sleep(50);
    expect(passes).toBe(stoppedAt);
  });

  it('never runs two passes at once, and stop waits for the one running', async () => {
    let running = 0;
    let most = 0;
    let finished = 0;
    const task = every(
      5,
      async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(40);
        running -= 1;
        finished += 1;
      },
      { runNow: true, onError: () => undefined },
    );
    await sleep(30);
    await task.stop();
    expect(most).toBe(1);
    expect(running).toBe(0);
    expect(finished).toBeGreaterThanOrEqual(1);
  });

  it('reports a failed pass and tries again at the next tick', async () => {
    const errors: string[] = [];
    let passes = 0;
    const task = every(
      10,
      async () => {
        passes += 1;
        if (passes === 1) throw new Error('database locked');
      },
      { runNow: true, onError: (error) => errors.push(error.message) },
    );
    await sleep(80);
    await task.stop();
    expect(errors).toEqual(['database locked']);
    expect(passes).toBeGreaterThan(1);
  });
});
