import { FINAL, FINAL_OUTBOUND_STATES } from '#src/lifecycle/index.js';
import { withClient } from './postgres.js';

const FINAL_OUTBOUND = new Set<string>(FINAL_OUTBOUND_STATES);
const FINAL_SQL = FINAL.map((state) => `'${state}'`).join(', ');

export interface OutboundRow {
  messageId: string;
  interactionId: string;
  status: string;
  /** Why a failed message failed, in a few words (the summary groups by it). */
  reason?: string;
  replyDelivered: boolean;
}

export interface StoreView {
  outbound: Map<string, OutboundRow>;
  /** Inbound messages still RECEIVED: stored but never queued and acknowledged. */
  inboundUnfinished: number;
  inbound: number;
}

export function isFinal(status: string): boolean {
  return FINAL_OUTBOUND.has(status);
}

/** Reads every message's state straight from the shared PostgreSQL store. */
export async function readStore(url: string): Promise<StoreView> {
  return withClient(url, async (client) => {
    const outbound = await client.query<{
      message_id: string;
      interaction_id: string;
      status: string;
      error: unknown;
      reply: unknown;
      reply_delivered_at: Date | null;
      detail: string | null;
    }>(
      `SELECT m.message_id, m.interaction_id, m.status, m.error, m.reply, m.reply_delivered_at,
              (SELECT h.detail FROM history h WHERE h.message_id = m.message_id ORDER BY h.id DESC LIMIT 1) AS detail
         FROM messages m WHERE m.direction = 'outbound'`,
    );
    const inbound = await client.query<{ status: string; count: string }>(
      `SELECT status, count(*) AS count FROM messages WHERE direction = 'inbound' GROUP BY status`,
    );
    const rows = new Map<string, OutboundRow>();
    for (const row of outbound.rows) {
      const reason = failureReason(row.status, row.error, row.reply, row.detail ?? '');
      rows.set(row.message_id, {
        messageId: row.message_id,
        interactionId: row.interaction_id,
        status: row.status,
        ...(reason ? { reason } : {}),
        replyDelivered: row.reply_delivered_at !== null,
      });
    }
    const counts = Object.fromEntries(inbound.rows.map((r) => [r.status, Number(r.count)]));
    return {
      outbound: rows,
      inboundUnfinished: counts.RECEIVED ?? 0,
      inbound: Object.values(counts).reduce((a, b) => a + b, 0),
    };
  });
}

/** Outbound messages not yet final (for settling). */
export async function countUnfinished(url: string): Promise<{ outbound: number; inbound: number }> {
  return withClient(url, async (client) => {
    const result = await client.query<{ direction: string; count: string }>(
      `SELECT direction, count(*) AS count FROM messages
        WHERE status NOT IN (${FINAL_SQL}) GROUP BY direction`,
    );
    const counts = Object.fromEntries(result.rows.map((r) => [r.direction, Number(r.count)]));
    return { outbound: counts.outbound ?? 0, inbound: counts.inbound ?? 0 };
  });
}

function failureReason(status: string, error: unknown, reply: unknown, detail: string): string | undefined {
  if (status === 'NACKED') {
    const codes = Array.isArray(error)
      ? error.map((e) => (e as { errorCode?: string }).errorCode).join(',')
      : '';
    return `NACKED ${codes || detail.slice(0, 60)}`;
  }
  if (status === 'REJECTED') {
    const ack = (reply as { acknowledgement?: string } | null)?.acknowledgement;
    return `REJECTED application acknowledgement ${ack ?? '?'}`;
  }
  if (status === 'FAILED') {
    for (const known of ['deadline passed', 'retries exhausted', 'not queued'])
      if (detail.startsWith(known)) return `FAILED ${known}`;
    return `FAILED ${detail.slice(0, 60)}`;
  }
  if (status === 'UNANSWERED') return 'UNANSWERED past its reply deadline';
  return undefined;
}
