import { z } from 'zod';
import { encodeBody, parseBody } from './contract.js';
import type { QueuePublisher } from './ports.js';
import { QUEUES } from './topology.js';

const KINDS = ['referral-new', 'referral-changed', 'referral-left-worklist', 'attachment-failed'] as const;
export type ReferralEventKind = (typeof KINDS)[number];

/**
 * What the PAS reads from mhs.referrals (docs/ers-fhir.md). `Referral` is the referral's plain
 * JSON (ers-fhir's ReferralJson); the queue only carries it.
 */
export interface ReferralEvent<Referral = unknown> {
  kind: ReferralEventKind;
  ubrn: string;
  service: string;
  /** The worklist the change was seen on (absent for attachment events). */
  list?: string;
  version: number;
  previousVersion?: number;
  at: string;
  /** The referral as plain JSON (new and changed). */
  referral?: Referral;
  attachment?: { id: string; title: string; status: string; detail?: string };
}

const referralEventSchema = z.object({
  kind: z.enum(KINDS),
  ubrn: z.string().min(1),
  service: z.string(),
  list: z.string().optional(),
  version: z.number().int(),
  previousVersion: z.number().int().optional(),
  at: z.string(),
  referral: z.record(z.string(), z.unknown()).optional(),
  attachment: z
    .object({ id: z.string(), title: z.string(), status: z.string(), detail: z.string().optional() })
    .optional(),
});

export function encodeReferralEvent(event: ReferralEvent): Buffer {
  return encodeBody(event);
}

/** A referral event as read from mhs.referrals; a QueueContractError says what is wrong with it. */
export function parseReferralEvent(body: Buffer): ReferralEvent<Record<string, unknown>> {
  return parseBody(QUEUES.referrals, referralEventSchema, body);
}

/**
 * The event's AMQP messageId, derived from what happened (kind, UBRN, version, list or attachment),
 * so an event published again after a crash carries the same id and the PAS can drop it.
 */
export function referralEventId(event: ReferralEvent): string {
  const scope = event.attachment ? event.attachment.id : (event.list ?? '');
  return `${event.kind}:${event.ubrn}:${event.version}:${scope}`;
}

/** Publishes one event to mhs.referrals. */
export async function publishReferralEvent(publisher: QueuePublisher, event: ReferralEvent): Promise<void> {
  await publisher.publish(QUEUES.referrals, encodeReferralEvent(event), {
    messageId: referralEventId(event),
    correlationId: event.ubrn,
    type: event.kind,
    contentType: 'application/json',
    headers: { kind: event.kind, ubrn: event.ubrn, service: event.service },
  });
}
