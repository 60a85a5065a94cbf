// PRSC_IN140000UK06 (Confirm Appointment Cancellation) and PRSC_IN150000UK06 (Reject Appointment
// Cancellation) payload: AppointmentCancellation [PCPR/EVN] holding only the UBRN. The
// interaction id carries the outcome; both travel in wrapper A acknowledging the PRSC_IN070000UK08.
import { el, OID, renderXml } from '../hl7/index.js';
import { ubrnId } from './identifiers.js';
import { payloadRootAttrs, readPayload } from './payload-xml.js';

export interface CancellationResponse {
  ubrn: string;
}

export function buildCancellationResponsePayload(response: CancellationResponse): string {
  return renderXml(el('AppointmentCancellation', payloadRootAttrs('PCPR', 'EVN'), ubrnId(response.ubrn)));
}

export function parseCancellationResponse(payloadXml: string): CancellationResponse {
  return readPayload(payloadXml, 'AppointmentCancellation', (root) => ({
    ubrn: root.identifier('hl7:id', OID.ubrn, 'UBRN'),
  }));
}
