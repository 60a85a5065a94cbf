import { describe, expect, it } from 'vitest';
import {
  buildAppointmentCancellationPayload,
  buildDnaListPayload,
  buildSlotCancellationPayload,
  CabError,
  parseAppointmentCancellation,
  parseDnaList,
  parseSlotCancellation,
  reasonForDna,
} from '../../../src/cab/index.js';
import { parseWrapper } from '../../../src/hl7/index.js';
import { caught } from './caught.js';
import { readGolden } from './golden.js';
import { APPOINTMENT_CANCELLATION, DNA_LIST, SLOT_CANCELLATION } from './samples.js';
import { expectValid, interactionSchema } from './xsd.js';

const payloadOf = (interactionId: string) =>
  parseWrapper(readGolden(`mim-samples/cab/${interactionId}.xml`)).payloadXml!;

describe('CancelledSlotList (PRSC_IN100000UK06)', () => {
  it('round-trips through the golden HL7 message', () => {
    expect(parseSlotCancellation(payloadOf('PRSC_IN100000UK06'))).toEqual(SLOT_CANCELLATION);
  });

  it('writes one component per USRN, in order', () => {
    const usrns = ['A0000000-0000-4000-8000-000000000001', 'A0000000-0000-4000-8000-000000000002', 'A"3'];
    const xml = buildSlotCancellationPayload({ listId: 'L', usrns });
    expect(
      [...xml.matchAll(/<appointmentSlot classCode="SPLY" moodCode="SLOT">\s*<id root="([^"]+)"/g)].map(
        (m) => m[1],
      ),
    ).toEqual([usrns[0], usrns[1], 'A&quot;3']);
    expect(parseSlotCancellation(xml).usrns).toEqual(usrns);
  });

  it('refuses to build or read an empty list', () => {
    expect(() => buildSlotCancellationPayload({ listId: 'L', usrns: [] })).toThrow(CabError);
    const empty = buildSlotCancellationPayload(SLOT_CANCELLATION).replace(
      /<component[\s\S]*<\/component>/,
      '',
    );
    expect(caught(() => parseSlotCancellation(empty)).element).toBe(
      'CancelledSlotList/component/appointmentSlot',
    );
  });

  it('names the slot without an id', () => {
    const xml = buildSlotCancellationPayload(SLOT_CANCELLATION).replace(
      `<id root="${SLOT_CANCELLATION.usrns[1]}"/>`,
      '',
    );
    expect(caught(() => parseSlotCancellation(xml)).element).toBe(
      'CancelledSlotList/component/appointmentSlot[2]/id/@root',
    );
  });
});

describe('AppointmentCancellation notice (PRSC_IN130000UK07)', () => {
  it('round-trips through the golden HL7 message', () => {
    expect(parseAppointmentCancellation(payloadOf('PRSC_IN130000UK07'))).toEqual(APPOINTMENT_CANCELLATION);
  });

  it('writes UBRN, reason, patient and slot in model order', () => {
    const xml = buildAppointmentCancellationPayload(APPOINTMENT_CANCELLATION);
    const order = [
      '<id root="2.16.840.1.113883.2.1.3.2.4.1"',
      '<reasonCode code="01"',
      '<subject typeCode="SBJ">',
      '<pertinentInformation typeCode="PERT">',
    ];
    const positions = order.map((tag) => xml.indexOf(tag));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it.each([
    [
      /<pertinentInformation[\s\S]*<\/pertinentInformation>/,
      'AppointmentCancellation/pertinentInformation/pertinentAppointmentSlot/id/@root',
    ],
    [/<subject[\s\S]*<\/subject>/, 'AppointmentCancellation/subject/patient/id/@root'],
  ])('names the missing element (%s)', (remove, path) => {
    const xml = buildAppointmentCancellationPayload(APPOINTMENT_CANCELLATION).replace(remove, '');
    expect(caught(() => parseAppointmentCancellation(xml)).element).toBe(path);
  });
});

describe('DnaList (PRSC_IN110000UK08)', () => {
  it('round-trips through the golden HL7 message', () => {
    expect(parseDnaList(payloadOf('PRSC_IN110000UK08'))).toEqual(DNA_LIST);
  });

  it('writes ReasonForDna codes with their code system', () => {
    const xml = buildDnaListPayload(DNA_LIST);
    expect(xml).toContain('<reasonCode code="3" codeSystem="2.16.840.1.113883.2.1.3.2.4.16.19"/>');
    expect(xml).toContain('<reasonCode code="8" codeSystem="2.16.840.1.113883.2.1.3.2.4.16.19"/>');
  });

  it('refuses to build an empty list, and names the appointment at fault', () => {
    expect(() => buildDnaListPayload({ listId: 'L', appointments: [] })).toThrow(CabError);
    const badReason = buildDnaListPayload(DNA_LIST).replace('<reasonCode code="8"', '<reasonCode code="6"');
    const error = caught(() => parseDnaList(badReason));
    expect(error.element).toBe('DnaList/component/dnaAppointment[2]/reasonCode/@code');
    expect(error.message).toContain('not a ReasonForDna code (1, 2, 3, 4, 5, 8, 9)');
  });

  it('accepts a code added by configuration', () => {
    const vocabulary = reasonForDna({ 'hospital-transport-failed': '6' });
    const xml = buildDnaListPayload(
      { ...DNA_LIST, appointments: [{ ...DNA_LIST.appointments[0]!, reason: { code: '6' } }] },
      vocabulary,
    );
    expect(parseDnaList(xml, vocabulary).appointments[0]!.reason).toEqual({
      code: '6',
      word: 'hospital-transport-failed',
    });
    expectValid(interactionSchema('PRSC_IN110000UK08'), xml);
  });
});
