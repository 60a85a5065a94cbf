// zod fields shared by the PAS-facing JSON schemas: identifiers and coded values.
import { z } from 'zod';
import { isXmlText } from '../xml/index.js';
import { isValidNhsNumber, NHS_NUMBER_FORMAT, UBRN_FORMAT } from './identifiers.js';
import { type CodedValue, toCodedValue, type Vocabulary } from './vocabulary.js';

export const ubrnField = z
  .string()
  .regex(UBRN_FORMAT, 'must be a UBRN: 12 digits, no spaces')
  .describe('Unique Booking Reference Number: 12 digits (e.g. "000012345678")');

// Format first and abort, so a malformed value reports one issue, not two.
export const nhsNumberField = z
  .string()
  .regex(NHS_NUMBER_FORMAT, { message: 'must be an NHS number: 10 digits, no spaces', abort: true })
  .refine(isValidNhsNumber, 'is not a valid NHS number: its Modulus 11 check digit does not match')
  .describe('NHS number: 10 digits whose last is the Modulus 11 check digit');

// Any 8-4-4-4-12 hex id: USRNs are the provider's own, not necessarily RFC 9562 variants.
export const usrnField = z.guid().describe('Unique Slot Reference Number: a UUID');

export const inResponseToField = (request: string) =>
  z.string().min(1).describe(`messageId of the ${request} being answered, as the gateway gave it to the PAS`);

/**
 * A vocabulary value given as our word or as its code, normalised to { code, word? }. `only`
 * narrows the codes further (e.g. provider cancellation reasons).
 */
export function codedValueField(
  vocabulary: Vocabulary,
  only?: { accepts: (code: string) => boolean; description: string },
) {
  const words = Object.keys(vocabulary.words);
  const codes = only ? `${vocabulary.codeDescription}, ${only.description}` : vocabulary.codeDescription;
  return z
    .string()
    .transform((value, ctx): CodedValue => {
      const coded = toCodedValue(vocabulary, value);
      if (coded === undefined) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: `"${value}" is neither a ${vocabulary.name} word nor one of its codes (${vocabulary.codeDescription})`,
        });
        return z.NEVER;
      }
      if (only && !only.accepts(coded.code)) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: `"${value}" (code ${coded.code}) is not allowed here: ${only.description}`,
        });
        return z.NEVER;
      }
      return coded;
    })
    .describe(
      `${vocabulary.name} (${vocabulary.oid}): a word (${words.join(', ') || 'none configured'}) ` +
        `or a code (${codes})`,
    );
}

/** Text that goes into the HL7 as it is: refused here, naming the field, if XML cannot carry it. */
const hl7Text = () => z.string().min(1).refine(isXmlText, 'contains a character that XML 1.0 cannot carry');

/** A ControlActEvent/reason for a rejection (detected issue; EBSResponseCodes by default). */
export const businessReasonField = z
  .strictObject({
    code: hl7Text().describe('Reason code, EBSResponseCodes (2.16.840.1.113883.2.1.3.2.4.17.100)'),
    displayName: hl7Text().optional().describe('Human-readable text for the code'),
    qualifier: z
      .enum(['ER', 'WG', 'IF'])
      .default('ER')
      .describe('DetectedIssueQualifier: ER error (default), WG warning, IF information'),
  })
  .describe('A business reason, sent as ControlActEvent/reason');

/** Issues on every repeat of a key, so the PAS sees each duplicate by index. */
export function noDuplicates<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const value = key(item);
      if (seen.has(value))
        ctx.addIssue({ code: 'custom', message: `duplicate ${what} ${value}`, path: [index] });
      seen.add(value);
    });
  };
}
