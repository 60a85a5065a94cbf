import { createReadStream } from 'node:fs';
import express, { type Request, type Response } from 'express';
import {
  type Attachments,
  CODE_SYSTEMS,
  type CodeSystemType,
  clinicalInformationId,
  type DecisionAction,
  type Decisions,
  decisionBodies,
  FhirTransportError,
  type HeldReferral,
  inForce,
  type ReferenceData,
  type ReferralJson,
  ReferralReadError,
  type Referrals,
  type UserContext,
  type WorklistSync,
} from '../ers-fhir/index.js';
import type { MessageStore, ReferralStore, StoredAttachment } from '../store/index.js';
import { errorProblem, sendProblem, validationProblem } from './problem.js';

export interface ErsRouteDependencies {
  store: ReferralStore;
  /** The HL7 V3 messages, searched by UBRN. */
  messages: Pick<MessageStore, 'search'>;
  referrals: Referrals;
  attachments: Attachments;
  decisions: Decisions;
  referenceData: ReferenceData;
  sync: WorklistSync;
}

const UBRN = /^[0-9]{12}$/;
const ATTACHMENT_ID = /^[A-Za-z0-9._-]{1,100}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;
const SAFE_CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/** The PAS's e-RS FHIR routes (docs/ers-fhir.md; described in the OpenAPI document). */
export function ersRoutes(deps: ErsRouteDependencies): express.Router {
  const router = express.Router();

  router.get('/ers/sync', async (_request, response) => {
    response.json({ budget: await deps.sync.budget(), lastRuns: [...deps.sync.lastRuns.values()] });
  });

  router.post('/ers/sync', async (_request, response) => {
    const runs = await deps.sync.runOnce();
    response.json({ runs, budget: await deps.sync.budget() });
  });

  router.get('/ers/reference-data/rejection-reasons', (_request, response) =>
    referenceData(deps, response, 'APPOINTMENT-CANCELLATION-REASON', 'REJECT'),
  );

  router.get('/ers/reference-data/:type', (request, response) => {
    const type = request.params.type as CodeSystemType;
    if (!CODE_SYSTEMS.includes(type))
      return sendProblem(response, {
        title: 'Unknown code system',
        status: 404,
        detail: `use one of ${CODE_SYSTEMS.join(', ')}`,
      });
    const usage = typeof request.query.usage === 'string' ? request.query.usage : undefined;
    return referenceData(deps, response, type, usage);
  });

  router.get('/ers/referrals/:ubrn', async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const user = userContext(request, response);
    if (user === null) return;
    let held: HeldReferral | undefined;
    try {
      held = request.query.refresh === 'true' || user ? undefined : await deps.referrals.held(ubrn);
      held ??= await deps.referrals.fetch(ubrn, user);
    } catch (error) {
      return readProblem(response, error);
    }
    void deps.attachments.runDue().catch(() => undefined);
    if (request.query.format === 'fhir') {
      response
        .type('application/fhir+json')
        .set('ETag', `W/"${held.referral.version}"`)
        .send(JSON.stringify(held.fhir));
      return;
    }
    response
      .set('ETag', `W/"${held.referral.version}"`)
      .json(await withAttachmentState(deps.store, held.referral));
  });

  // The HL7 V3 half of the same referral (bookings, cancellations, rejections on indirectly bookable services).
  router.get('/ers/referrals/:ubrn/messages', async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const found = await deps.messages.search({ ubrn, limit: 100 });
    response.json({
      ubrn,
      messages: found.map((m) => ({
        messageId: m.messageId,
        conversationId: m.conversationId,
        interactionId: m.interactionId,
        direction: m.direction,
        status: m.status,
        createdAt: m.createdAt,
        href: `/messages/${m.messageId}`,
      })),
    });
  });

  router.get('/ers/referrals/:ubrn/attachments/:id', async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const id = request.params.id as string;
    if (!ATTACHMENT_ID.test(id))
      return sendProblem(response, {
        title: 'Invalid attachment id',
        status: 400,
        detail: 'letters, digits, . _ - (up to 100)',
      });
    const attachment = await deps.store.attachment(ubrn, id);
    if (!attachment)
      return sendProblem(response, {
        title: 'Attachment not found',
        status: 404,
        detail: `referral ${ubrn} has no attachment ${id} that the gateway knows of`,
      });
    const path = deps.attachments.filePath(attachment);
    if (attachment.status !== 'DOWNLOADED' || !path) {
      const final = attachment.status === 'THREATS_FOUND' || attachment.status === 'VALIDATION_FAILED';
      return sendProblem(response, {
        title: final ? 'Attachment will never be available' : 'Attachment not downloaded yet',
        status: final ? 410 : 409,
        detail: `status ${attachment.status}${attachment.detail ? `: ${attachment.detail}` : ''}`,
        attachmentStatus: attachment.status,
        ...(final ? {} : { retryAfterSeconds: 60 }),
      });
    }
    response.status(200).set({
      'Content-Type': SAFE_CONTENT_TYPE.test(attachment.contentType)
        ? attachment.contentType
        : 'application/octet-stream',
      'Content-Length': String(attachment.size),
      'Content-Disposition': 'attachment',
      'Repr-Digest': `sha-256=:${Buffer.from(attachment.sha256!, 'hex').toString('base64')}:`,
      'X-Content-SHA256': attachment.sha256!,
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(path)
      .on('error', () => response.destroy())
      .pipe(response);
  });

  router.post('/ers/referrals/:ubrn/:action', async (request, response) => {
    const action = request.params.action as DecisionAction;
    if (!Object.hasOwn(decisionBodies, action))
      return sendProblem(response, {
        title: 'Not found',
        status: 404,
        detail: `POST ${request.path} is not an API route`,
      });
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const key = request.get('idempotency-key');
    if (!key || !IDEMPOTENCY_KEY.test(key))
      return sendProblem(response, {
        title: 'Idempotency-Key required',
        status: 400,
        detail:
          'send an Idempotency-Key header (8–200 visible ASCII characters, e.g. a UUID) so a retry never acts twice',
      });
    const parsed = decisionBodies[action].safeParse(request.body ?? {});
    if (!parsed.success) return sendProblem(response, validationProblem(parsed.error));
    const user = userContext(request, response);
    if (user === null) return;
    const answer = await deps.decisions.decide({
      action,
      ubrn,
      idempotencyKey: key,
      body: parsed.data as Record<string, unknown>,
      ...(user ? { user } : {}),
    });
    if (answer.replayed) response.set('Idempotent-Replayed', 'true');
    if (answer.retryAfterSeconds !== undefined) response.set('Retry-After', String(answer.retryAfterSeconds));
    response
      .status(answer.status)
      .type(answer.status === 200 ? 'application/json' : 'application/problem+json')
      .send(JSON.stringify(answer.body));
  });

  return router;
}

