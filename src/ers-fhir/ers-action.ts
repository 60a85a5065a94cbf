// One action on e-RS (a decision on a referral, an A&G response or conversion), sent and its answer
// mapped the same way for both: a lock waited out once, e-RS's refusals as problems, and an outcome
// that is unknown (no answer, or e-RS's 502/504 from its PAS hop) reconciled by reading again.
import type { FhirAnswer } from './client.js';
import {
  callWaitingOutLock,
  type FinalAnswer,
  locked,
  notFoundInErs,
  refused,
  unexpected,
} from './problems.js';

export interface ErsAction {
  /** What is acted on, in the problem titles: 'Referral', 'Advice and guidance request'. */
  what: string;
  endpoint: string;
  /** The statuses that mean e-RS acted. */
  acted: number[];
  send(): Promise<FhirAnswer>;
  recorded(answer: FhirAnswer): Promise<FinalAnswer>;
  /** e-RS's 409: the version sent is no longer current. */
  changed(): Promise<FinalAnswer>;
  /** The outcome is unknown: e-RS did not answer (no answer), or answered 502/504. */
  reconcile(answer?: FhirAnswer): Promise<FinalAnswer>;
  lockedDetail: string;
  refusedTitle: string;
  notFoundDetail: string;
  /** Statuses this action maps itself (A&G's 403); undefined for the rest. */
  other?(answer: FhirAnswer): FinalAnswer | undefined;
}

export async function act(action: ErsAction): Promise<FinalAnswer> {
  const answer = await callWaitingOutLock(() => action.send());
  if ('problem' in answer) {
    if (answer.unknown) return action.reconcile();
    return { ...answer.problem, final: false };
  }
  if (action.acted.includes(answer.status)) return action.recorded(answer);
  const own = action.other?.(answer);
  if (own) return own;
  switch (answer.status) {
    case 409:
      return action.changed();
    case 423:
      return locked(action.what, action.lockedDetail);
    case 422:
      return refused(action.refusedTitle, answer);
    case 404:
      return notFoundInErs(action.what, action.notFoundDetail);
    case 502:
    case 504:
      // PAS_NOT_RESPONDING / PAS_RESPONDED_WITH_ERROR: e-RS may or may not have recorded it.
      return action.reconcile(answer);
    default:
      return { ...unexpected(action.endpoint, answer), final: false };
  }
}
