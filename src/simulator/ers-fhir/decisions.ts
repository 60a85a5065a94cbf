// The simulated e-RS's decisions on a referral (A013 accept, A014 reject, A028 review outcome, A022
// cancel an appointment): each checks If-Match, the lock and the worklist, then moves the version on.
import { codesOf } from './code-systems.js';
import { answerFault } from './faults.js';
import { fhirJson, notFound, parseJson } from './http.js';
import { parameters, refused, type SimError, versionRefusal } from './refusals.js';
import { referralResource, type SimReferral } from './resources.js';
import type { FhirCall } from './routes.js';
import type { ErsState } from './state.js';

export async function decide(state: ErsState, call: FhirCall): Promise<void> {
  const { response, route } = call;
  const ubrn = route.ubrn!;
  const raw = await call.body();
  const referral = state.referrals.get(ubrn);
  if (!referral) return notFound(response, `no referral ${ubrn}`);
  const version = /^W\/"([0-9]+)"$/.exec(call.header('if-match') ?? '')?.[1];
  const refusal =
    versionRefusal(referral, 'referral', version, 'If-Match W/"<version>" is required') ??
    apply(referral, call, raw);
  if (refusal) return fhirJson(response, refusal.status, refusal.json);
  referral.version += 1;
  // A 502/504 fault with act: e-RS recorded the decision but its hop to the PAS failed.
  if (call.fault) return answerFault(response, call.fault);
  fhirJson(response, 200, referralResource(referral, call.baseUrl, Date.now()), referral.version);
}

function apply(referral: SimReferral, call: FhirCall, raw: Buffer): SimError | undefined {
  const param = parameters(parseJson(raw));
  const endpoint = call.route.endpoint;
  if (referral.list !== 'REFERRALS_FOR_REVIEW' && endpoint !== 'A022')
    return refused(
      'INVALID_REQUEST_STATE',
      `referral ${referral.ubrn} is not awaiting review (state ${referral.state})`,
    );
  switch (endpoint) {
    case 'A013':
      referral.list = null;
      return undefined;
    case 'A014': {
      const reason = param('rejectionReason')?.valueCoding?.code;
      if (!reason) return refused('MISSING_VALUE', 'rejectionReason is required');
      if (!codesOf('APPOINTMENT-CANCELLATION-REASON', call.baseUrl).includes(reason))
        return refused('INVALID_CODE', `rejectionReason ${reason} is not a valid code`);
      const comments = param('rejectionComments')?.valueString;
      if (!comments) return refused('VALUE_IS_REQUIRED', 'rejectionComments are required');
      referral.list = null;
      referral.state = 'REJECTED';
      referral.reason = reason;
      referral.comment = comments;
      delete referral.appointment;
      return undefined;
    }
    case 'A028': {
      const outcome = param('reviewOutcome')?.valueCoding?.code;
      if (!outcome) return refused('MISSING_VALUE', 'reviewOutcome is required');
      referral.list = null;
      referral.state =
        outcome === 'RETURN_TO_REFERRER_WITH_ADVICE' ? 'TRIAGE_RESPONSE' : 'TRIAGED_PROVIDER_TO_ACTION';
      referral.comment = param('reviewComments')?.valueString ?? '';
      return undefined;
    }
    default:
      if (!referral.appointment)
        return refused('INVALID_REQUEST_STATE', `referral ${referral.ubrn} has no appointment to cancel`);
      referral.list = 'APPOINTMENT_SLOT_ISSUES';
      referral.state = 'APPT_CANCELLED_BY_PROVIDER';
      referral.comment = param('comments')?.valueString ?? '';
      delete referral.appointment;
      return undefined;
  }
}
