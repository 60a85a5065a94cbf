// Choose and Book (e-RS) payloads, one module per message family, plus the PAS-facing JSON
// schemas and the vocabularies they share.
export {
  type AppointmentCancellation,
  buildAppointmentCancellationPayload,
  parseAppointmentCancellation,
} from './appointment-cancellation.js';
export {
  type AppointmentRequest,
  buildAppointmentRequestPayload,
  parseAppointmentRequest,
  type ReferralAuthor,
  type ReferralInformation,
} from './appointment-request.js';
export {
  buildCancellationRequestPayload,
  type CancellationRequest,
  parseCancellationRequest,
} from './cancellation-request.js';
export {
  buildCancellationResponsePayload,
  type CancellationResponse,
  parseCancellationResponse,
} from './cancellation-response.js';
export { buildDnaListPayload, type DnaAppointment, type DnaList, parseDnaList } from './dna-list.js';
export { CabError } from './errors.js';
export { isValidNhsNumber, NHS_NUMBER_FORMAT, UBRN_FORMAT } from './identifiers.js';
export {
  CAB_INTERACTIONS,
  type CabInteraction,
  type CabInteractionId,
  type CabWrapper,
} from './interactions.js';
export { CAB_OID } from './oids.js';
export {
  type AppointmentCancellationRequest,
  appointmentCancellationRequestSchema,
  type CabRequestSchemas,
  type CabVocabularies,
  type ConfirmAppointmentRequest,
  type ConfirmCancellationRequest,
  cabRequestSchemas,
  confirmAppointmentRequestSchema,
  confirmCancellationRequestSchema,
  type DnaListRequest,
  dnaListRequestSchema,
  type RejectAppointmentRequest,
  type RejectCancellationRequest,
  rejectAppointmentRequestSchema,
  rejectCancellationRequestSchema,
  type SlotCancellationRequest,
  slotCancellationRequestSchema,
} from './pas-requests.js';
export { PRIORITY_CODES, type SlotPriority } from './priority.js';
export {
  buildRequestedAppointmentPayload,
  parseRequestedAppointment,
  type RequestedAppointment,
} from './requested-appointment.js';
export {
  buildSlotCancellationPayload,
  parseSlotCancellation,
  type SlotCancellation,
} from './slot-cancellation.js';
export { buildSlotPollPayload, parseSlotPollPayload, type SlotPoll } from './slot-poll.js';
export {
  buildSlotResponsePayload,
  parseSlotResponsePayload,
  type Slot,
  type SlotResponse,
} from './slot-response.js';
export { type SlotResponseRequest, slotResponseRequestSchema } from './slot-response-request.js';
export { hl7Timestamp, isoFromHl7Timestamp } from './timestamp.js';
export {
  type CodedValue,
  cancellationCodeParty,
  DEFAULT_CANCELLATION_REASON_WORDS,
  DEFAULT_DNA_REASON_WORDS,
  defineVocabulary,
  isCode,
  PRIORITY_TYPE,
  REASON_FOR_APPT_CANCEL,
  REASON_FOR_DNA,
  reasonForApptCancel,
  reasonForDna,
  toCodedValue,
  type Vocabulary,
  wordFor,
} from './vocabulary.js';
