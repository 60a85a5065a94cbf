// PRSC_IN110000UK08 payload: DnaList [LIST/EVN], the provider reporting appointments the
// patients did not attend.
import { el, OID, renderXml } from '../hl7/index.js';
import { CabError } from './errors.js';
import { ubrnId } from './identifiers.js';
import {
  actId,
  patientSubject,
  payloadRootAttrs,
  pertinentSlot,
  readPayload,
  reasonCode,
} from './payload-xml.js';
import { type CodedValue, REASON_FOR_DNA, type Vocabulary } from './vocabulary.js';

export interface DnaAppointment {
  ubrn: string;
  /** ReasonForDna. */
  reason: CodedValue;
  nhsNumber: string;
  usrn: string;
}

export interface DnaList {
  /** DnaList/id: a UUID the gateway generates. */
  listId: string;
  /** At least one. */
  appointments: DnaAppointment[];
}

const PAYLOAD = 'DnaList';

export function buildDnaListPayload(list: DnaList, vocabulary: Vocabulary = REASON_FOR_DNA): string {
  if (list.appointments.length === 0) {
    throw new CabError(`${PAYLOAD} needs at least one appointment`, `${PAYLOAD}/component`);
  }
  return renderXml(
    el(
      PAYLOAD,
      payloadRootAttrs('LIST', 'EVN'),
      actId(list.listId),
      list.appointments.map((appointment) =>
        el(
          'component',
          { typeCode: 'COMP' },
          el(
            'dnaAppointment',
            { classCode: 'PCPR', moodCode: 'EVN' },
            ubrnId(appointment.ubrn),
            reasonCode(vocabulary, appointment.reason),
            patientSubject(appointment.nhsNumber),
            pertinentSlot(appointment.usrn),
          ),
        ),
      ),
    ),
  );
}

export function parseDnaList(payloadXml: string, vocabulary: Vocabulary = REASON_FOR_DNA): DnaList {
  return readPayload(payloadXml, PAYLOAD, (root) => {
    const listId = root.required('hl7:id/@root');
    const nodes = root.all('hl7:component/hl7:dnaAppointment');
    if (nodes.length === 0) {
      const where = `${PAYLOAD}/component/dnaAppointment`;
      throw new CabError(`${where} is missing: the list needs at least one appointment`, where);
    }
    const appointments = nodes.map(
      (node): DnaAppointment => ({
        ubrn: node.identifier('hl7:id', OID.ubrn, 'UBRN'),
        reason: node.coded('hl7:reasonCode', vocabulary),
        nhsNumber: node.identifier('hl7:subject/hl7:patient/hl7:id', OID.nhsNumber, 'NHS number'),
        usrn: node.required('hl7:pertinentInformation/hl7:pertinentAppointmentSlot/hl7:id/@root'),
      }),
    );
    return { listId, appointments };
  });
}
