import { describe, expect, it } from 'vitest';
import { replyDeadline } from '../../../src/outbound/index.js';

const accepted = '2026-03-01T09:00:00.000Z';
const at = (iso: string) => Date.parse(iso);

describe('replyDeadline (how long a sent message waits for Spine to answer)', () => {
  it("is acceptance plus the route's reply timeout", () => {
    const route = {
      retryIntervalMs: 60_000,
      retries: 2,
      persistDurationMs: 300_000,
      replyTimeoutMs: 600_000,
    };
    expect(replyDeadline(route, accepted)).toBe(at('2026-03-01T09:10:00.000Z'));
  });

  it('never ends before the resend window does', () => {
    // Window: min(1 min × 3, 5 min) = 3 min, longer than a 1-minute reply timeout.
    const route = { retryIntervalMs: 60_000, retries: 2, persistDurationMs: 300_000, replyTimeoutMs: 60_000 };
    expect(replyDeadline(route, accepted)).toBe(at('2026-03-01T09:03:00.000Z'));
  });

  it('takes the documented default, one hour, for a snapshot taken before reply timeouts existed', () => {
    const route = { retryIntervalMs: 60_000, retries: 2, persistDurationMs: 300_000 };
    expect(replyDeadline(route, accepted)).toBe(at('2026-03-01T10:00:00.000Z'));
    expect(replyDeadline(undefined, accepted)).toBe(at('2026-03-01T10:00:00.000Z'));
  });
});
