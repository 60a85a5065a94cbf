import type { Response } from 'express';
import type { z } from 'zod';
import type { GatewayError } from '../errors/index.js';

/** An RFC 9457 problem body; `errors` names each offending field or carries Spine's error codes. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: unknown[];
  [extension: string]: unknown;
}

export function sendProblem(response: Response, { retryAfterSeconds, ...problem }: Problem): void {
  if (typeof retryAfterSeconds === 'number') response.set('Retry-After', String(retryAfterSeconds));
  response
    .status(problem.status)
    .type('application/problem+json')
    .json({ type: problem.type ?? 'about:blank', ...problem });
}

/**
 * The problem for a GatewayError: its title, status and message (and Retry-After, when it has one).
 * `overrides` are a route's own words for it, e.g. a RoutingError met while replaying is `409 Cannot replay`.
 */
export function errorProblem(error: GatewayError, overrides: Partial<Problem> = {}): Problem {
  return {
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    ...overrides,
  };
}

/** 503 when the message store cannot be reached: nothing the PAS did wrong, so worth retrying. */
export const STORE_UNAVAILABLE_PROBLEM: Problem = {
  title: 'Store unavailable: try again later',
  status: 503,
  detail: 'the gateway cannot reach its message store now',
  retryAfterSeconds: 5,
};

/** 400 naming every invalid field by its JSON path (e.g. `slots[0].usrn`). */
export function validationProblem(error: z.ZodError, title = 'Invalid request'): Problem {
  const errors = error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
  const first = errors[0]!;
  return { title, status: 400, detail: `${first.field}: ${first.message}`, errors };
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (out, key) =>
        typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
      '',
    ) || '(body)'
  );
}
