import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  appointmentCancellationRequestSchema,
  cabRequestSchemas,
  confirmAppointmentRequestSchema,
  confirmCancellationRequestSchema,
  dnaListRequestSchema,
  reasonForApptCancel,
  rejectAppointmentRequestSchema,
  rejectCancellationRequestSchema,
  slotCancellationRequestSchema,
} from '../../../src/cab/index.js';
import { NHS_NUMBER, UBRN } from './samples.js';

const USRN = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';

function issues(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error!.issues;
}

const paths = (schema: z.ZodType, input: unknown) => issues(schema, input).map((i) => i.path);

describe('confirm / reject appointment and cancellation', () => {
  it('accept inResponseTo alone, and reasons on rejection with qualifier ER by default', () => {
    expect(confirmAppointmentRequestSchema.parse({ inResponseTo: 'M1' })).toEqual({ inResponseTo: 'M1' });
    expect(
      rejectAppointmentRequestSchema.parse({
        inResponseTo: 'M1',
        reasons: [
          { code: '5001', displayName: 'Slot gone' },
          { code: '5002', qualifier: 'WG' },
        ],
      }),
    ).toEqual({
      inResponseTo: 'M1',
      reasons: [
        { code: '5001', displayName: 'Slot gone', qualifier: 'ER' },
        { code: '5002', qualifier: 'WG' },
      ],
    });
    expect(rejectCancellationRequestSchema.parse({ inResponseTo: 'M2' })).toEqual({ inResponseTo: 'M2' });
    expect(
      confirmCancellationRequestSchema.parse({
        inResponseTo: 'M2',
        reasons: [{ code: 'I1', qualifier: 'IF' }],
      }).reasons,
    ).toEqual([{ code: 'I1', qualifier: 'IF' }]);
  });

  it('name the field at fault', () => {
    expect(paths(confirmAppointmentRequestSchema, {})).toEqual([['inResponseTo']]);
    expect(paths(confirmAppointmentRequestSchema, { inResponseTo: '' })).toEqual([['inResponseTo']]);
    expect(issues(confirmAppointmentRequestSchema, { inResponseTo: 'M', reasons: [] })[0]?.code).toBe(
      'unrecognized_keys',
    );
    expect(
      paths(rejectAppointmentRequestSchema, { inResponseTo: 'M', reasons: [{ code: 'X', qualifier: 'XX' }] }),
    ).toEqual([['reasons', 0, 'qualifier']]);
    expect(paths(rejectCancellationRequestSchema, { inResponseTo: 'M', reasons: [{ code: '' }] })).toEqual([
      ['reasons', 0, 'code'],
    ]);
    expect(
      issues(rejectCancellationRequestSchema, { inResponseTo: 'M', reasons: [{ code: 'X', text: 'y' }] })[0],
    ).toMatchObject({
      code: 'unrecognized_keys',
      path: ['reasons', 0],
    });
  });
});

describe('slotCancellationRequestSchema', () => {
  it('accepts one or more USRNs', () => {
    expect(slotCancellationRequestSchema.parse({ usrns: [USRN] })).toEqual({ usrns: [USRN] });
  });

  it('refuses none, a non-UUID and a repeat, naming the index', () => {
    expect(paths(slotCancellationRequestSchema, { usrns: [] })).toEqual([['usrns']]);
    expect(paths(slotCancellationRequestSchema, { usrns: [USRN, 'slot-2'] })).toEqual([['usrns', 1]]);
    expect(
      issues(slotCancellationRequestSchema, { usrns: [USRN, 'x', USRN.toUpperCase()] }).map((i) => [
        i.path,
        i.message,
      ]),
    ).toEqual([
      [['usrns', 1], expect.any(String)],
      [['usrns', 2], `duplicate USRN ${USRN.toUpperCase()}`],
    ]);
  });
});

