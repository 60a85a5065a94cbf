// Coded vocabularies in C&B payloads. The PAS may name a value by our word or by its code; both
// normalise to { code, word? }. The word tables are configurable because C&B maintains the
// meanings outside the MIM; the code rules are what the MIM fixes.
import { OID } from '../hl7/index.js';
import { CabError } from './errors.js';
import { CAB_OID } from './oids.js';
import { PRIORITY_CODES } from './priority.js';

export interface CodedValue {
  code: string;
  /** Our word for the code, when the vocabulary's word table has one. */
  word?: string;
}

export interface Vocabulary {
  /** The MIM vocabulary name, e.g. ReasonForApptCancel. */
  readonly name: string;
  /** Its code system OID, written as `@codeSystem`. */
  readonly oid: string;
  /** Word → code. Several words may share a code; the first one names it. */
  readonly words: Readonly<Record<string, string>>;
  /** Codes the vocabulary accepts without a word, e.g. any two digits 01–39. */
  readonly acceptsCode: (code: string) => boolean;
  /** Those codes in words, for error messages and API descriptions. */
  readonly codeDescription: string;
}

const WORD = /^[a-z][a-z0-9-]*$/;
const CODE = /^[0-9]{1,2}$/;

/** Builds a vocabulary, refusing a word table that could be misread (bad words or codes). */
export function defineVocabulary(vocabulary: Vocabulary): Vocabulary {
  for (const [word, code] of Object.entries(vocabulary.words)) {
    if (!WORD.test(word)) {
      throw new CabError(`${vocabulary.name} word "${word}" must be lower-case letters, digits and hyphens`);
    }
    if (!CODE.test(code))
      throw new CabError(`${vocabulary.name} word "${word}" maps to "${code}", not a code`);
  }
  return Object.freeze({ ...vocabulary, words: Object.freeze({ ...vocabulary.words }) });
}

export function isCode(vocabulary: Vocabulary, code: string): boolean {
  return vocabulary.acceptsCode(code) || Object.values(vocabulary.words).includes(code);
}

export function wordFor(vocabulary: Vocabulary, code: string): string | undefined {
  return Object.keys(vocabulary.words).find((word) => vocabulary.words[word] === code);
}

/** A word or a code as { code, word? }; undefined when it is neither. */
export function toCodedValue(vocabulary: Vocabulary, value: string): CodedValue | undefined {
  const byWord = Object.hasOwn(vocabulary.words, value) ? vocabulary.words[value] : undefined;
  if (byWord !== undefined) return { code: byWord, word: value };
  if (!isCode(vocabulary, value)) return undefined;
  const word = wordFor(vocabulary, value);
  return word === undefined ? { code: value } : { code: value, word };
}

/**
 * ReasonForApptCancel (OID …4.16.18): two-digit codes, 01–19 when the provider cancels and 20–39
 * when the patient or referrer does. Default words: the codes MIM 7.2.02 lists as retired from
 * MIM 6.1.02 and so current in the 3.1.09 era (clinic or slot cancelled, clinic overran, patient
 * died or ill, holiday, more urgent engagement, wrong patient or provider, unspecified either
 * side). Any other code in range is accepted without a word, since C&B maintains the list.
 */
export const DEFAULT_CANCELLATION_REASON_WORDS: Readonly<Record<string, string>> = {
  'clinic-cancelled': '01',
  'slot-cancelled': '02',
  'clinic-overrun': '03',
  'provider-unspecified': '19',
  'patient-died': '20',
  'patient-ill': '21',
  'patient-on-holiday': '22',
  'more-urgent-engagement': '23',
  'wrong-patient': '24',
  'wrong-provider': '25',
  'patient-unspecified': '39',
};

export function reasonForApptCancel(
  words: Readonly<Record<string, string>> = DEFAULT_CANCELLATION_REASON_WORDS,
): Vocabulary {
  return defineVocabulary({
    name: 'ReasonForApptCancel',
    oid: CAB_OID.reasonForApptCancel,
    words,
    acceptsCode: (code) => cancellationCodeParty(code) !== undefined,
    codeDescription: 'two digits 01–39',
  });
}

/** Who a ReasonForApptCancel code says cancelled: 01–19 the provider, 20–39 patient or referrer. */
export function cancellationCodeParty(code: string): 'provider' | 'patient' | undefined {
  if (!/^[0-3][0-9]$/.test(code) || code === '00') return undefined;
  return Number(code) <= 19 ? 'provider' : 'patient';
}

/**
 * ReasonForDna (OID …4.16.19): codes 1, 2, 3, 4, 5, 8 and 9. Default words follow the meanings
 * MIM 7.2.02 gives them (cancelled too late, arrived too late, forgot, died, ill, did not arrive
 * for an unknown reason, not specified).
 */
export const DEFAULT_DNA_REASON_WORDS: Readonly<Record<string, string>> = {
  'cancelled-too-late': '1',
  'arrived-too-late': '2',
  'patient-forgot': '3',
  'patient-died': '4',
  'patient-ill': '5',
  'reason-not-known': '8',
  'not-specified': '9',
};

const DNA_CODES = ['1', '2', '3', '4', '5', '8', '9'];

export function reasonForDna(words: Readonly<Record<string, string>> = DEFAULT_DNA_REASON_WORDS): Vocabulary {
  return defineVocabulary({
    name: 'ReasonForDna',
    oid: CAB_OID.reasonForDna,
    words,
    acceptsCode: (code) => DNA_CODES.includes(code),
    codeDescription: DNA_CODES.join(', '),
  });
}

/** PriorityType (OID …4.17.95): 1 routine, 2 urgent, 3 two-week wait. */
export const PRIORITY_TYPE: Vocabulary = defineVocabulary({
  name: 'PriorityType',
  oid: OID.priority,
  words: PRIORITY_CODES,
  acceptsCode: (code) => Object.values(PRIORITY_CODES).includes(code),
  codeDescription: '1, 2, 3',
});

export const REASON_FOR_APPT_CANCEL: Vocabulary = reasonForApptCancel();
export const REASON_FOR_DNA: Vocabulary = reasonForDna();
