import { parseAppointmentRequest, parseCancellationRequest, parseSlotPollPayload } from '../cab/index.js';
import type { ParsedWrapper } from '../hl7/index.js';

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
