import { createError } from '../errors/index.js';
/** A failure the user can fix; printed as one line, exit 1. */
export class UsageError extends createError('USAGE', 400, 'Invalid usage') {}

/** A whole-number option (`--messages 500`): the fallback when absent, a one-line error when not a number ≥ min. */
export function wholeNumber(value: string | undefined, flag: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} must be a whole number of at least ${min}`);
  return n;
}
