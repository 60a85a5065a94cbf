import { type Broker, QUEUES } from '../queue/index.js';
import type { ReferralJson } from './referral.js';

export type ReferralEventKind =
  | 'referral-new'
  | 'referral-changed'
  | 'referral-left-worklist'
  | 'attachment-failed';

/** What the PAS reads from mhs.referrals (docs/ers-fhir.md). */
export interface ReferralEvent {
  kind: ReferralEventKind;
  ubrn: string;
  service: string;
  /** The worklist the change was seen on (absent for attachment events). */
  list?: string;
  version: number;
  previousVersion?: number;
  at: string;
  /** The referral as plain JSON (new and changed). */
  referral?: ReferralJson;
  attachment?: { id: string; title: string; status: string; detail?: string };
}

/**
 * Publishes one event. The messageId is derived from what happened (kind, UBRN, version, list),
 * so an event published again after a crash carries the same id and the PAS can drop it.
 */
export async function publishReferralEvent(broker: Broker, event: ReferralEvent): Promise<void> {
  const scope = event.attachment ? `${event.attachment.id}` : (event.list ?? '');
  await broker.publish(QUEUES.referrals, Buffer.from(JSON.stringify(event)), {
    messageId: `${event.kind}:${event.ubrn}:${event.version}:${scope}`,
    correlationId: event.ubrn,
    type: event.kind,
    contentType: 'application/json',
    headers: { kind: event.kind, ubrn: event.ubrn, service: event.service },
  });
}
