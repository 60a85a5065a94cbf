import type { Response } from 'express';
import type { z } from 'zod';

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
