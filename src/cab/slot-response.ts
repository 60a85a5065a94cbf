// PRSC_IN090000UK09 payload: AvailableSlots [LIST/SLOT], the provider's answer to a slot poll.
import { el, OID, renderXml } from '../hl7/index.js';
import { CabError } from './errors.js';
import { actId, clinicLocation, interval, payloadRootAttrs, readPayload } from './payload-xml.js';
import { PRIORITY_CODES, priorityFromCode, type SlotPriority } from './priority.js';

export interface Slot {
  /** Unique Slot Reference Number, a UUID. */
  usrn: string;
  /** ISO 8601 date-times. */
  start: string;
  end: string;
  priority?: SlotPriority;
}

export interface SlotResponse {
  /** AvailableSlots/id: a UUID the gateway generates. */
  responseId: string;
  clinicId: string;
  /** The poll's RequestAvailableSlots/id (not its wrapper id). */
  pollRequestId: string;
  slots: Slot[];
}

export function buildSlotResponsePayload(response: SlotResponse): string {
  return renderXml(
    el(
      'AvailableSlots',
      payloadRootAttrs('LIST', 'SLOT'),
      actId(response.responseId),
      clinicLocation(response.clinicId),
      response.slots.map((slot) =>
        el(
          'component',
          { typeCode: 'COMP' },
          el(
            'appointmentSlot',
            { classCode: 'SPLY', moodCode: 'SLOT' },
            actId(slot.usrn),
            interval(slot.start, slot.end),
            slot.priority &&
              el('priorityCode', { code: PRIORITY_CODES[slot.priority], codeSystem: OID.priority }),
          ),
        ),
      ),
      el(
        'inFulfillmentOf',
        { typeCode: 'FLFS' },
        el('priorSlotRequest', { classCode: 'SPLY', moodCode: 'RQO' }, actId(response.pollRequestId)),
      ),
    ),
  );
}

export function parseSlotResponsePayload(payloadXml: string): SlotResponse {
  return readPayload(payloadXml, 'AvailableSlots', (root) => ({
    responseId: root.required('hl7:id/@root'),
    clinicId: root.required('hl7:location/hl7:clinic/hl7:id/@extension'),
    pollRequestId: root.required('hl7:inFulfillmentOf/hl7:priorSlotRequest/hl7:id/@root'),
    slots: root.all('hl7:component/hl7:appointmentSlot').map((slot): Slot => {
      const code = slot.optional('hl7:priorityCode/@code');
      const priority = code === undefined ? undefined : priorityFromCode(code);
      if (code !== undefined && priority === undefined) {
        const where = `${slot.path}/priorityCode/@code`;
        throw new CabError(`${where} is "${code}", not a PriorityType code (1, 2 or 3)`, where);
      }
      return {
        usrn: slot.required('hl7:id/@root'),
        start: slot.timestamp('hl7:effectiveTime/hl7:low/@value'),
        end: slot.timestamp('hl7:effectiveTime/hl7:high/@value'),
        ...(priority && { priority }),
      };
    }),
  }));
}
