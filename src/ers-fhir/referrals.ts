import { createError } from '../errors/index.js';
import type { ReferralStore } from '../store/index.js';
import type { FhirAnswer, FhirClient, UserContext } from './client.js';
import { mapReferral, type ReferralJson } from './referral.js';

export interface HeldReferral {
  referral: ReferralJson;
  fhir: unknown;
  fetchedAt?: string;
}

/** A005 failed: e-RS's answer, for the caller to map. */
export class ReferralReadError extends createError(
  'ERS_REFERRAL_READ_FAILED',
  502,
  'Unexpected answer from e-RS',
) {
  constructor(readonly answer: FhirAnswer) {
    super(`A005 answered ${answer.status}${answer.error.code ? ` ${answer.error.code}` : ''}`);
  }
}

/**
 * Referrals as e-RS last told us: A005 reads them, the store keeps the latest version (never an
 * older one over a newer), and every read hands its attachments to `onRead`.
 */
export class Referrals {
  constructor(
    private readonly client: FhirClient,
    private readonly store: ReferralStore,
    private readonly onRead: (referral: ReferralJson) => Promise<void> = async () => undefined,
  ) {}

  async held(ubrn: string): Promise<HeldReferral | undefined> {
    const stored = await this.store.referral(ubrn);
    if (!stored) return undefined;
    const fhir = JSON.parse(stored.fhir) as unknown;
    return { referral: mapReferral(fhir), fhir, fetchedAt: stored.fetchedAt };
  }

  /** A005 now; stores and returns it. ReferralReadError for any answer but 200. */
  async fetch(ubrn: string, user?: UserContext): Promise<HeldReferral> {
    const answer = await this.client.call({
      endpoint: 'A005',
      method: 'GET',
      path: `STU3/ReferralRequest/${encodeURIComponent(ubrn)}`,
      ...(user ? { user } : {}),
    });
    if (answer.status !== 200) throw new ReferralReadError(answer);
    return this.accept(answer.json);
  }

  /** Stores a ReferralRequest e-RS returned (A005, or a decision's answer). */
  async accept(fhir: unknown): Promise<HeldReferral> {
    const referral = mapReferral(fhir);
    const stored = await this.store.referral(referral.ubrn);
    if (!stored || stored.version <= referral.version) {
      await this.store.saveReferral({
        ubrn: referral.ubrn,
        version: referral.version,
        state: referral.state?.code ?? 'UNKNOWN',
        fhir: JSON.stringify(fhir),
      });
    }
    await this.onRead(referral);
    return { referral, fhir };
  }
}
