import type { EbxmlError } from '../../ebxml/index.js';
import { type ValidationResult, validateEnvelope } from '../../schemas/index.js';
import type { Check } from './check.js';
import type { Received } from './received.js';

/**
 * Conformance V1: the envelope against our own XSDs (SOAP 1.1, ebMS 2.0, XMLDSig). The receive
 * pipeline judges the document it parsed (`envelopeSchema`), so the envelope is parsed once;
 * without that verdict the check validates the envelope text itself.
 */
export const envelopeMatchesSchema: Check<Received> = ({ envelopeSchema, message }) =>
  envelopeSchema
    ? envelopeSchema.problem
    : envelopeSchemaProblem(() => validateEnvelope(message.envelopeXml));

/** What a validation of the envelope means for the sender: nothing, or an OtherXml error. */
export function envelopeSchemaProblem(validate: () => ValidationResult): EbxmlError | undefined {
  let result: ValidationResult;
  try {
    result = validate();
  } catch (error) {
    // The same envelope would fail the same way on every resend: an error, never a 500 (issue 13).
    return otherXml(
      `envelope could not be checked against the ebMS 2.0 schema: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (result.valid) return undefined;
  const first = result.errors[0]!;
  return otherXml(
    `envelope not valid against the ebMS 2.0 schema: ${first.message}${first.line ? ` (line ${first.line})` : ''}`,
  );
}

function otherXml(description: string): EbxmlError {
  return { errorCode: 'OtherXml', severity: 'Error', description };
}
