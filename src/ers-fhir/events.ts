// The mhs.referrals contract lives in queue/; here it is typed with the referral JSON e-RS maps to.
import type { ReferralEvent as QueuedReferralEvent } from '../queue/index.js';
import type { ReferralJson } from './referral.js';

export { publishReferralEvent, type ReferralEventKind } from '../queue/index.js';

/** What the PAS reads from mhs.referrals (docs/ers-fhir.md). */
export type ReferralEvent = QueuedReferralEvent<ReferralJson>;
