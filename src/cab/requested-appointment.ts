// PRSC_IN050000UK06 (Confirm Appointment) and PRSC_IN060000UK06 (Reject Appointment) payload:
// RequestedAppointment [ENC/PRMS]. The same payload either way: the interaction id carries the
// outcome, and both travel in wrapper A acknowledging the PRSC_IN040000UK08.
import { el, OID, renderXml } from '../hl7/index.js';
import { ubrnId } from './identifiers.js';
import { actId, payloadRootAttrs, readPayload } from './payload-xml.js';

export interface RequestedAppointment {
  /** The slot asked for, as in the request's fulfillment/appointmentSlot/id. */
  usrn: string;
  ubrn: string;
}

const PAYLOAD = 'RequestedAppointment';

export function buildRequestedAppointmentPayload(appointment: RequestedAppointment): string {
  return renderXml(
    el(
      PAYLOAD,
      payloadRootAttrs('ENC', 'PRMS'),
      actId(appointment.usrn),
      el(
        'inFulfillmentOf',
        { typeCode: 'FLFS' },
        el('priorRequestedService', { classCode: 'PCPR', moodCode: 'PRMS' }, ubrnId(appointment.ubrn)),
      ),
    ),
  );
}

export function parseRequestedAppointment(payloadXml: string): RequestedAppointment {
  return readPayload(payloadXml, PAYLOAD, (root) => ({
    usrn: root.required('hl7:id/@root'),
    ubrn: root.identifier('hl7:inFulfillmentOf/hl7:priorRequestedService/hl7:id', OID.ubrn, 'UBRN'),
  }));
}
