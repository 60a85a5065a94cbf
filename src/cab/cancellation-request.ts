// PRSC_IN070000UK08 payload: RequestAppointmentCancellation [PCPR/RQO], e-RS asking the provider
// to cancel the appointment booked under a UBRN.
import { el, OID, renderXml } from '../hl7/index.js';
import { ubrnId } from './identifiers.js';
import { patientSubject, payloadRootAttrs, pertinentSlot, readPayload, reasonCode } from './payload-xml.js';
import { type CodedValue, REASON_FOR_APPT_CANCEL, type Vocabulary } from './vocabulary.js';

export interface CancellationRequest {
  ubrn: string;
  /** ReasonForApptCancel; e-RS generally sends 20–39 (patient or referrer). */
  reason: CodedValue;
  nhsNumber: string;
  /** The booked slot; optional in the 3.1.09 model. */
  usrn?: string;
}

const PAYLOAD = 'RequestAppointmentCancellation';

export function buildCancellationRequestPayload(
  request: CancellationRequest,
  vocabulary: Vocabulary = REASON_FOR_APPT_CANCEL,
): string {
  return renderXml(
    el(
      PAYLOAD,
      payloadRootAttrs('PCPR', 'RQO'),
      ubrnId(request.ubrn),
      reasonCode(vocabulary, request.reason),
      patientSubject(request.nhsNumber),
      request.usrn === undefined ? undefined : pertinentSlot(request.usrn),
    ),
  );
}

/** Reads the request; a correspondence-suppression `component` (3.1.09) is ignored. */
export function parseCancellationRequest(
  payloadXml: string,
  vocabulary: Vocabulary = REASON_FOR_APPT_CANCEL,
): CancellationRequest {
  return readPayload(payloadXml, PAYLOAD, (root) => {
    const usrn = root.optional('hl7:pertinentInformation/hl7:pertinentAppointmentSlot/hl7:id/@root');
    return {
      ubrn: root.identifier('hl7:id', OID.ubrn, 'UBRN'),
      reason: root.coded('hl7:reasonCode', vocabulary),
      nhsNumber: root.identifier('hl7:subject/hl7:patient/hl7:id', OID.nhsNumber, 'NHS number'),
      ...(usrn !== undefined && { usrn }),
    };
  });
}
