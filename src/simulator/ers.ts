// e-RS's memory of the requests it sent, and its check of each answer the PAS sends back through
// the gateway: the right interaction, the right wrapper, and the references carried across.
import {
  type AppointmentRequest,
  type CancellationRequest,
  parseAppointmentCancellation,
  parseCancellationResponse,
  parseDnaList,
  parseRequestedAppointment,
  parseSlotCancellation,
  parseSlotResponsePayload,
  type SlotPoll,
} from '../cab/index.js';
import { ERS_REQUEST, type ErsRequestInteraction, type ParsedWrapper } from '../hl7/index.js';

export interface SentRequest {
  interactionId: ErsRequestInteraction;
  messageId: string;
  hl7MessageId: string;
  conversationId: string;
  request: SlotPoll | AppointmentRequest | CancellationRequest;
}

export interface AnswerCheck {
  ok: boolean;
  problems: string[];
  /** The request this message answers, when it answers one. */
  answers?: string;
}

/** What each answer must answer, and whether it uses wrapper A (acknowledging the request). */
const ANSWERS: Record<string, { request: SentRequest['interactionId']; wrapperA: boolean }> = {
  PRSC_IN090000UK09: { request: 'PRSC_IN080000UK07', wrapperA: false },
  PRSC_IN050000UK06: { request: 'PRSC_IN040000UK08', wrapperA: true },
  PRSC_IN060000UK06: { request: 'PRSC_IN040000UK08', wrapperA: true },
  PRSC_IN140000UK06: { request: 'PRSC_IN070000UK08', wrapperA: true },
  PRSC_IN150000UK06: { request: 'PRSC_IN070000UK08', wrapperA: true },
};

const NOTIFICATIONS: Record<string, (payloadXml: string) => unknown> = {
  PRSC_IN100000UK06: parseSlotCancellation,
  PRSC_IN130000UK07: parseAppointmentCancellation,
  PRSC_IN110000UK08: parseDnaList,
};

/** Checks an answer, its HL7 wrapper read by the caller (who needs its id too: read once). */
export function checkAnswer(
  wrapper: ParsedWrapper,
  ebxml: { conversationId: string; refToMessageId?: string },
  sent: ReadonlyMap<string, SentRequest>,
): AnswerCheck {
  const problems: string[] = [];
  const notification = NOTIFICATIONS[wrapper.interactionId];
  if (notification) {
    try {
      notification(wrapper.payloadXml ?? '');
    } catch (error) {
      problems.push(`${wrapper.interactionId} payload: ${(error as Error).message}`);
    }
    return { ok: problems.length === 0, problems };
  }
  const rule = ANSWERS[wrapper.interactionId];
  if (!rule) return { ok: true, problems };
  // Wrapper A names the request in messageRef; a slot response names its poll by business id
  // (inFulfillmentOf/priorSlotRequest/id), which is how e-RS correlates it, RefToMessageId or not.
  const key = rule.wrapperA
    ? wrapper.acknowledgement?.messageRef
    : (pollNamed(wrapper.payloadXml, sent) ?? ebxml.refToMessageId);
  const request = key ? sent.get(key) : undefined;
  if (rule.wrapperA && !wrapper.acknowledgement)
    problems.push(`${wrapper.interactionId} must use wrapper A (acknowledgement/messageRef)`);
  if (!request) {
    problems.push(`${wrapper.interactionId} answers no request e-RS sent (${key ?? 'no reference'})`);
    return { ok: false, problems };
  }
  if (request.interactionId !== rule.request)
    problems.push(`${wrapper.interactionId} cannot answer a ${request.interactionId}`);
  if (ebxml.conversationId !== request.conversationId)
    problems.push(`ConversationId ${ebxml.conversationId} is not the request's ${request.conversationId}`);
  try {
    problems.push(...payloadProblems(wrapper.interactionId, wrapper.payloadXml ?? '', request));
  } catch (error) {
    problems.push(`${wrapper.interactionId} payload: ${(error as Error).message}`);
  }
  return { ok: problems.length === 0, problems, answers: request.messageId };
}

/** The ebXML MessageId of the poll a slot response fulfils, found by the poll's RequestAvailableSlots id. */
function pollNamed(
  payloadXml: string | undefined,
  sent: ReadonlyMap<string, SentRequest>,
): string | undefined {
  let pollRequestId: string;
  try {
    pollRequestId = parseSlotResponsePayload(payloadXml ?? '').pollRequestId.toUpperCase();
  } catch {
    return undefined;
  }
  for (const request of sent.values()) {
    if (
      request.interactionId === ERS_REQUEST.availableSlots &&
      (request.request as SlotPoll).requestId.toUpperCase() === pollRequestId
    )
      return request.messageId;
  }
  return undefined;
}

function payloadProblems(interactionId: string, payloadXml: string, sent: SentRequest): string[] {
  return echoes(interactionId, payloadXml, sent)
    .filter(([, answered, asked]) => answered?.toUpperCase() !== asked.toUpperCase())
    .map(([what, answered, asked]) => `${what} ${answered ?? '(missing)'} is not the request's ${asked}`);
}

/** A reference an answer must carry back from its request: what it is, the answer's value, the request's. */
type Echo = [what: string, answered: string | undefined, asked: string];

function echoes(interactionId: string, payloadXml: string, sent: SentRequest): Echo[] {
  switch (interactionId) {
    case 'PRSC_IN090000UK09': {
      const poll = sent.request as SlotPoll;
      const slots = parseSlotResponsePayload(payloadXml);
      return [
        ['inFulfillmentOf/priorSlotRequest/id', slots.pollRequestId, poll.requestId],
        ['clinic id', slots.clinicId, poll.clinicId],
      ];
    }
    case 'PRSC_IN050000UK06':
    case 'PRSC_IN060000UK06': {
      const { usrn, ubrn } = sent.request as AppointmentRequest;
      const answer = parseRequestedAppointment(payloadXml);
      return [
        ['USRN', answer.usrn, usrn],
        ['UBRN', answer.ubrn, ubrn],
      ];
    }
    default:
      return [
        ['UBRN', parseCancellationResponse(payloadXml).ubrn, (sent.request as CancellationRequest).ubrn],
      ];
  }
}
