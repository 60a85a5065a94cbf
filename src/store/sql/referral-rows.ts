import type {
  AttachmentState,
  DecisionStatus,
  StoredAttachment,
  StoredDecision,
  StoredReferral,
} from '../referral-types.js';
import { iso } from './statement.js';

export interface ReferralRow {
  ubrn: string;
  version: number;
  state: string;
  fhir: string;
  fetched_at: string | Date;
}

export function toReferral(row: ReferralRow): StoredReferral {
  return {
    ubrn: row.ubrn,
    version: row.version,
    state: row.state,
    fhir: row.fhir,
    fetchedAt: iso(row.fetched_at),
  };
}

/** Sizes are bigint in PostgreSQL, which pg returns as text. */
export interface AttachmentRow {
  ubrn: string;
  attachment_id: string;
  url: string;
  title: string;
  content_type: string;
  declared_size: number | string | null;
  status: AttachmentState;
  sha256: string | null;
  size: number | string | null;
  file: string | null;
  detail: string | null;
  attempts: number;
  next_attempt_at: string | Date | null;
  updated_at: string | Date;
}

export function toAttachment(row: AttachmentRow): StoredAttachment {
  return {
    ubrn: row.ubrn,
    attachmentId: row.attachment_id,
    url: row.url,
    title: row.title,
    contentType: row.content_type,
    ...(row.declared_size !== null ? { declaredSize: Number(row.declared_size) } : {}),
    status: row.status,
    ...(row.sha256 !== null ? { sha256: row.sha256 } : {}),
    ...(row.size !== null ? { size: Number(row.size) } : {}),
    ...(row.file !== null ? { file: row.file } : {}),
    ...(row.detail !== null ? { detail: row.detail } : {}),
    attempts: row.attempts,
    ...(row.next_attempt_at !== null ? { nextAttemptAt: iso(row.next_attempt_at) } : {}),
    updatedAt: iso(row.updated_at),
  };
}

export interface DecisionRow {
  idempotency_key: string;
  ubrn: string;
  action: string;
  fingerprint: string;
  status: DecisionStatus;
  outcome: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

export function toDecision(row: DecisionRow): StoredDecision {
  return {
    idempotencyKey: row.idempotency_key,
    ubrn: row.ubrn,
    action: row.action,
    fingerprint: row.fingerprint,
    status: row.status,
    ...(row.outcome ? { outcome: JSON.parse(row.outcome) as StoredDecision['outcome'] } : {}),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
