// The OpenAPI description of the /ers/advice-and-guidance/… routes, bodies from their validators.
import type { z } from 'zod';
import { type AdviceAction, adviceBodies } from '../ers-fhir/index.js';
import {
  actingParameters,
  problemRef,
  readingParameters,
  ubrnParameter,
  userHeaders,
} from './ers-openapi-parts.js';

const BASE = '/ers/advice-and-guidance';

const EXAMPLE_ADVICE = {
  ubrn: '000012345678',
  version: 3,
  nhsNumber: '9990001112',
  status: 'active',
  adviceStatus: { code: 'PROVIDER_RESPONSE_REQUIRED' },
  priority: { code: 'ROUTINE' },
  specialty: { code: 'DERMATOLOGY', display: 'Dermatology' },
  service: { id: '43210' },
  conversionAuthorised: true,
  attachments: [
    {
      id: '61001',
      title: 'rash-photo.jpg',
      contentType: 'image/jpeg',
      url: 'Binary/2c3d4e5f-6071-4829-9a0b-1c2d3e4f5061',
      size: 48213,
      availability: 'AVAILABLE',
      attachedAs: 'REFERRER',
      status: 'DOWNLOADED',
      sha256: '9b2e41…',
      downloadedSize: 48213,
      href: '/ers/referrals/000012345678/attachments/61001',
    },
    {
      id: 'advice-overview-v3',
      title: 'Advice and guidance overview (A043)',
      contentType: 'application/pdf',
      url: 'CommunicationRequest/000012345678/$ers.generateCRI',
      status: 'PENDING',
    },
  ],
};

const EXAMPLES: Record<AdviceAction, { summary: string; value: Record<string, unknown> }> = {
  respond: {
    summary: 'Return to the referrer with advice (A026)',
    value: {
      version: 3,
      outcome: 'RETURN_TO_REFERRER_WITH_ADVICE',
      recommendation: 'ADVICE_FOLLOWED_BY_REFERRAL_IF_REQUIRED',
      guidance:
        'Looks like contact dermatitis. Try an emollient and a mild steroid for two weeks; refer if no better.',
      priority: 'ROUTINE',
    },
  },
  convert: {
    summary: 'Convert into a referral for the admin team to book (A027)',
    value: {
      version: 3,
      guidance: 'This needs to be seen in clinic: I have converted it into a referral.',
      priority: 'URGENT',
      reviewComments: 'Shortlist the Riverside and Northgate dermatology clinics, urgent slot please.',
    },
  },
};

const SUMMARIES: Record<AdviceAction, string> = {
  respond:
    "Respond to the referrer: advice, or a request for more information (e-RS A026, user-restricted: the user's session is required)",
  convert:
    'Convert into a referral, with final guidance (e-RS A027, user-restricted; only when the referrer authorised it: `conversionAuthorised`)',
};

const readErrors = {
  400: problemRef('The UBRN is not 12 digits'),
  404: problemRef('e-RS has no such request'),
  422: problemRef('e-RS refused it, e.g. INVALID_REQUEST_TYPE: the UBRN is a referral, not an A&G request'),
  502: problemRef('e-RS answered something unexpected (its code in `ersErrorCode`)'),
  503: problemRef('e-RS is busy (429/503 after back-off); Retry-After'),
  504: problemRef('e-RS did not answer'),
};

