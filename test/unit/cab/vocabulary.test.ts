import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CabError,
  cancellationCodeParty,
  isCode,
  isValidNhsNumber,
  PRIORITY_TYPE,
  REASON_FOR_APPT_CANCEL,
  REASON_FOR_DNA,
  reasonForApptCancel,
  toCodedValue,
} from '../../../src/cab/index.js';

/** Appends the Modulus 11 check digit, or undefined when it would be 10. */
function withCheckDigit(nine: string): string | undefined {
  const sum = [...nine].reduce((total, d, i) => total + Number(d) * (10 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? undefined : `${nine}${check}`;
}

describe('isValidNhsNumber', () => {
  it.each(['9434765919', '9876543210', '4010232137'])('accepts %s', (n) => {
    expect(isValidNhsNumber(n)).toBe(true);
  });

  it.each([
    ['9434765918', 'wrong check digit'],
    ['943476591', 'nine digits'],
    ['94347659190', 'eleven digits'],
    ['943 476 5919', 'spaces'],
    ['123456789A', 'a letter'],
    ['1234567891', 'check digit would be 10 (sum 210)'],
  ])('refuses %s (%s)', (n) => {
    expect(isValidNhsNumber(n)).toBe(false);
  });

  it('accepts exactly one final digit for any nine digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{9}$/), (nine) => {
        const valid = [...'0123456789'].filter((d) => isValidNhsNumber(`${nine}${d}`));
        const expected = withCheckDigit(nine);
        expect(valid).toEqual(expected === undefined ? [] : [expected.slice(-1)]);
      }),
    );
  });
});

describe('ReasonForApptCancel', () => {
  it('normalises words and codes to { code, word? }', () => {
    expect(toCodedValue(REASON_FOR_APPT_CANCEL, 'clinic-cancelled')).toEqual({
      code: '01',
      word: 'clinic-cancelled',
    });
    expect(toCodedValue(REASON_FOR_APPT_CANCEL, '21')).toEqual({ code: '21', word: 'patient-ill' });
    expect(toCodedValue(REASON_FOR_APPT_CANCEL, '30')).toEqual({ code: '30' });
  });

  it.each(['00', '40', '99', '1', '010', 'Clinic-Cancelled', 'toString', ''])('refuses %j', (value) => {
    expect(toCodedValue(REASON_FOR_APPT_CANCEL, value)).toBeUndefined();
  });

  it('says who cancelled: 01–19 provider, 20–39 patient or referrer', () => {
    expect(['01', '19', '20', '39', '40', '00'].map(cancellationCodeParty)).toEqual([
      'provider',
      'provider',
      'patient',
      'patient',
      undefined,
      undefined,
    ]);
  });

  it('takes a configured table, which may add a code outside the range', () => {
    const vocabulary = reasonForApptCancel({ 'not-known': '99', 'ward-closed': '04' });
    expect(toCodedValue(vocabulary, 'not-known')).toEqual({ code: '99', word: 'not-known' });
    expect(toCodedValue(vocabulary, '04')).toEqual({ code: '04', word: 'ward-closed' });
    expect(toCodedValue(vocabulary, 'clinic-cancelled')).toBeUndefined();
    expect(isCode(vocabulary, '01')).toBe(true);
  });

  it('refuses a table with a word that could be read as a code, or a code that is not one', () => {
    expect(() => reasonForApptCancel({ '21': '21' })).toThrow(CabError);
    expect(() => reasonForApptCancel({ 'Patient Ill': '21' })).toThrow(/lower-case/);
    expect(() => reasonForApptCancel({ ill: 'twenty-one' })).toThrow(/not a code/);
  });
});

describe('ReasonForDna and PriorityType', () => {
  it('accept only their codes', () => {
    expect(
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].filter((c) => isCode(REASON_FOR_DNA, c)),
    ).toEqual(['1', '2', '3', '4', '5', '8', '9']);
    expect(toCodedValue(REASON_FOR_DNA, 'patient-forgot')).toEqual({ code: '3', word: 'patient-forgot' });
    expect(toCodedValue(PRIORITY_TYPE, '2')).toEqual({ code: '2', word: 'urgent' });
    expect(toCodedValue(PRIORITY_TYPE, 'two-week-wait')).toEqual({ code: '3', word: 'two-week-wait' });
    expect(toCodedValue(PRIORITY_TYPE, '4')).toBeUndefined();
  });
});
