// The OpenAPI description of the /ers/… routes; request bodies from the schemas that validate them.
import type { z } from 'zod';
import { CODE_SYSTEMS, type DecisionAction, decisionBodies } from '../ers-fhir/index.js';
import { advicePaths } from './ers-advice-openapi.js';
import { DECISION_EXAMPLES, DECISION_SUMMARIES, EXAMPLE_REFERRAL } from './ers-openapi-examples.js';
import { actingParameters, problemRef, readingParameters, ubrnParameter } from './ers-openapi-parts.js';

/** The /ers/… paths of the OpenAPI document; decision bodies from the schemas that validate them. */
export function ersPaths(requestSchema: (schema: z.ZodType) => unknown): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/ers/referrals/{ubrn}': {
      get: {
        tags: ['e-RS referrals'],
        summary: 'A referral as plain JSON (mapped from the STU3 ReferralRequest), or as e-RS sent it',
        description:
          "Served from the copy held since the last worklist sync or decision; `refresh=true` reads it from e-RS now (A005). The ETag is e-RS's version.",
        parameters: readingParameters({
          name: 'refresh',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: ['true'] },
        }),
        responses: {
          200: {
            description:
              'The referral (application/json), or the raw ReferralRequest (application/fhir+json with format=fhir)',
            content: {
              'application/json': { example: EXAMPLE_REFERRAL },
              'application/fhir+json': { schema: { type: 'object' } },
            },
          },
          400: problemRef('The UBRN is not 12 digits'),
          404: problemRef('e-RS has no such referral'),
          502: problemRef(
            'e-RS answered something unexpected (its eRS-APIErrorCode-1 code in `ersErrorCode`)',
          ),
          503: problemRef('e-RS is busy (429/503 after back-off); Retry-After'),
          504: problemRef('e-RS did not answer'),
        },
      },
    },
    '/ers/referrals/{ubrn}/attachments/{attachmentId}': {
      get: {
        tags: ['e-RS referrals'],
        summary:
          'An attachment the gateway downloaded (A042, following the 307 to the object store), or the clinical information summary `clinical-information-v{version}` (A007)',
        parameters: [
          ubrnParameter,
          {
            name: 'attachmentId',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' },
          },
        ],
        responses: {
          200: {
            description: 'The file; X-Content-SHA256 and Repr-Digest carry its SHA-256',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          404: problemRef('No such attachment on this referral'),
          409: problemRef(
            'Not downloaded yet (PENDING: e-RS is scanning it, or a retry is due); Retry-After',
            {
              type: 'about:blank',
              title: 'Attachment not downloaded yet',
              status: 409,
              detail: 'status PENDING: e-RS is still scanning the file',
              attachmentStatus: 'PENDING',
            },
          ),
          410: problemRef('e-RS will never release it (THREATS_FOUND or VALIDATION_FAILED)', {
            type: 'about:blank',
            title: 'Attachment will never be available',
            status: 410,
            detail: 'status THREATS_FOUND: e-RS reports THREATS_FOUND',
            attachmentStatus: 'THREATS_FOUND',
          }),
        },
      },
    },
    '/ers/referrals/{ubrn}/messages': {
      get: {
        tags: ['e-RS referrals'],
        summary:
          'The HL7 V3 messages (Choose and Book) of the same UBRN, newest first: the other half of the referral',
        parameters: [ubrnParameter],
        responses: {
          200: {
            description: 'Up to 100 messages',
            content: {
              'application/json': {
                example: {
                  ubrn: '000012345678',
                  messages: [
                    {
                      messageId: 'C1D2E3F4-0A1B-4C2D-8E3F-405162738495',
                      conversationId: '5E4D3C2B-1A09-4F8E-8D7C-6B5A49382716',
                      interactionId: 'PRSC_IN070000UK08',
                      direction: 'inbound',
                      status: 'DELIVERED',
                      createdAt: '2026-12-03T10:02:11.000Z',
                      href: '/messages/C1D2E3F4-0A1B-4C2D-8E3F-405162738495',
                    },
                  ],
                },
              },
            },
          },
          400: problemRef('The UBRN is not 12 digits'),
        },
      },
    },
    '/ers/sync': {
      get: {
        tags: ['e-RS referrals'],
        summary: "The worklist sync: last run per service and list, and today's A008 budget",
        responses: {
          200: {
            description: 'Sync status',
            content: {
              'application/json': {
                example: {
                  budget: {
                    day: '2026-12-03',
                    limit: 2,
                    services: [{ service: '900001', used: 2, left: 0 }],
                  },
                  lastRuns: [
                    {
                      service: '900001',
                      list: 'REFERRALS_FOR_REVIEW',
                      at: '2026-12-03T07:00:00.000Z',
                      outcome: 'synced',
                      entries: 12,
                      added: 2,
                      changed: 1,
                      removed: 0,
                    },
                  ],
                },
              },
            },
          },
        },
      },
      post: {
        tags: ['e-RS referrals'],
        summary: "Runs the worklist sync now (within today's A008 budget); joins a run in progress",
        responses: { 200: { description: 'The runs and the budget left' } },
      },
    },
    '/ers/reference-data/rejection-reasons': {
      get: {
        tags: ['e-RS referrals'],
        summary:
          'Reasons valid for a provider rejection now (A004 APPOINTMENT-CANCELLATION-REASON, usage REJECT, in force)',
        responses: {
          200: {
            description: 'The reasons',
            content: {
              'application/json': {
                example: {
                  codeSystem: 'APPOINTMENT-CANCELLATION-REASON',
                  usage: 'REJECT',
                  concepts: [
                    { code: 'SERVICE_NOT_PROVIDED', display: 'Service not provided here', usage: 'REJECT' },
                  ],
                },
              },
            },
          },
          502: problemRef('A004 failed'),
        },
      },
    },
    '/ers/reference-data/{codeSystem}': {
      get: {
        tags: ['e-RS referrals'],
        summary: 'An A004 code system, cached; concepts in force, optionally of one usage',
        parameters: [
          {
            name: 'codeSystem',
            in: 'path',
            required: true,
            schema: { type: 'string', enum: [...CODE_SYSTEMS] },
          },
          {
            name: 'usage',
            in: 'query',
            required: false,
            schema: { type: 'string', examples: ['REJECT', 'CANCEL'] },
          },
        ],
        responses: {
          200: { description: 'The concepts' },
          404: problemRef('Unknown code system'),
          502: problemRef('A004 failed'),
        },
      },
    },
  };
  for (const action of Object.keys(decisionBodies) as DecisionAction[]) {
    paths[`/ers/referrals/{ubrn}/${action}`] = {
      post: {
        tags: ['e-RS referrals'],
        summary: DECISION_SUMMARIES[action],
        description:
          'Sent with If-Match = the version the gateway holds. The Idempotency-Key makes a retry safe: the same key and body get the first answer again (Idempotent-Replayed: true), never a second action.',
        parameters: actingParameters,
        requestBody: {
          required: action !== 'accept',
          content: {
            'application/json': {
              schema: requestSchema(decisionBodies[action]),
              example: DECISION_EXAMPLES[action],
            },
          },
        },
        responses: {
          200: {
            description:
              'Recorded by e-RS (`reconciled: true` when e-RS answered 502/504 but the referral moved past the version sent)',
            content: {
              'application/json': {
                example: {
                  ubrn: '000012345678',
                  action,
                  outcome: 'recorded',
                  sentVersion: 4,
                  referral: { ...EXAMPLE_REFERRAL, version: 5 },
                },
              },
            },
          },
          400: problemRef('Invalid UBRN, missing Idempotency-Key, or a body field invalid (named)'),
          404: problemRef('e-RS has no such referral'),
          409: problemRef(
            'The referral changed in e-RS (version conflict): its current form is in `referral`; decide again with a new key',
            {
              type: 'https://mhs-gateway/problems/ers/version-changed',
              title: 'Referral changed in e-RS',
              status: 409,
              detail:
                'the decision was made on version 4; e-RS now holds version 5. Nothing was done: review it and decide again with a new Idempotency-Key.',
              sentVersion: 4,
            },
          ),
          422: problemRef(
            'e-RS refused it: its eRS-APIErrorCode-1 code in `ersErrorCode`; or the key was reused for another request',
            {
              type: 'https://mhs-gateway/problems/ers/refused',
              title: 'e-RS refused the decision',
              status: 422,
              detail: 'referral 000012345678 is not awaiting review (state BOOKED)',
              ersErrorCode: 'INVALID_REQUEST_STATE',
            },
          ),
          423: problemRef('Locked by another e-RS user or system; retry after Retry-After with the same key'),
          502: problemRef(
            'e-RS answered 502 PAS_RESPONDED_WITH_ERROR and the referral did not move: not recorded, retry with the same key',
          ),
          503: problemRef('e-RS is busy (429/503 after back-off); Retry-After'),
          504: problemRef(
            'e-RS answered 504 PAS_NOT_RESPONDING (or nothing) and the referral did not move: not recorded, retry with the same key',
            {
              type: 'https://mhs-gateway/problems/ers/not-recorded',
              title: 'Decision not recorded',
              status: 504,
              detail:
                'e-RS answered 504 PAS_NOT_RESPONDING; the referral is still at version 4. Retry with the same Idempotency-Key.',
              ersErrorCode: 'PAS_NOT_RESPONDING',
            },
          ),
        },
      },
    };
  }
  Object.assign(paths, advicePaths(requestSchema, EXAMPLE_REFERRAL));
  return paths;
}
