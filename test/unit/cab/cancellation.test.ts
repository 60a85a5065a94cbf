import { describe, expect, it } from 'vitest';
import {
  buildCancellationRequestPayload,
  buildCancellationResponsePayload,
  type CancellationRequest,
  parseCancellationRequest,
  parseCancellationResponse,
  reasonForApptCancel,
} from '../../../src/cab/index.js';
import { parseWrapper } from '../../../src/hl7/index.js';
import { caught } from './caught.js';
import { readGolden } from './golden.js';
import { CANCELLATION_REQUEST, NHS_NUMBER, UBRN } from './samples.js';
import { expectValid, interactionSchema } from './xsd.js';

const payloadOf = (interactionId: string) =>
  parseWrapper(readGolden(`mim-samples/cab/${interactionId}.xml`)).payloadXml!;

describe('RequestAppointmentCancellation (PRSC_IN070000UK08)', () => {
  it('round-trips through the golden HL7 message', () => {
    expect(parseCancellationRequest(payloadOf('PRSC_IN070000UK08'))).toEqual(CANCELLATION_REQUEST);
  });

  it('writes the reason code with the ReasonForApptCancel code system, not our word', () => {
    const xml = buildCancellationRequestPayload(CANCELLATION_REQUEST);
    expect(xml).toContain('<reasonCode code="21" codeSystem="2.16.840.1.113883.2.1.3.2.4.16.18"/>');
    expect(xml).not.toContain('patient-ill');
  });

  it('round-trips without a slot (optional in 3.1.09) and with a code that has no word', () => {
    const request: CancellationRequest = { ubrn: UBRN, reason: { code: '33' }, nhsNumber: NHS_NUMBER };
    const xml = buildCancellationRequestPayload(request);
    expect(xml).not.toContain('pertinentInformation');
    expect(parseCancellationRequest(xml)).toEqual(request);
    expectValid(interactionSchema('PRSC_IN070000UK08'), xml);
  });

  it('ignores a correspondence-suppression component', () => {
    const xml = buildCancellationRequestPayload(CANCELLATION_REQUEST).replace(
      '</RequestAppointmentCancellation>',
      '<component typeCode="COMP"><x/></component></RequestAppointmentCancellation>',
    );
    expect(parseCancellationRequest(xml)).toEqual(CANCELLATION_REQUEST);
  });

  it('names words from a configured table', () => {
    const vocabulary = reasonForApptCancel({ unwell: '21' });
    expect(parseCancellationRequest(payloadOf('PRSC_IN070000UK08'), vocabulary).reason).toEqual({
      code: '21',
      word: 'unwell',
    });
  });

  it.each([
    [
      '<reasonCode code="21"',
      '<reasonCode code="40"',
      '"40", not a ReasonForApptCancel code (two digits 01–39)',
    ],
    ['<reasonCode code="21"', '<reasonCode code="1"', '"1", not a ReasonForApptCancel code'],
  ])('refuses an unknown reason code (%s → %s)', (from, to, message) => {
    const error = caught(() =>
      parseCancellationRequest(buildCancellationRequestPayload(CANCELLATION_REQUEST).replace(from, to)),
    );
    expect(error.element).toBe('RequestAppointmentCancellation/reasonCode/@code');
    expect(error.message).toContain(message);
  });

  it.each([
    [/<reasonCode [^>]*\/>/, 'RequestAppointmentCancellation/reasonCode/@code'],
    [
      `<id root="2.16.840.1.113883.2.1.3.2.4.1" extension="${UBRN}"/>`,
      'RequestAppointmentCancellation/id/@root',
    ],
    [` extension="${NHS_NUMBER}"`, 'RequestAppointmentCancellation/subject/patient/id/@extension'],
  ])('names the missing element (%s)', (remove, path) => {
    const error = caught(() =>
      parseCancellationRequest(buildCancellationRequestPayload(CANCELLATION_REQUEST).replace(remove, '')),
    );
    expect(error.element).toBe(path);
    expect(error.message).toBe(`${path} is missing`);
  });

  it('does not read a USRN as the UBRN', () => {
    const xml = buildCancellationRequestPayload(CANCELLATION_REQUEST).replace(
      `<id root="2.16.840.1.113883.2.1.3.2.4.1" extension="${UBRN}"/>`,
      '<id root="D2E3F4A5-B6C7-4D8E-9F0A-1B2C3D4E5F60"/>',
    );
    expect(caught(() => parseCancellationRequest(xml)).message).toMatch(
      /id\/@root is "D2E3F4A5-.*", not the UBRN OID/,
    );
  });
});

describe('AppointmentCancellation response (PRSC_IN140000UK06 / PRSC_IN150000UK06)', () => {
  it.each(['PRSC_IN140000UK06', 'PRSC_IN150000UK06'])('round-trips through %s', (interactionId) => {
    expect(parseCancellationResponse(payloadOf(interactionId))).toEqual({ ubrn: UBRN });
  });

  it('holds only the UBRN, escaped', () => {
    const xml = buildCancellationResponsePayload({ ubrn: '1<2' });
    expect(xml).toBe(
      '<AppointmentCancellation xmlns="urn:hl7-org:v3" classCode="PCPR" moodCode="EVN">\n' +
        '  <id root="2.16.840.1.113883.2.1.3.2.4.1" extension="1&lt;2"/>\n' +
        '</AppointmentCancellation>',
    );
    expect(parseCancellationResponse(xml)).toEqual({ ubrn: '1<2' });
  });

  it('names a missing UBRN extension', () => {
    const xml = buildCancellationResponsePayload({ ubrn: UBRN }).replace(` extension="${UBRN}"`, '');
    expect(caught(() => parseCancellationResponse(xml)).element).toBe(
      'AppointmentCancellation/id/@extension',
    );
  });
});
