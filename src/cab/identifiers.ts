// The business identifiers of C&B: UBRN (booking), USRN (slot) and NHS number (patient).
import { el, OID, type XmlElementSpec } from '../hl7/index.js';

/**
 * Assumption: a UBRN is 12 digits, as e-RS prints it (e.g. 0000 0000 0000 without spaces). The
 * MIM only says it is unique within C&B, so payload parsers pass any extension through and only
 * the PAS-facing JSON schemas insist on this format.
 */
export const UBRN_FORMAT = /^\d{12}$/;

export const NHS_NUMBER_FORMAT = /^\d{10}$/;

/** Ten digits whose last is the Modulus 11 check digit of the first nine (weights 10 down to 2). */
export function isValidNhsNumber(value: string): boolean {
  if (!NHS_NUMBER_FORMAT.test(value)) return false;
  const digits = [...value].map(Number);
  const sum = digits.slice(0, 9).reduce((total, digit, i) => total + digit * (10 - i), 0);
  const check = 11 - (sum % 11);
  // 10 cannot be a check digit: no NHS number is issued with one.
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === digits[9];
}

/** `id @root="{UBRN OID}" @extension="{UBRN}"`. */
export function ubrnId(ubrn: string): XmlElementSpec {
  return el('id', { root: OID.ubrn, extension: ubrn });
}

/** `id @root="{NHS number OID}" @extension="{NHS number}"`. */
export function nhsNumberId(nhsNumber: string): XmlElementSpec {
  return el('id', { root: OID.nhsNumber, extension: nhsNumber });
}
