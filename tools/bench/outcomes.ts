import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_OUTBOUND_STATES, type MessageStore } from '#src/store/index.js';

/** When one outbound message reached each milestone, from its history rows (ms since the epoch). */
export interface MessageTimeline {
  messageId: string;
  acceptedAt: number;
  /** First send attempt claimed (the end of the wait in mhs.outbound). */
  sendingAt?: number;
  /** Spine's transport answer (202) read. */
  sentAt?: number;
  ackedAt?: number;
  completedAt?: number;
  /** Send attempts (SENDING rows): more than one means Spine's first answer was a retry. */
  sends: number;
  finalStatus: string;
}

const FINAL = new Set<string>(FINAL_OUTBOUND_STATES);
const SETTLED = new Set<string>(['ACKED', ...FINAL_OUTBOUND_STATES]);

/**
 * Waits until every outbound message in the store has reached `stage` (ACKED counts once it is
 * ACKED or anything after; COMPLETED once final), or the timeout passes. Counts come from the
 * store itself, which is what the gateway promises the PAS.
 */
export async function waitForStage(
  store: MessageStore,
  expected: number,
  stage: 'ACKED' | 'COMPLETED',
  timeoutMs: number,
): Promise<{ reached: number; timedOut: boolean }> {
  const wanted = stage === 'ACKED' ? SETTLED : FINAL;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await store.countByState();
    const reached = counts
      .filter((row) => row.direction === 'outbound' && wanted.has(row.status))
      .reduce((sum, row) => sum + row.count, 0);
    if (reached >= expected) return { reached, timedOut: false };
    if (Date.now() > deadline) return { reached, timedOut: true };
    await sleep(100);
  }
}

/** Each message's milestones, read from the store after the run (never while measuring). */
export async function readTimelines(
  store: MessageStore,
  messageIds: readonly string[],
): Promise<MessageTimeline[]> {
  const timelines: MessageTimeline[] = [];
  for (const messageId of messageIds) {
    const history = await store.history(messageId);
    const at = (status: string) => {
      const entry = history.find((row) => row.status === status);
      return entry ? Date.parse(entry.at) : undefined;
    };
    const acceptedAt = at('ACCEPTED');
    if (acceptedAt === undefined) continue;
    const completedAt = at('COMPLETED');
    // An application ack that overtakes the transport ack still proves the message arrived.
    const ackedAt = at('ACKED') ?? completedAt;
    const sendingAt = at('SENDING');
    const sentAt = at('SENT');
    timelines.push({
      messageId,
      acceptedAt,
      ...(sendingAt !== undefined ? { sendingAt } : {}),
      ...(sentAt !== undefined ? { sentAt } : {}),
      ...(ackedAt !== undefined ? { ackedAt } : {}),
      ...(completedAt !== undefined ? { completedAt } : {}),
      sends: history.filter((row) => row.status === 'SENDING').length,
      finalStatus: history.at(-1)?.status ?? 'UNKNOWN',
    });
  }
  return timelines;
}
