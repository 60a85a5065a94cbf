// Choose and Book (e-RS) payloads, one module per message family. Only slot polling so far.
export { CabError } from './errors.js';
export { PRIORITY_CODES, type SlotPriority } from './priority.js';
export { buildSlotPollPayload, parseSlotPollPayload, type SlotPoll } from './slot-poll.js';
export {
  buildSlotResponsePayload,
  parseSlotResponsePayload,
  type Slot,
  type SlotResponse,
} from './slot-response.js';
export { type SlotResponseRequest, slotResponseRequestSchema } from './slot-response-request.js';
export { hl7Timestamp, isoFromHl7Timestamp } from './timestamp.js';
