// What the PAS is answered when a call to e-RS acts or fails: problem bodies and the mapping of
// transport failures, exhausted back-off and a refused token. Shared by decisions and A&G.
import { setTimeout as sleep } from 'node:timers/promises';
import { type FhirAnswer, FhirTransportError } from './client.js';

/** An HTTP status and a JSON body (a problem body for anything but 2xx). */
export interface ActionAnswer {
  status: number;
  body: Record<string, unknown>;
  retryAfterSeconds?: number;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed?: boolean;
}

/** `final`: e-RS acted or refused for good (kept for retries); otherwise nothing happened and the key is freed. */
export type FinalAnswer = ActionAnswer & { final: boolean };

/** A problem instead of e-RS's answer; `unknown` when e-RS may have acted (it did not answer). */
export interface CallProblem {
  problem: ActionAnswer;
  unknown: boolean;
}

const PROBLEM = 'https://mhs-gateway/problems/ers/';

export function problem(
  status: number,
  title: string,
  detail: string,
  type: string,
  extra: Record<string, unknown> = {},
): ActionAnswer {
  return { status, body: { type: `${PROBLEM}${type}`, title, status, detail, ...extra } };
}

/** Runs one call; transport failures, exhausted back-off and a refused fresh token become problems. */
export async function callSafely(run: () => Promise<FhirAnswer>): Promise<FhirAnswer | CallProblem> {
  try {
    const answer = await run();
    if (answer.status === 429 || answer.status === 503)
      return {
        problem: {
          ...problem(
            503,
            'e-RS is busy',
            `e-RS answered ${answer.status} after the gateway backed off; retry later with the same Idempotency-Key`,
            'busy',
          ),
          retryAfterSeconds: 30,
        },
        unknown: false,
      };
    if (answer.status === 401)
      return {
        problem: problem(
          502,
          'e-RS refused the gateway',
          'e-RS answered 401 with a fresh token; see the gateway log',
          'unauthorised',
        ),
        unknown: false,
      };
    return answer;
  } catch (error) {
    if (!(error instanceof FhirTransportError)) throw error;
    return {
      problem: {
        ...problem(504, 'e-RS did not answer', error.message, 'unreachable'),
        retryAfterSeconds: 30,
      },
      unknown: true,
    };
  }
}

/** A lock is held only for the length of another caller's request: one wait, then the PAS is told. */
const LOCK_WAIT_MS = 1000;

/** callSafely, waiting out one 423 (another user's request in flight) before giving e-RS's answer. */
export async function callWaitingOutLock(run: () => Promise<FhirAnswer>): Promise<FhirAnswer | CallProblem> {
  const answer = await callSafely(run);
  if ('problem' in answer || answer.status !== 423) return answer;
  await sleep(LOCK_WAIT_MS);
  return callSafely(run);
}

/** e-RS acted: 200 naming the UBRN and action, with what the caller adds (versions, the referral…). */
export function recorded(
  request: { ubrn: string; action: string },
  extra: Record<string, unknown>,
): ActionAnswer {
  return { status: 200, body: { ubrn: request.ubrn, action: request.action, outcome: 'recorded', ...extra } };
}

/** e-RS's 409: the action was made on an older version; kept, so a blind retry cannot act on the new one. */
export function versionChanged(what: string, detail: string, extra: Record<string, unknown>): FinalAnswer {
  return { ...problem(409, `${what} changed in e-RS`, detail, 'version-changed', extra), final: true };
}

/** e-RS's 404: it holds no such item; nothing happened, so the key is freed. */
export function notFoundInErs(what: string, detail: string): FinalAnswer {
  return { ...problem(404, `${what} not found in e-RS`, detail, 'not-found'), final: false };
}

/** An answer the caller has no mapping for: 503 when e-RS was busy, else 502 naming e-RS's code. */
export function unexpected(endpoint: string, answer: FhirAnswer): ActionAnswer {
  if (answer.status === 429 || answer.status === 503)
    return {
      ...problem(503, 'e-RS is busy', `${endpoint}: e-RS answered ${answer.status}`, 'busy'),
      retryAfterSeconds: 30,
    };
  return problem(
    502,
    'Unexpected answer from e-RS',
    `${endpoint} answered ${answer.status}${answer.error.code ? ` ${answer.error.code}` : ''}${answer.error.diagnostics ? `: ${answer.error.diagnostics}` : ''}`,
    'unexpected',
    {
      ...(answer.error.code ? { ersErrorCode: answer.error.code } : {}),
    },
  );
}

/** e-RS's 423: another user holds it; the key is freed so the same request may come again. */
export function locked(what: string, detail: string): FinalAnswer {
  return {
    ...problem(
      423,
      `${what} locked in e-RS`,
      `${detail}; retry later with the same Idempotency-Key`,
      'locked',
    ),
    retryAfterSeconds: 30,
    final: false,
  };
}

/** e-RS's 422: a refusal for good, kept under the key, naming e-RS's code and diagnostics. */
export function refused(title: string, answer: FhirAnswer): FinalAnswer {
  return {
    ...problem(
      422,
      title,
      answer.error.diagnostics ?? `e-RS answered 422 ${answer.error.code ?? ''}`.trim(),
      'refused',
      { ersErrorCode: answer.error.code ?? 'UNKNOWN' },
    ),
    final: true,
  };
}
