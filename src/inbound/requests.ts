import { parseAppointmentRequest, parseCancellationRequest, parseSlotPollPayload } from '../cab/index.js';
import {
  APPLICATION_ACKNOWLEDGEMENT,
  type ParsedWrapper,
  parseApplicationAcknowledgement,
  parseWrapper,
} from '../hl7/index.js';

/** The interaction of an HL7 application acknowledgement: a signal for correlation, not a PAS message. */

const PAYLOAD_PARSERS: Record<string, (payloadXml: string) => unknown> = {
  PRSC_IN080000UK07: parseSlotPollPayload,
  PRSC_IN040000UK08: parseAppointmentRequest,
  PRSC_IN070000UK08: parseCancellationRequest,
};

/** Maps an inbound e-RS request's HL7 payload to the JSON the PAS reads; undefined if not a known request. */
export function mapInboundRequest(interactionId: string, wrapper: ParsedWrapper): unknown | undefined {
  const parse = PAYLOAD_PARSERS[interactionId];
  if (!parse) return undefined;
  if (!wrapper.payloadXml) throw new Error(`${interactionId} has no payload in ControlActEvent/subject`);
  return parse(wrapper.payloadXml);
}

export type Hl7Reading = { wrapper: ParsedWrapper; data: unknown } | { problem: string };

/** The HL7 payload read and mapped, or why it cannot be: a missing part, unparsable XML, a bad wrapper. */
export function readHl7(action: string, hl7: string | undefined): Hl7Reading {
  if (!hl7) return { problem: 'no HL7 payload part' };
  try {
    const wrapper = parseWrapper(hl7);
    if (wrapper.interactionId !== action)
      return { problem: `HL7 payload is ${wrapper.interactionId}, but eb:Action is ${action}` };
    const data =
      action === APPLICATION_ACKNOWLEDGEMENT
        ? parseApplicationAcknowledgement(wrapper)
        : mapInboundRequest(action, wrapper);
    return { wrapper, data };
  } catch (error) {
    return { problem: `HL7 payload: ${(error as Error).message.split('\n')[0]}` };
  }
}