/** The /ers/advice-and-guidance/… paths of the OpenAPI document. */
export function advicePaths(
  requestSchema: (schema: z.ZodType) => unknown,
  exampleReferral: Record<string, unknown>,
): Record<string, unknown> {
  const tags = ['e-RS advice and guidance'];
  const paths: Record<string, unknown> = {
    [`${BASE}/worklist`]: {
      get: {
        tags,
        summary: "The provider's 'Advice and guidance requests' worklist (e-RS A023, user-restricted only)",
        description:
          "e-RS offers A023 to a healthcare worker's session only, so this needs X-ERS-Access-Token; without it the answer is 403.",
        parameters: userHeaders,
        responses: {
          200: {
            description: 'The requests awaiting the provider, with the version of each',
            content: {
              'application/json': {
                example: {
                  list: 'ADVICE_AND_GUIDANCE_REQUESTS',
                  entries: [
                    {
                      ubrn: '000012345678',
                      version: 3,
                      adviceStatus: 'PROVIDER_RESPONSE_REQUIRED',
                      priority: 'ROUTINE',
                      specialty: 'DERMATOLOGY',
                      service: '43210',
                      firstRequested: '2026-11-30T09:12:00.000Z',
                      lastUpdated: '2026-12-02T14:40:00.000Z',
                    },
                  ],
                },
              },
            },
          },
          403: problemRef('No user session given (A023 is user-restricted), or e-RS refused it'),
          ...readErrors,
        },
      },
    },
    [`${BASE}/{ubrn}`]: {
      get: {
        tags,
        summary: 'An advice and guidance request as plain JSON (e-RS A024), or as e-RS sent it',
        description:
          "Read from e-RS each time (application-restricted, or as the user when X-ERS-Access-Token is sent). Its files and the A043 overview PDF (`advice-overview-v{version}`) are downloaded like a referral's attachments; `href` appears once on disk. The ETag is e-RS's version: send it as `version` to act.",
        parameters: readingParameters(),
        responses: {
          200: {
            description: 'The request (application/json), or the raw CommunicationRequest with format=fhir',
            content: {
              'application/json': { example: EXAMPLE_ADVICE },
              'application/fhir+json': { schema: { type: 'object' } },
            },
          },
          ...readErrors,
        },
      },
    },
    [`${BASE}/{ubrn}/conversation`]: {
      get: {
        tags,
        summary:
          'The conversation between referrer and provider, oldest first (e-RS A025 on the version A024 gives)',
        parameters: [ubrnParameter, ...userHeaders],
        responses: {
          200: {
            description: 'The messages, each with its sender and files',
            content: {
              'application/json': {
                example: {
                  ubrn: '000012345678',
                  version: 3,
                  adviceStatus: { code: 'PROVIDER_RESPONSE_REQUIRED' },
                  messages: [
                    {
                      id: '71001',
                      sentBy: 'REQUESTER',
                      sent: '2026-11-30T09:12:00.000Z',
                      sender: {
                        userId: '123456789012',
                        organisation: 'B81001',
                        businessFunction: 'REFERRING_CLINICIAN',
                      },
                      text: 'Itchy rash on both forearms for six weeks, not settling with emollients. Photo attached.',
                      attachments: [EXAMPLE_ADVICE.attachments[0]],
                    },
                  ],
                },
              },
            },
          },
          ...readErrors,
        },
      },
    },
  };
  for (const action of Object.keys(adviceBodies) as AdviceAction[]) {
    paths[`${BASE}/{ubrn}/${action}`] = {
      post: {
        tags,
        summary: SUMMARIES[action],
        description:
          '`version` is the one the PAS read (GET …/advice-and-guidance/{ubrn}): e-RS refuses the action if the request has moved on since (409). The Idempotency-Key makes a retry safe: the same key and body get the first answer again (Idempotent-Replayed: true). User-restricted in e-RS: without X-ERS-Access-Token the answer is 403.',
        parameters: actingParameters,
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: requestSchema(adviceBodies[action]),
              example: EXAMPLES[action].value,
            },
          },
        },
        responses: {
          200: {
            description:
              action === 'respond'
                ? 'Sent: the request as it now is, and the message sent'
                : 'Converted: the new referral (same UBRN), also served by GET /ers/referrals/{ubrn}',
            content: {
              'application/json': {
                example:
                  action === 'respond'
                    ? {
                        ubrn: '000012345678',
                        action,
                        outcome: 'recorded',
                        sentVersion: 3,
                        advice: {
                          ...EXAMPLE_ADVICE,
                          version: 4,
                          adviceStatus: { code: 'REFERRER_TO_REVIEW_RESPONSE' },
                        },
                        message: {
                          id: '71002',
                          sentBy: 'RESPONDER',
                          sent: '2026-12-03T11:05:00.000Z',
                          text: EXAMPLES.respond.value.guidance,
                          attachments: [],
                        },
                      }
                    : {
                        ubrn: '000012345678',
                        action,
                        outcome: 'recorded',
                        sentVersion: 3,
                        referral: { ...exampleReferral, version: 1, state: { code: 'BOOKING_LATER' } },
                      },
              },
            },
          },
          400: problemRef('Invalid UBRN, missing Idempotency-Key, or a body field invalid (named)'),
          403: problemRef('No user session given (user-restricted in e-RS), or e-RS refused the user'),
          404: problemRef('e-RS has no such request'),
          409: problemRef(
            'The request changed in e-RS since `version`: its current form is in `advice`; act again with a new key',
          ),
          422: problemRef(
            'e-RS refused it (its code in `ersErrorCode`, e.g. INVALID_REQUEST_STATE), or the key was reused for another request',
            {
              type: 'https://mhs-gateway/problems/ers/refused',
              title: 'e-RS refused the action',
              status: 422,
              detail: 'the referrer has not authorised conversion to a referral',
              ersErrorCode: 'INVALID_REQUEST_STATE',
            },
          ),
          423: problemRef('Locked by another e-RS user; retry after Retry-After with the same key'),
          503: problemRef('e-RS is busy (429/503 after back-off); Retry-After'),
          504: problemRef(
            'e-RS did not answer and the request did not move: not recorded, retry with the same key',
          ),
        },
      },
    };
  }
  return paths;
}