describe('appointmentCancellationRequestSchema', () => {
  const valid = { ubrn: UBRN, usrn: USRN, nhsNumber: NHS_NUMBER, reason: 'clinic-cancelled' };

  it('accepts a provider reason as a word or a code and normalises it', () => {
    expect(appointmentCancellationRequestSchema.parse(valid).reason).toEqual({
      code: '01',
      word: 'clinic-cancelled',
    });
    expect(appointmentCancellationRequestSchema.parse({ ...valid, reason: '02' }).reason).toEqual({
      code: '02',
      word: 'slot-cancelled',
    });
    expect(appointmentCancellationRequestSchema.parse({ ...valid, reason: '11' }).reason).toEqual({
      code: '11',
    });
  });

  it.each([
    ['patient-ill', /not allowed here: the provider cancels, so only codes 01–19/],
    ['21', /not allowed here/],
    ['40', /neither a ReasonForApptCancel word nor one of its codes/],
    ['Clinic-Cancelled', /neither/],
  ])('refuses reason %s', (reason, message) => {
    const [issue] = issues(appointmentCancellationRequestSchema, { ...valid, reason });
    expect(issue?.path).toEqual(['reason']);
    expect(issue?.message).toMatch(message);
  });

  it.each([
    ['nhsNumber', '9434765918', 'check digit does not match'],
    ['nhsNumber', '943476591', 'must be an NHS number: 10 digits'],
    ['nhsNumber', '943 476 5919', 'must be an NHS number: 10 digits'],
    ['ubrn', '12345678901', 'must be a UBRN: 12 digits'],
    ['usrn', 'not-a-uuid', ''],
  ])('refuses %s %s with one issue naming it', (field, value, message) => {
    const found = issues(appointmentCancellationRequestSchema, { ...valid, [field]: value });
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toEqual([field]);
    expect(found[0]?.message).toContain(message);
  });

  it('refuses unknown and missing fields', () => {
    expect(issues(appointmentCancellationRequestSchema, { ...valid, reasonCode: '01' })[0]?.code).toBe(
      'unrecognized_keys',
    );
    const { nhsNumber: _n, ...missing } = valid;
    expect(paths(appointmentCancellationRequestSchema, missing)).toEqual([['nhsNumber']]);
  });
});

describe('dnaListRequestSchema', () => {
  const appointment = { ubrn: UBRN, usrn: USRN, nhsNumber: NHS_NUMBER, reason: 'patient-forgot' };

  it('normalises ReasonForDna words and codes', () => {
    const parsed = dnaListRequestSchema.parse({
      appointments: [
        appointment,
        { ...appointment, ubrn: '012345678902', reason: '9' },
        { ...appointment, ubrn: '012345678903', reason: '8' },
      ],
    });
    expect(parsed.appointments.map((a) => a.reason)).toEqual([
      { code: '3', word: 'patient-forgot' },
      { code: '9', word: 'not-specified' },
      { code: '8', word: 'reason-not-known' },
    ]);
  });

  it('names the appointment and field at fault', () => {
    expect(paths(dnaListRequestSchema, { appointments: [] })).toEqual([['appointments']]);
    expect(
      paths(dnaListRequestSchema, {
        appointments: [appointment, { ...appointment, ubrn: '012345678902', reason: '6' }],
      }),
    ).toEqual([['appointments', 1, 'reason']]);
    expect(
      paths(dnaListRequestSchema, {
        appointments: [appointment, { ...appointment, ubrn: '012345678902', nhsNumber: '9434765918' }],
      }),
    ).toEqual([['appointments', 1, 'nhsNumber']]);
    expect(issues(dnaListRequestSchema, { appointments: [appointment, appointment] })).toMatchObject([
      { path: ['appointments', 1], message: `duplicate UBRN ${UBRN}` },
    ]);
  });
});

describe('cabRequestSchemas', () => {
  it('uses configured word tables', () => {
    const schemas = cabRequestSchemas({
      cancellationReasons: reasonForApptCancel({ 'consultant-unavailable': '05' }),
    });
    const base = { ubrn: UBRN, usrn: USRN, nhsNumber: NHS_NUMBER };
    expect(
      schemas.appointmentCancellationRequestSchema.parse({ ...base, reason: 'consultant-unavailable' })
        .reason,
    ).toEqual({
      code: '05',
      word: 'consultant-unavailable',
    });
    expect(
      schemas.appointmentCancellationRequestSchema.safeParse({ ...base, reason: 'clinic-cancelled' }).success,
    ).toBe(false);
    expect(schemas.appointmentCancellationRequestSchema.parse({ ...base, reason: '01' }).reason).toEqual({
      code: '01',
    });
  });

  it('describes every field for the OpenAPI document', () => {
    const schemas = cabRequestSchemas();
    for (const [name, schema] of Object.entries(schemas)) {
      expect(schema.description, name).toBeTruthy();
      for (const [field, fieldSchema] of Object.entries(schema.shape)) {
        expect((fieldSchema as z.ZodType).description, `${name}.${field}`).toBeTruthy();
      }
    }
    expect(schemas.appointmentCancellationRequestSchema.shape.reason.description).toContain(
      'clinic-cancelled',
    );
  });
});
