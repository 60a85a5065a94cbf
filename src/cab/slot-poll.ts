// PRSC_IN080000UK07 payload: RequestAvailableSlots [SPLY/RQO], e-RS asking for a clinic's slots.
import { el, renderXml } from '../hl7/index.js';
import { actId, clinicLocation, interval, payloadRootAttrs, readPayload } from './payload-xml.js';

export interface SlotPoll {
  /** RequestAvailableSlots/id/@root; AvailableSlots answers quote it in inFulfillmentOf. */
  requestId: string;
  clinicId: string;
  /** ISO 8601 date-times in UTC; start inclusive, end exclusive. */
  period: { start: string; end: string };
}

export function buildSlotPollPayload(poll: SlotPoll): string {
  return renderXml(
    el(
      'RequestAvailableSlots',
      payloadRootAttrs('SPLY', 'RQO'),
      actId(poll.requestId),
      interval(poll.period.start, poll.period.end, { low: true, high: false }),
      clinicLocation(poll.clinicId),
    ),
  );
}

/** The low/high `inclusive` flags are not read: the period is taken as [low, high) as e-RS sends it. */
export function parseSlotPollPayload(payloadXml: string): SlotPoll {
  return readPayload(payloadXml, 'RequestAvailableSlots', (root) => ({
    requestId: root.required('hl7:id/@root'),
    clinicId: root.required('hl7:location/hl7:clinic/hl7:id/@extension'),
    period: {
      start: root.timestamp('hl7:effectiveTime/hl7:low/@value'),
      end: root.timestamp('hl7:effectiveTime/hl7:high/@value'),
    },
  }));
}
