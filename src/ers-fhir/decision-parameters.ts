// The PAS's decisions (plain JSON, validated) → the e-RS request each needs. Pure.
import { z } from 'zod';

export const DECISIONS = {
  accept: { endpoint: 'A013', operation: '$ers.acceptReferral' },
  reject: { endpoint: 'A014', operation: '$ers.rejectReferral' },
  'review-outcome': { endpoint: 'A028', operation: '$ers.recordReviewOutcome' },
  'cancel-appointment-action-later': { endpoint: 'A022', operation: '$ers.cancelAppointmentActionLater' },
} as const;
export type DecisionAction = keyof typeof DECISIONS;

const code = z.string().regex(/^[A-Z0-9_-]{1,60}$/, 'must be an e-RS code (capitals, digits, _ or -)');
const comments = z.string().min(1).max(4000);

export const decisionBodies = {
  accept: z.strictObject({}),
  reject: z.strictObject({
    /** APPOINTMENT-CANCELLATION-REASON code with usage REJECT (GET /ers/reference-data/rejection-reasons). */
    reason: code,
    comments,
    appointmentCancelledInPas: z.boolean().optional(),
  }),
  'review-outcome': z.strictObject({
    outcome: z.enum([
      'ACCEPT_REFER_BOOK_LATER',
      'RETURN_TO_REFERRER_WITH_ADVICE',
      'CANCEL_APPOINTMENT_ACTION_LATER',
      'PROVIDER_CONVERTED_ADVICE_AND_GUIDANCE_ADMIN_TO_REFER',
    ]),
    comments,
    priority: code.optional(),
  }),
  'cancel-appointment-action-later': z.strictObject({
    comments,
    appointmentCancelledInPas: z.boolean().optional(),
    priority: code.optional(),
  }),
} satisfies Record<DecisionAction, z.ZodType>;

export type DecisionBody<A extends DecisionAction> = z.infer<(typeof decisionBodies)[A]>;

const PROFILE = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
const PRIORITY_SYSTEM = 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-Priority-1';

/** The FHIR body for one decision; undefined where e-RS takes none (A013). */
export function decisionParameters(
  action: DecisionAction,
  body: Record<string, unknown>,
  codeSystemBase: string,
): unknown {
  const parameters = (profile: string, parameter: unknown[]) => ({
    resourceType: 'Parameters',
    meta: { profile: [`${PROFILE}${profile}`] },
    parameter,
  });
  const priority =
    typeof body.priority === 'string'
      ? [
          {
            name: action === 'review-outcome' ? 'reviewPriority' : 'priority',
            valueCoding: { system: PRIORITY_SYSTEM, code: body.priority },
          },
        ]
      : [];
  const cancelledInPas =
    typeof body.appointmentCancelledInPas === 'boolean'
      ? [{ name: 'appointmentCancelledInPAS', valueBoolean: body.appointmentCancelledInPas }]
      : [];
  switch (action) {
    case 'accept':
      return undefined;
    case 'reject':
      return parameters('eRS-RejectReferral-Parameters-1', [
        {
          name: 'rejectionReason',
          valueCoding: {
            system: `${codeSystemBase}/STU3/CodeSystem/APPOINTMENT-CANCELLATION-REASON`,
            code: body.reason,
          },
        },
        { name: 'rejectionComments', valueString: body.comments },
        ...cancelledInPas,
      ]);
    case 'review-outcome':
      return parameters('eRS-RecordReviewOutcome-Parameters-1', [
        {
          name: 'reviewOutcome',
          valueCoding: {
            system: 'https://fhir.nhs.uk/STU3/CodeSystem/eRS-ReviewOutcome-1',
            code: body.outcome,
          },
        },
        { name: 'reviewComments', valueString: body.comments },
        ...priority,
      ]);
    case 'cancel-appointment-action-later':
      return parameters('eRS-cancelAppointmentActionLater-Parameters-1', [
        { name: 'comments', valueString: body.comments },
        ...cancelledInPas,
        ...priority,
      ]);
  }
}

/**
 * The A029 action that must be permitted before a decision. e-RS's list (eRS-AvailableActionsForUser-1)
 * has a code for recording a review outcome only; for A013, A014 and A022 e-RS's own 422
 * (INVALID_REQUEST_STATE) is the check.
 */
export const REQUIRED_ACTION: Partial<Record<DecisionAction, string>> = {
  'review-outcome': 'RECORD_REVIEW_OUTCOME',
};

/** The codes of an A029 Task Bundle (searchset of Tasks, code in eRS-AvailableActionsForUser-1). */
export function permittedActions(bundle: unknown): string[] {
  const entries = (bundle as { entry?: unknown } | undefined)?.entry;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry) => {
    const codings = (entry as { resource?: { code?: { coding?: unknown } } })?.resource?.code?.coding;
    return Array.isArray(codings)
      ? codings
          .filter(
            (c) => typeof c?.code === 'string' && /eRS-AvailableActionsForUser-1$/.test(String(c?.system)),
          )
          .map((c) => c.code as string)
      : [];
  });
}
