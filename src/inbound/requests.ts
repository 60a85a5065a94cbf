import { parseSlotPollPayload } from '../cab/index.js';
import type { ParsedWrapper } from '../hl7/index.js';

/** Maps an inbound e-RS request's HL7 payload to the JSON the PAS reads; undefined if not a known request. */
export function mapInboundRequest(interactionId: string, wrapper: ParsedWrapper): unknown | undefined {
  switch (interactionId) {
    case 'PRSC_IN080000UK07': {
      if (!wrapper.payloadXml)
        throw new Error('RequestAvailableSlots payload is missing from ControlActEvent/subject');
      return parseSlotPollPayload(wrapper.payloadXml);
    }
    default:
      return undefined;
  }
}