async function referenceData(
  deps: ErsRouteDependencies,
  response: Response,
  type: CodeSystemType,
  usage?: string,
) {
  try {
    const concepts = inForce(await deps.referenceData.concepts(type), new Date(), usage);
    response.json({ codeSystem: type, ...(usage ? { usage } : {}), concepts });
  } catch (error) {
    sendProblem(response, {
      title: 'Reference data unavailable',
      status: 502,
      detail: (error as Error).message,
    });
  }
}

async function withAttachmentState(store: ReferralStore, referral: ReferralJson) {
  const stored = new Map<string, StoredAttachment>(
    (await store.attachments(referral.ubrn)).map((a) => [a.attachmentId, a]),
  );
  // The clinical information summary (A007) of this version, once the gateway has asked for it.
  const summary = stored.get(clinicalInformationId(referral.version));
  const listed = summary
    ? [
        ...referral.attachments,
        {
          id: summary.attachmentId,
          title: summary.title,
          contentType: summary.contentType,
          url: summary.url,
        },
      ]
    : referral.attachments;
  return {
    ...referral,
    attachments: listed.map((info) => {
      const held = stored.get(info.id);
      return {
        ...info,
        status: held?.status ?? 'PENDING',
        ...(held?.sha256 ? { sha256: held.sha256, downloadedSize: held.size } : {}),
        ...(held?.detail && held.status !== 'DOWNLOADED' ? { detail: held.detail } : {}),
        ...(held?.status === 'DOWNLOADED'
          ? { href: `/ers/referrals/${referral.ubrn}/attachments/${encodeURIComponent(info.id)}` }
          : {}),
      };
    }),
  };
}

