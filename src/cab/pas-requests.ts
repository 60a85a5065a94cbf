// JSON the PAS posts to answer e-RS or to notify it. One strict schema per endpoint, so a
// misspelt field is refused rather than dropped; every field is described for /openapi.json.
// Built per vocabulary table: the defaults below use the default word tables.
import { z } from 'zod';
import {
  businessReasonField,
  codedValueField,
  inResponseToField,
  nhsNumberField,
  noDuplicates,
  ubrnField,
  usrnField,
} from './request-fields.js';
import {
  cancellationCodeParty,
  REASON_FOR_APPT_CANCEL,
  REASON_FOR_DNA,
  type Vocabulary,
} from './vocabulary.js';

export interface CabVocabularies {
  /** ReasonForApptCancel; default REASON_FOR_APPT_CANCEL. */
  cancellationReasons?: Vocabulary;
  /** ReasonForDna; default REASON_FOR_DNA. */
  dnaReasons?: Vocabulary;
}

const reasons = z
  .array(businessReasonField)
  .optional()
  .describe('Business reasons, sent as ControlActEvent/reason (detected issues)');

export function cabRequestSchemas(vocabularies: CabVocabularies = {}) {
  const cancelReasons = vocabularies.cancellationReasons ?? REASON_FOR_APPT_CANCEL;
  const dnaReasons = vocabularies.dnaReasons ?? REASON_FOR_DNA;
  const providerReason = codedValueField(cancelReasons, {
    accepts: (code) => cancellationCodeParty(code) === 'provider',
    description: 'the provider cancels, so only codes 01–19',
  });

  const confirmAppointmentRequestSchema = z
    .strictObject({ inResponseTo: inResponseToField('Request Appointment Confirmation (PRSC_IN040000UK08)') })
    .describe("Confirm Appointment (PRSC_IN050000UK06): the slot is held; book it on e-RS's AA");

  /** An answer to e-RS's request `request`, giving the business reasons. */
  const answerWithReasons = (request: string, description: string) =>
    z.strictObject({ inResponseTo: inResponseToField(request), reasons }).describe(description);

  const rejectAppointmentRequestSchema = answerWithReasons(
    'Request Appointment Confirmation (PRSC_IN040000UK08)',
    'Reject Appointment (PRSC_IN060000UK06)',
  );

  const confirmCancellationRequestSchema = answerWithReasons(
    'Request Appointment Cancellation (PRSC_IN070000UK08)',
    'Confirm Appointment Cancellation (PRSC_IN140000UK06)',
  );

  const rejectCancellationRequestSchema = answerWithReasons(
    'Request Appointment Cancellation (PRSC_IN070000UK08)',
    'Reject Appointment Cancellation (PRSC_IN150000UK06)',
  );

  const slotCancellationRequestSchema = z
    .strictObject({
      usrns: z
        .array(usrnField)
        .min(1)
        .superRefine(noDuplicates((usrn: string) => usrn.toUpperCase(), 'USRN'))
        .describe('USRNs of the free slots withdrawn; at least one, no repeats'),
    })
    .describe('Notify Slot Cancellation (PRSC_IN100000UK06): free slots withdrawn; e-RS cannot refuse');

  const appointmentCancellationRequestSchema = z
    .strictObject({
      ubrn: ubrnField,
      usrn: usrnField.describe('USRN of the booked slot'),
      nhsNumber: nhsNumberField,
      reason: providerReason,
    })
    .describe('Notify Appointment Cancellation (PRSC_IN130000UK07): the provider cancels a booking');

  const dnaAppointment = z
    .strictObject({
      ubrn: ubrnField,
      usrn: usrnField.describe('USRN of the slot not attended'),
      nhsNumber: nhsNumberField,
      reason: codedValueField(dnaReasons),
    })
    .describe('One appointment the patient did not attend');

  const dnaListRequestSchema = z
    .strictObject({
      appointments: z
        .array(dnaAppointment)
        .min(1)
        .superRefine(noDuplicates((a: { ubrn: string }) => a.ubrn, 'UBRN'))
        .describe('At least one appointment, each UBRN once'),
    })
    .describe('Notify Appointment Did Not Attends (PRSC_IN110000UK08)');

  return {
    confirmAppointmentRequestSchema,
    rejectAppointmentRequestSchema,
    confirmCancellationRequestSchema,
    rejectCancellationRequestSchema,
    slotCancellationRequestSchema,
    appointmentCancellationRequestSchema,
    dnaListRequestSchema,
  };
}

export type CabRequestSchemas = ReturnType<typeof cabRequestSchemas>;

const defaults = cabRequestSchemas();
export const confirmAppointmentRequestSchema = defaults.confirmAppointmentRequestSchema;
export const rejectAppointmentRequestSchema = defaults.rejectAppointmentRequestSchema;
export const confirmCancellationRequestSchema = defaults.confirmCancellationRequestSchema;
export const rejectCancellationRequestSchema = defaults.rejectCancellationRequestSchema;
export const slotCancellationRequestSchema = defaults.slotCancellationRequestSchema;
export const appointmentCancellationRequestSchema = defaults.appointmentCancellationRequestSchema;
export const dnaListRequestSchema = defaults.dnaListRequestSchema;

export type ConfirmAppointmentRequest = z.output<typeof confirmAppointmentRequestSchema>;
export type RejectAppointmentRequest = z.output<typeof rejectAppointmentRequestSchema>;
export type ConfirmCancellationRequest = z.output<typeof confirmCancellationRequestSchema>;
export type RejectCancellationRequest = z.output<typeof rejectCancellationRequestSchema>;
export type SlotCancellationRequest = z.output<typeof slotCancellationRequestSchema>;
export type AppointmentCancellationRequest = z.output<typeof appointmentCancellationRequestSchema>;
export type DnaListRequest = z.output<typeof dnaListRequestSchema>;
