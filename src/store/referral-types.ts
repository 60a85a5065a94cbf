/**
 * What the e-RS FHIR side keeps (docs/ers-fhir.md): the last worklist seen per service and list,
 * each referral as last read, attachments and their files, the A008 budget spent per day, and the
 * PAS's decisions by idempotency key. Both stores implement it on their own tables.
 */

/** One referral on a worklist: its UBRN and e-RS's referralRequestVersion. */
export interface WorklistEntry {
  ubrn: string;
  version: number;
}

export interface StoredReferral {
  ubrn: string;
  version: number;
  /** e-RS's referral state code (eRS-ReferralState-1), for counting. */
  state: string;
  /** The STU3 ReferralRequest as e-RS returned it (JSON text). */
  fhir: string;
  fetchedAt: string;
}

export const ATTACHMENT_STATES = [
  'PENDING',
  'DOWNLOADED',
  'THREATS_FOUND',
  'VALIDATION_FAILED',
  'FAILED',
] as const;
export type AttachmentState = (typeof ATTACHMENT_STATES)[number];

export interface StoredAttachment {
  ubrn: string;
  attachmentId: string;
  /** The Binary URL in the referral (e.g. Binary/uuid). */
  url: string;
  title: string;
  contentType: string;
  /** The size the referral declares, when it declares one. */
  declaredSize?: number;
  status: AttachmentState;
  sha256?: string;
  size?: number;
  /** File name under the attachments directory, once downloaded. */
  file?: string;
  detail?: string;
  attempts: number;
  nextAttemptAt?: string;
  updatedAt: string;
}

export type DecisionStatus = 'IN_PROGRESS' | 'DONE';

export interface StoredDecision {
  idempotencyKey: string;
  ubrn: string;
  action: string;
  /** SHA-256 of the request (action, UBRN, body): a key reused for another request is refused. */
  fingerprint: string;
  status: DecisionStatus;
  /** The answer the PAS got, replayed to a retry. */
  outcome?: { status: number; body: unknown };
  createdAt: string;
  updatedAt: string;
}

export type DecisionClaim = { claimed: true } | { claimed: false; existing: StoredDecision };

export interface ReferralStore {
  /** The worklist as last seen (empty when never fetched). */
  worklist(service: string, list: string): Promise<WorklistEntry[]>;
  /** Replaces the stored worklist with what e-RS answered now. */
  saveWorklist(service: string, list: string, entries: WorklistEntry[]): Promise<void>;
  referral(ubrn: string): Promise<StoredReferral | undefined>;
  saveReferral(referral: Omit<StoredReferral, 'fetchedAt'>): Promise<void>;
  /** Referrals held, counted by state (dashboard). */
  countReferralsByState(): Promise<{ state: string; count: number }[]>;
  /**
   * Spends one unit of a day's budget, atomically across instances: true when it was within
   * `limit` (and is now spent), false when the day's budget is used up.
   */
  takeBudget(key: string, day: string, limit: number): Promise<boolean>;
  budgetUsed(key: string, day: string): Promise<number>;
  attachment(ubrn: string, attachmentId: string): Promise<StoredAttachment | undefined>;
  attachments(ubrn: string): Promise<StoredAttachment[]>;
  /** Inserts or replaces one attachment's record. */
  saveAttachment(attachment: Omit<StoredAttachment, 'updatedAt'>): Promise<void>;
  /** PENDING or FAILED attachments whose next attempt is set and due, oldest first (a final one has none). */
  attachmentsDue(at: Date, limit: number): Promise<StoredAttachment[]>;
  /** Attachments that will not be downloaded (THREATS_FOUND, VALIDATION_FAILED) or are failing, newest first. */
  attachmentFailures(limit: number): Promise<StoredAttachment[]>;
  /** Claims an idempotency key for one decision, or returns the decision already holding it. */
  claimDecision(decision: {
    idempotencyKey: string;
    ubrn: string;
    action: string;
    fingerprint: string;
  }): Promise<DecisionClaim>;
  /** Records the PAS's answer; a retry with the same key gets it again. */
  finishDecision(idempotencyKey: string, outcome: { status: number; body: unknown }): Promise<void>;
  /** Frees a key whose decision certainly did not act (refused before e-RS changed anything). */
  releaseDecision(idempotencyKey: string): Promise<void>;
}