function checkUbrn(request: Request, response: Response): string | undefined {
  const ubrn = request.params.ubrn as string;
  if (UBRN.test(ubrn)) return ubrn;
  sendProblem(response, { title: 'Invalid UBRN', status: 400, detail: 'a UBRN is 12 digits' });
  return undefined;
}

/**
 * User-restricted calls: the PAS passes its user's e-RS session (X-ERS-Access-Token and
 * NHSD-eRS-Business-Function, optionally NHSD-End-User-Organisation-ODS and
 * NHSD-eRS-On-Behalf-Of-User-ID). Absent: the gateway calls as the application. null: answered 400.
 */
function userContext(request: Request, response: Response): UserContext | undefined | null {
  const accessToken = request.get('x-ers-access-token');
  if (accessToken === undefined) return undefined;
  const businessFunction = request.get('nhsd-ers-business-function');
  if (
    !/^[\x21-\x7e]{1,4000}$/.test(accessToken) ||
    !businessFunction ||
    !/^[A-Z_]{1,60}$/.test(businessFunction)
  ) {
    sendProblem(response, {
      title: 'Invalid user context',
      status: 400,
      detail: 'X-ERS-Access-Token needs NHSD-eRS-Business-Function (e.g. SERVICE_PROVIDER_CLINICIAN)',
    });
    return null;
  }
  const odsCode = request.get('nhsd-end-user-organisation-ods');
  const onBehalfOf = request.get('nhsd-ers-on-behalf-of-user-id');
  return {
    accessToken,
    businessFunction,
    ...(odsCode && /^[A-Z0-9]{1,10}$/.test(odsCode) ? { odsCode } : {}),
    ...(onBehalfOf && /^[0-9]{1,20}$/.test(onBehalfOf) ? { onBehalfOfUserId: onBehalfOf } : {}),
  };
}

function readProblem(response: Response, error: unknown) {
  if (error instanceof ReferralReadError) {
    const { status, error: ers } = error.answer;
    if (status === 404)
      return sendProblem(response, {
        title: 'Referral not found in e-RS',
        status: 404,
        detail: ers.diagnostics ?? 'e-RS has no such referral',
      });
    if (status === 429 || status === 503)
      return sendProblem(response, {
        title: 'e-RS is busy',
        status: 503,
        detail: `e-RS answered ${status}`,
        retryAfterSeconds: 30,
      });
    return sendProblem(response, {
      title: 'Unexpected answer from e-RS',
      status: 502,
      detail: `A005 answered ${status}${ers.code ? ` ${ers.code}` : ''}`,
      ...(ers.code ? { ersErrorCode: ers.code } : {}),
    });
  }
  if (error instanceof FhirTransportError) return sendProblem(response, errorProblem(error));
  throw error;
}

const problemRef = (description: string, example?: Record<string, unknown>) => ({
  description,
  content: {
    'application/problem+json': {
      schema: { $ref: '#/components/schemas/Problem' },
      ...(example ? { example } : {}),
    },
  },
});

const EXAMPLE_REFERRAL = {
  ubrn: '000012345678',
  version: 4,
  nhsNumber: '9990001112',
  status: 'active',
  state: { code: 'BOOKED', display: 'Booked' },
  priority: { code: 'URGENT', display: 'Urgent' },
  specialty: { code: 'DERMATOLOGY', display: 'Dermatology' },
  clinicType: { code: 'SKIN_LESION' },
  service: { id: '43210', name: 'Riverside Dermatology' },
  rttClockStart: '2026-10-02T08:30:00.000Z',
  clinicalInfoFirstSubmitted: '2026-10-02T08:45:12.000Z',
  appointment: {
    status: 'booked',
    start: '2026-11-20T10:15:00.000Z',
    end: '2026-11-20T10:30:00.000Z',
    service: { id: '43210', name: 'Riverside Dermatology' },
  },
  shortlist: [{ id: '43210', name: 'Riverside Dermatology' }],
  attachments: [
    {
      id: '55501',
      title: 'gp-letter.pdf',
      contentType: 'application/pdf',
      url: 'Binary/0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b',
      size: 2048,
      availability: 'AVAILABLE',
      attachedAs: 'REFERRER',
      status: 'DOWNLOADED',
      sha256: '3f0a1c…',
      downloadedSize: 2048,
      href: '/ers/referrals/000012345678/attachments/55501',
    },
    {
      id: '55502',
      title: 'lesion-photo.jpg',
      contentType: 'image/jpeg',
      url: 'Binary/9a8b7c6d-5e4f-4321-8abc-def012345678',
      availability: 'PENDING',
      status: 'PENDING',
      detail: 'e-RS is still scanning the file',
    },
  ],
};

