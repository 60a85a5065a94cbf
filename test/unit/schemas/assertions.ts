// One assertion other test folders use to prove that what they build or sign is valid against
// our own XSDs: it fails with the schema's one-line errors, so the offending element is named.
import { expect } from 'vitest';
import { validateEnvelope } from '../../../src/schemas/index.js';

export function expectValidEnvelope(xml: string | Buffer, label = 'envelope'): void {
  const { errors } = validateEnvelope(xml);
  expect(
    errors.map((e) => (e.line ? `line ${e.line}: ${e.message}` : e.message)),
    `${label} is not valid against schemas/`,
  ).toEqual([]);
}
