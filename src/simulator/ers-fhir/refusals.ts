// The refusals e-RS's actions share (decisions on referrals, A&G responses): the version checks of
// optimistic locking, and the 403/422 answers.
import { operationOutcome } from './outcomes.js';

/** An error answer: its status and OperationOutcome. */
export type SimError = { status: number; json: unknown };

/** A Parameters resource's parameters, as e-RS's actions take them. */
export type Params = {
  name?: string;
  valueCoding?: { code?: string };
  valueCodeableConcept?: { coding?: { code?: string }[] };
  valueString?: string;
  valueReference?: { reference?: string };
}[];

/** Finds a parameter by name in a (possibly absent) Parameters body. */
export function parameters(raw: unknown) {
  const list = ((raw as { parameter?: Params } | undefined)?.parameter ?? []) as Params;
  return (name: string) => list.find((p) => p.name === name);
}

export function refused(code: string, diagnostics: string): SimError {
  return { status: 422, json: operationOutcome(code, diagnostics) };
}

export function forbidden(diagnostics: string): SimError {
  return { status: 403, json: operationOutcome('ACCESS_DENIED', diagnostics, 'forbidden') };
}

/**
 * Optimistic locking: 412 without the version, 423 while another user holds the item, 409 when the
 * version given is not the current one; undefined when the action may go ahead.
 */
export function versionRefusal(
  item: { ubrn: string; version: number; locked: boolean },
  kind: 'referral' | 'request',
  version: string | undefined,
  missing: string,
): SimError | undefined {
  if (version === undefined) return { status: 412, json: operationOutcome('MISSING_VALUE', missing) };
  if (item.locked)
    return {
      status: 423,
      json: operationOutcome('LOCKED', `${kind} ${item.ubrn} is being updated by another user`, 'lock-error'),
    };
  if (Number(version) !== item.version)
    return {
      status: 409,
      json: operationOutcome(
        'CONFLICT',
        `version ${version} does not match current version ${item.version}`,
        'conflict',
      ),
    };
  return undefined;
}
