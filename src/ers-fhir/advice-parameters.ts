// The PAS's Advice and Guidance actions (plain JSON, validated) → the e-RS request each needs. Pure.
import { z } from 'zod';
import { SD } from './fhir-json.js';

export const ADVICE_ACTIONS = {
  /** A026: guidance back to the referrer, or a request for more information. */
  respond: { endpoint: 'A026', stored: 'ag-respond' },
  /** A027: convert into a referral for the provider's admin team to book, with final guidance. */
  convert: { endpoint: 'A027', stored: 'ag-convert' },
} as const;
export type AdviceAction = keyof typeof ADVICE_ACTIONS;

const CS = 'https://fhir.nhs.uk/STU3/CodeSystem/';
const PRIORITIES = ['ROUTINE', 'URGENT', 'TWO_WEEK_WAIT'] as const;
/** The version the PAS read (GET /ers/advice-and-guidance/{ubrn}): e-RS refuses the action if it has moved. */
const version = z.number().int().min(1).max(999_999_999);
/** e-RS's limit for guidance text. */
const guidance = z.string().trim().min(1).max(8000);

export const adviceBodies = {
  respond: z
    .strictObject({
      version,
      outcome: z.enum(['RETURN_TO_REFERRER_WITH_ADVICE', 'REQUIRE_FURTHER_INFORMATION']),
      /** Only with RETURN_TO_REFERRER_WITH_ADVICE, and then required. */
      recommendation: z
        .enum([
          'ADVICE_ONLY_NO_REFERRAL_RECOMMENDED',
          'ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED',
          'REFERRAL_RECOMMENDED',
          'OTHER',
        ])
        .optional(),
      guidance,
      priority: z.enum(PRIORITIES),
    })
    .superRefine((body, context) => {
      const advice = body.outcome === 'RETURN_TO_REFERRER_WITH_ADVICE';
      if (advice && body.recommendation === undefined)
        context.addIssue({
          code: 'custom',
          path: ['recommendation'],
          message: 'required when outcome is RETURN_TO_REFERRER_WITH_ADVICE',
        });
      if (!advice && body.recommendation !== undefined)
        context.addIssue({
          code: 'custom',
          path: ['recommendation'],
          message: 'only with outcome RETURN_TO_REFERRER_WITH_ADVICE',
        });
    }),
  convert: z.strictObject({
    version,
    /** Final guidance for the referrer. */
    guidance,
    /** The new referral's priority. */
    priority: z.enum(PRIORITIES),
    /** For the provider's admin team, who shortlist services for the patient. */
    reviewComments: z.string().trim().min(1).max(4000),
  }),
} satisfies Record<AdviceAction, z.ZodType>;

export type RespondBody = z.infer<typeof adviceBodies.respond>;
export type ConvertBody = z.infer<typeof adviceBodies.convert>;

const parameters = (profile: string, parameter: unknown[]) => ({
  resourceType: 'Parameters',
  meta: { profile: [`${SD}${profile}`] },
  parameter,
});

const priority = (name: string, code: string) => ({
  name,
  valueCoding: { system: `${CS}eRS-Priority-1`, code },
});

/** A026's body (eRS-SendCommunicationToRequester-Request-Parameters-1); the version goes in If-Match. */
export function respondParameters(body: RespondBody): unknown {
  return parameters('eRS-SendCommunicationToRequester-Request-Parameters-1', [
    {
      name: 'guidanceOutcome',
      valueCoding: { system: `${CS}eRS-GuidanceResponseOutcome-1`, code: body.outcome },
    },
    ...(body.recommendation
      ? [
          {
            name: 'guidanceIntendedRecommendation',
            valueCoding: { system: `${CS}eRS-GuidanceIntendedRecommendation-1`, code: body.recommendation },
          },
        ]
      : []),
    { name: 'guidance', valueString: body.guidance },
    priority('updatedPriority', body.priority),
  ]);
}

/** A027's body (eRS-CreateFromCommunicationRequestActionLater-Request-Parameters-1): the version is in createFrom. */
export function convertParameters(ubrn: string, body: ConvertBody): unknown {
  return parameters('eRS-CreateFromCommunicationRequestActionLater-Request-Parameters-1', [
    {
      name: 'createFrom',
      valueReference: { reference: `CommunicationRequest/${ubrn}/_history/${body.version}` },
    },
    { name: 'guidance', valueString: body.guidance },
    priority('newReferralPriority', body.priority),
    { name: 'reviewComments', valueString: body.reviewComments },
  ]);
}
