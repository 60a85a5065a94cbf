// e-RS's error answers: OperationOutcomes carrying its API error codes.
import { CS, SD } from './fhir-systems.js';

/** An STU3 OperationOutcome carrying an eRS-APIErrorCode-1 code. */
export function operationOutcome(
  code: string,
  diagnostics: string,
  issueCode = 'invalid',
): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    meta: { profile: [`${SD}eRS-OperationOutcome-1`] },
    issue: [
      {
        severity: 'error',
        code: issueCode,
        details: { coding: [{ system: `${CS}eRS-APIErrorCode-1`, code }] },
        diagnostics,
      },
    ],
  };
}

/** An R4 OperationOutcome (A042's errors use the R4 error code system). */
export function r4OperationOutcome(code: string, diagnostics: string): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'invalid',
        details: { coding: [{ system: 'https://fhir.nhs.uk/CodeSystem/ers-error-codes', code }] },
        diagnostics,
      },
    ],
  };
}
