// PRSC_IN130000UK07 payload: AppointmentCancellation [PCPR/EVN], the provider telling e-RS it has
// cancelled a booked appointment. Not the same message type as the cancellation response
// (PRSC_IN140000UK06), although the root element has the same name.
import { el, OID, renderXml } from '../hl7/index.js';
import { ubrnId } from './identifiers.js';
import { patientSubject, payloadRootAttrs, pertinentSlot, readPayload, reasonCode } from './payload-xml.js';
import { type CodedValue, REASON_FOR_APPT_CANCEL, type Vocabulary } from './vocabulary.js';

export interface AppointmentCancellation {
  ubrn: string;
  /** ReasonForApptCancel, a provider code (01–19). */
  reason: CodedValue;
  nhsNumber: string;
  usrn: string;
}

const PAYLOAD = 'AppointmentCancellation';

export function buildAppointmentCancellationPayload(
  cancellation: AppointmentCancellation,
  vocabulary: Vocabulary = REASON_FOR_APPT_CANCEL,
): string {
  return renderXml(
    el(
      PAYLOAD,
      payloadRootAttrs('PCPR', 'EVN'),
      ubrnId(cancellation.ubrn),
      reasonCode(vocabulary, cancellation.reason),
      patientSubject(cancellation.nhsNumber),
      pertinentSlot(cancellation.usrn),
    ),
  );
}

export function parseAppointmentCancellation(
  payloadXml: string,
  vocabulary: Vocabulary = REASON_FOR_APPT_CANCEL,
): AppointmentCancellation {
  return readPayload(payloadXml, PAYLOAD, (root) => ({
    ubrn: root.identifier('hl7:id', OID.ubrn, 'UBRN'),
    reason: root.coded('hl7:reasonCode', vocabulary),
    nhsNumber: root.identifier('hl7:subject/hl7:patient/hl7:id', OID.nhsNumber, 'NHS number'),
    usrn: root.required('hl7:pertinentInformation/hl7:pertinentAppointmentSlot/hl7:id/@root'),
  }));
}
