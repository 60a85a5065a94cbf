import type { EbxmlError } from '../../ebxml/index.js';
import { validateEnvelope } from '../../schemas/index.js';
import type { Check } from './check.js';
import type { Received } from './received.js';

/** Conformance V1: the envelope against our own XSDs (SOAP 1.1, ebMS 2.0, XMLDSig). */
export const envelopeMatchesSchema: Check<Received> = ({ message }) => {
  let result: ReturnType<typeof validateEnvelope>;
  try {
    result = validateEnvelope(message.envelopeXml);
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
};

function otherXml(description: string): EbxmlError {
  return { errorCode: 'OtherXml', severity: 'Error', description };
}
