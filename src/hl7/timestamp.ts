// HL7 V3 TS values (YYYYMMDD[HHMM[SS[.S]]]) as the gateway writes them: always in UTC.
import { Hl7Error } from './errors.js';

/**
 * `seconds`: always YYYYMMDDHHMMSS, milliseconds dropped (the wrapper's creationTime).
 * `exact`: YYYYMMDDHHMM, with seconds (and milliseconds after a dot) only when they are not zero,
 * so no precision is lost (C&B payload times).
 */
export type Hl7TimestampPrecision = 'seconds' | 'exact';

/** An instant as an HL7 TS in UTC; `what` names the field in the error for an invalid date. */
export function formatHl7Timestamp(time: Date, precision: Hl7TimestampPrecision, what = 'timestamp'): string {
  if (Number.isNaN(time.getTime())) throw new Hl7Error(`${what} is not a valid date`);
  const digits = time.toISOString().replace(/[-T:Z]/g, ''); // YYYYMMDDHHMMSS.mmm
  const [whole = '', millis = '000'] = digits.split('.');
  if (precision === 'seconds') return whole;
  if (millis !== '000') return `${whole}.${millis}`;
  return whole.endsWith('00') ? whole.slice(0, 12) : whole;
}
