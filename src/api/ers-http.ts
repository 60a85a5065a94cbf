// What the /ers/… routes share: UBRN and key checks, the user's session, file states and answers.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import {
  type ActionAnswer,
  AdviceReadError,
  AdviceShapeError,
  FhirTransportError,
  type ReferralJson,
  ReferralReadError,
  type UserContext,
} from '../ers-fhir/index.js';
import type { ReferralStore, StoredAttachment } from '../store/index.js';
import { errorProblem, sendProblem, validationProblem } from './problem.js';

const UBRN = /^[0-9]{12}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,200}$/;

export function checkUbrn(request: Request, response: Response): string | undefined {
  const ubrn = request.params.ubrn as string;
  if (UBRN.test(ubrn)) return ubrn;
  sendProblem(response, { title: 'Invalid UBRN', status: 400, detail: 'a UBRN is 12 digits' });
  return undefined;
}

/** The Idempotency-Key every acting route needs; undefined when answered 400. */
export function idempotencyKey(request: Request, response: Response): string | undefined {
  const key = request.get('idempotency-key');
  if (key && IDEMPOTENCY_KEY.test(key)) return key;
  sendProblem(response, {
    title: 'Idempotency-Key required',
    status: 400,
    detail:
      'send an Idempotency-Key header (8–200 visible ASCII characters, e.g. a UUID) so a retry never acts twice',
  });
  return undefined;
}

/**
 * An acting route's request (POST …/:ubrn/:action): the action named in the path, the UBRN, the
 * Idempotency-Key and the action's body checked; undefined once answered (404, 400).
 */
export function actionRequest<S extends Record<string, z.ZodType>>(
  request: Request,
  response: Response,
  bodies: S,
):
  | { action: keyof S & string; ubrn: string; idempotencyKey: string; body: z.output<S[keyof S]> }
  | undefined {
  const action = request.params.action as keyof S & string;
  if (!Object.hasOwn(bodies, action)) {
    sendProblem(response, {
      title: 'Not found',
      status: 404,
      detail: `POST ${request.path} is not an API route`,
    });
    return undefined;
  }
  const ubrn = checkUbrn(request, response);
  if (!ubrn) return undefined;
  const key = idempotencyKey(request, response);
  if (!key) return undefined;
  const parsed = bodies[action]!.safeParse(request.body ?? {});
  if (!parsed.success) {
    sendProblem(response, validationProblem(parsed.error));
    return undefined;
  }
  return { action, ubrn, idempotencyKey: key, body: parsed.data as z.output<S[keyof S]> };
}

/**
 * User-restricted calls: the PAS passes its user's e-RS session (X-ERS-Access-Token and
 * NHSD-eRS-Business-Function, optionally NHSD-End-User-Organisation-ODS and
 * NHSD-eRS-On-Behalf-Of-User-ID). Absent: the gateway calls as the application. null: answered 400.
 */
export function userContext(request: Request, response: Response): UserContext | undefined | null {
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

/**
 * A referral or A&G request with its files' states; the PDF e-RS generates for this version
 * (`generatedId`: A007's summary, A043's overview) is listed once the gateway has asked for it.
 */
export async function withItemFiles<
  T extends { ubrn: string; version: number; attachments: ReferralJson['attachments'] },
>(store: ReferralStore, item: T, generatedId: (version: number) => string) {
  return {
    ...item,
    attachments: await withFileState(store, item.ubrn, item.attachments, generatedId(item.version)),
  };
}

/**
 * The files e-RS listed, plus the generated PDF (`generatedId`: A007 summary or A043 overview) once
 * the gateway has asked for it, each with the gateway's download state and, when on disk, its href.
 */
export async function withFileState(
  store: ReferralStore,
  ubrn: string,
  files: ReferralJson['attachments'],
  generatedId?: string,
) {
  const stored = new Map<string, StoredAttachment>(
    (await store.attachments(ubrn)).map((a) => [a.attachmentId, a]),
  );
  const generated = generatedId ? stored.get(generatedId) : undefined;
  const listed: ReferralJson['attachments'] = generated
    ? [
        ...files,
        {
          id: generated.attachmentId,
          title: generated.title,
          contentType: generated.contentType,
          url: generated.url,
        },
      ]
    : files;
  return listed.map((info) => {
    const held = stored.get(info.id);
    return {
      ...info,
      status: held?.status ?? 'PENDING',
      ...(held?.sha256 ? { sha256: held.sha256, downloadedSize: held.size } : {}),
      ...(held?.detail && held.status !== 'DOWNLOADED' ? { detail: held.detail } : {}),
      ...(held?.status === 'DOWNLOADED'
        ? { href: `/ers/referrals/${ubrn}/attachments/${encodeURIComponent(info.id)}` }
        : {}),
    };
  });
}

/** An action's answer: its status and JSON, Retry-After and Idempotent-Replayed as they apply. */
export function sendAnswer(response: Response, answer: ActionAnswer): void {
  if (answer.replayed) response.set('Idempotent-Replayed', 'true');
  if (answer.retryAfterSeconds !== undefined) response.set('Retry-After', String(answer.retryAfterSeconds));
  response
    .status(answer.status)
    .type(answer.status < 300 ? 'application/json' : 'application/problem+json')
    .send(JSON.stringify(answer.body));
}

/**
 * A read that failed (A005 for a referral; A023–A025 for Advice and Guidance) as a problem: 404 as
 * such, e-RS busy as 503, no answer as 504, anything else 502 naming e-RS's code. For A&G, e-RS's
 * 403 and 422 (e.g. INVALID_REQUEST_TYPE: the UBRN is a referral) reach the PAS as they are.
 */
export function readProblem(response: Response, error: unknown) {
  if (error instanceof ReferralReadError || error instanceof AdviceReadError) {
    const { status, error: ers } = error.answer;
    const advice = error instanceof AdviceReadError;
    const endpoint = advice ? error.endpoint : 'A005';
    const code = ers.code ? { ersErrorCode: ers.code } : {};
    if (status === 404)
      return sendProblem(response, {
        title: advice ? 'Advice and guidance request not found in e-RS' : 'Referral not found in e-RS',
        status: 404,
        detail: ers.diagnostics ?? `e-RS has no such ${advice ? 'request' : 'referral'}`,
      });
    if (advice && (status === 403 || status === 422))
      return sendProblem(response, {
        title: status === 403 ? 'e-RS refused access' : 'e-RS refused the request',
        status,
        detail: `${endpoint} answered ${status}${ers.code ? ` ${ers.code}` : ''}${ers.diagnostics ? `: ${ers.diagnostics}` : ''}`,
        ...code,
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
      detail: `${endpoint} answered ${status}${ers.code ? ` ${ers.code}` : ''}`,
      ...code,
    });
  }
  if (error instanceof AdviceShapeError || error instanceof FhirTransportError)
    return sendProblem(response, errorProblem(error));
  throw error;
}