const ubrnParameter = {
  name: 'ubrn',
  in: 'path',
  required: true,
  description: 'Unique Booking Reference Number (12 digits)',
  schema: { type: 'string', pattern: '^[0-9]{12}$' },
};

const userHeaders = [
  {
    name: 'X-ERS-Access-Token',
    in: 'header',
    required: false,
    description:
      "User-restricted calls only: the user's e-RS access token, passed through (never logged). Absent: the gateway calls as the application.",
    schema: { type: 'string' },
  },
  {
    name: 'NHSD-eRS-Business-Function',
    in: 'header',
    required: false,
    description: 'With X-ERS-Access-Token: the business function, e.g. SERVICE_PROVIDER_CLINICIAN',
    schema: { type: 'string' },
  },
  {
    name: 'NHSD-End-User-Organisation-ODS',
    in: 'header',
    required: false,
    description: 'With X-ERS-Access-Token: the ODS code (default ersFhir.odsCode)',
    schema: { type: 'string' },
  },
  {
    name: 'NHSD-eRS-On-Behalf-Of-User-ID',
    in: 'header',
    required: false,
    description: 'With X-ERS-Access-Token: the user acted for, when working on behalf of another',
    schema: { type: 'string' },
  },
];

const DECISION_EXAMPLES: Record<DecisionAction, { summary: string; value: unknown }> = {
  accept: { summary: 'Accept (A013): no body', value: {} },
  reject: {
    summary: 'Reject (A014): a reason with usage REJECT',
    value: {
      reason: 'SERVICE_NOT_PROVIDED',
      comments: 'Not offered at this site',
      appointmentCancelledInPas: true,
    },
  },
  'review-outcome': {
    summary: 'Record a review outcome (A028)',
    value: {
      outcome: 'ACCEPT_REFER_BOOK_LATER',
      comments: 'Book into the next urgent clinic',
      priority: 'URGENT',
    },
  },
  'cancel-appointment-action-later': {
    summary: 'Cancel the appointment, action later (A022)',
    value: { comments: 'Clinic cancelled; we will rebook', appointmentCancelledInPas: true },
  },
};

const DECISION_SUMMARIES: Record<DecisionAction, string> = {
  accept: 'Accept a referral (e-RS A013)',
  reject: 'Reject a referral with a reason (e-RS A014)',
  'review-outcome': 'Record a review (triage) outcome (e-RS A028; A029 must permit RECORD_REVIEW_OUTCOME)',
  'cancel-appointment-action-later': 'Cancel the appointment, action later (e-RS A022)',
};

/** The /ers/… paths of the OpenAPI document; decision bodies from the schemas that validate them. */
export function ersPaths(
  requestSchema: (schema: (typeof decisionBodies)[DecisionAction]) => unknown,
): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/ers/referrals/{ubrn}': {
      get: {
        tags: ['e-RS referrals'],
        summary: 'A referral as plain JSON (mapped from the STU3 ReferralRequest), or as e-RS sent it',
        description:
          "Served from the copy held since the last worklist sync or decision; `refresh=true` reads it from e-RS now (A005). The ETag is e-RS's version.",
        parameters: [
          ubrnParameter,
          {
            name: 'format',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['json', 'fhir'] },
          },
          { name: 'refresh', in: 'query', required: false, schema: { type: 'string', enum: ['true'] } },
          ...userHeaders,
        ],
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
        parameters: [
          ubrnParameter,
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            description: '8–200 visible ASCII characters, e.g. a UUID, one per decision',
            schema: { type: 'string' },
          },
          ...userHeaders,
        ],
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
  return paths;
}
