// Every C&B interaction as a golden sample: fixed business values, fixed ids and times. The
// booking and cancellation conversations reuse the slot of the slot-polling fixtures.
import {
  type AppointmentCancellation,
  type AppointmentRequest,
  buildAppointmentCancellationPayload,
  buildAppointmentRequestPayload,
  buildCancellationRequestPayload,
  buildCancellationResponsePayload,
  buildDnaListPayload,
  buildRequestedAppointmentPayload,
  buildSlotCancellationPayload,
  buildSlotPollPayload,
  buildSlotResponsePayload,
  type CancellationRequest,
  type DnaList,
  type SlotCancellation,
} from '../../../src/cab/index.js';
import {
  ACTOR_NEXT_MSH,
  buildMessage,
  DEFAULT_BOUNDARY,
  frameMime,
  type MessageHeader,
  PARTY_TYPE,
} from '../../../src/ebxml/index.js';
import { APPLICATION_ACKNOWLEDGEMENT, type BusinessReason, wrapPayload } from '../../../src/hl7/index.js';
import { ERS_ASID, PAS_ASID } from '../hl7/fixtures.js';
import { POLL, POLL_FIELDS, RESPONSE, RESPONSE_FIELDS } from './fixtures.js';

export const UBRN = '012345678901';
export const OTHER_UBRN = '012345678902';
/** Valid Modulus 11 check digits. */
export const NHS_NUMBER = '9434765919';
export const OTHER_NHS_NUMBER = '9876543210';
export const BOOKED_USRN = RESPONSE.slots[1]!.usrn;

export const APPOINTMENT_REQUEST: AppointmentRequest = {
  requestId: 'F0E1D2C3-B4A5-4968-8776-554433221100',
  ubrn: UBRN,
  usrn: BOOKED_USRN,
  nhsNumber: NHS_NUMBER,
  priority: 'urgent',
  referral: {
    effectiveTime: '2025-12-15T00:00:00Z',
    author: { sdsRoleProfileId: '555123456789', sdsUserId: '123456789012', odsCode: 'A12345' },
  },
};

export const CANCELLATION_REQUEST: CancellationRequest = {
  ubrn: UBRN,
  reason: { code: '21', word: 'patient-ill' },
  nhsNumber: NHS_NUMBER,
  usrn: BOOKED_USRN,
};

export const SLOT_CANCELLATION: SlotCancellation = {
  listId: '1F2E3D4C-5B6A-4798-8A6B-5C4D3E2F1A0B',
  usrns: [RESPONSE.slots[0]!.usrn, RESPONSE.slots[2]!.usrn],
};

export const APPOINTMENT_CANCELLATION: AppointmentCancellation = {
  ubrn: OTHER_UBRN,
  reason: { code: '01', word: 'clinic-cancelled' },
  nhsNumber: OTHER_NHS_NUMBER,
  usrn: 'A7B8C9D0-E1F2-4A3B-8C4D-5E6F7A8B9C0D',
};

export const DNA_LIST: DnaList = {
  listId: '2A3B4C5D-6E7F-4081-9A2B-3C4D5E6F7081',
  appointments: [
    { ubrn: UBRN, reason: { code: '3', word: 'patient-forgot' }, nhsNumber: NHS_NUMBER, usrn: BOOKED_USRN },
    {
      ubrn: OTHER_UBRN,
      reason: { code: '8', word: 'reason-not-known' },
      nhsNumber: OTHER_NHS_NUMBER,
      usrn: APPOINTMENT_CANCELLATION.usrn,
    },
  ],
};

/** Illustrative: EBSResponseCodes are not public. */
export const REJECT_REASONS: BusinessReason[] = [
  { code: '5001', displayName: 'Slot no longer available', qualifier: 'ER' },
];

const PARTY = { ers: 'X26-9199246', provider: 'RTX-821088' };
const CPA_ID = 'S918999714114';
const BOOKING_CONVERSATION = 'C1D2E3F4-0A1B-4C2D-8E3F-4A5B6C7D8E9F';
const CANCELLATION_CONVERSATION = 'D2E3F4A5-1B2C-4D3E-9F4A-5B6C7D8E9FA0';

interface Exchange {
  /** Wrapper id = eb:MessageId. */
  messageId: string;
  time: string;
  conversationId: string;
  /** The message this one answers (HL7 messageRef and eb:RefToMessageId). */
  answers?: string;
}

export interface CabSample {
  interactionId: string;
  /** The payload alone, as its builder writes it (no XML declaration). */
  payload?: string;
  /** The whole HL7 message. */
  hl7: string;
  /** eb:MessageHeader of the ebXML-wrapped form. */
  header: MessageHeader;
}

function sample(
  interactionId: string,
  inbound: boolean,
  exchange: Exchange,
  payload: string | undefined,
  options: { acknowledge?: boolean; reasons?: BusinessReason[] } = {},
): CabSample {
  const fields = {
    interactionId,
    messageId: exchange.messageId,
    creationTime: new Date(exchange.time),
    toAsid: inbound ? PAS_ASID : ERS_ASID,
    fromAsid: inbound ? ERS_ASID : PAS_ASID,
  };
  const acknowledgement =
    options.acknowledge && exchange.answers
      ? { typeCode: 'AA' as const, messageRef: exchange.answers }
      : undefined;
  const hl7 = wrapPayload(fields, payload, { acknowledgement, reasons: options.reasons });
  return { interactionId, payload, hl7, header: header(interactionId, inbound, exchange) };
}

function header(action: string, inbound: boolean, exchange: Exchange): MessageHeader {
  const ers = { id: PARTY.ers, type: PARTY_TYPE };
  const provider = { id: PARTY.provider, type: PARTY_TYPE };
  return {
    from: inbound ? ers : provider,
    to: inbound ? provider : ers,
    cpaId: CPA_ID,
    conversationId: exchange.conversationId,
    service: 'urn:nhs:names:services:ebs',
    action,
    messageId: exchange.messageId,
    timestamp: exchange.time,
    ...(exchange.answers && { refToMessageId: exchange.answers }),
  };
}

const ID = {
  bookingRequest: '6E0B9C2A-1F3D-4A5B-8C7D-9E0F1A2B3C4D',
  confirm: '2A4C6E80-9B1D-4F3A-8C5E-7D9F1B3D5F70',
  reject: '3B5D7F91-AC2E-4A4B-9D6F-8EA02C4E6A81',
  confirmAck: 'AC2EE068-B39F-4B1C-8ED6-F5B79DBFD1F8',
  cancellationRequest: '4C6E8A02-BD3F-4B5C-AE70-9FB13D5F7B92',
  confirmCancellation: '5D7F9B13-CE4A-4C6D-BF81-A0C24E6A8CA3',
  rejectCancellation: '6E8AAC24-DF5B-4D7E-8A92-B1D35F7B9DB4',
  slotCancellation: '7F9BBD35-E06C-4E8F-9BA3-C2E46A8CAEC5',
  appointmentCancellation: '8A0CCE46-F17D-4F9A-ACB4-D3F57B9DBFD6',
  dnaList: '9B1DDF57-A28E-4A0B-BDC5-E4A68CAEC0E7',
};

/** The slot poll and answer keep the wrapper fields of fixtures.ts, so the older golden files hold. */
const SLOT_CONVERSATION = 'B0C1D2E3-F4A5-4B6C-9D7E-8F9A0B1C2D3E';

export function cabSamples(): CabSample[] {
  const booking = (messageId: string, time: string, answers?: string) => ({
    messageId,
    time,
    conversationId: BOOKING_CONVERSATION,
    answers,
  });
  const cancelling = (messageId: string, time: string, answers?: string) => ({
    messageId,
    time,
    conversationId: CANCELLATION_CONVERSATION,
    answers,
  });
  const alone = (messageId: string, time: string) => ({ messageId, time, conversationId: messageId });
  return [
    sample(
      'PRSC_IN080000UK07',
      true,
      {
        messageId: POLL_FIELDS.messageId,
        time: isoSeconds(POLL_FIELDS.creationTime),
        conversationId: SLOT_CONVERSATION,
      },
      buildSlotPollPayload(POLL),
    ),
    sample(
      'PRSC_IN090000UK09',
      false,
      {
        messageId: RESPONSE_FIELDS.messageId,
        time: isoSeconds(RESPONSE_FIELDS.creationTime),
        conversationId: SLOT_CONVERSATION,
        answers: POLL_FIELDS.messageId,
      },
      buildSlotResponsePayload(RESPONSE),
    ),
    sample(
      'PRSC_IN100000UK06',
      false,
      alone(ID.slotCancellation, '2026-01-06T12:00:00Z'),
      buildSlotCancellationPayload(SLOT_CANCELLATION),
    ),
    sample(
      'PRSC_IN040000UK08',
      true,
      booking(ID.bookingRequest, '2026-01-05T10:00:00Z'),
      buildAppointmentRequestPayload(APPOINTMENT_REQUEST),
    ),
    sample(
      'PRSC_IN050000UK06',
      false,
      booking(ID.confirm, '2026-01-05T10:00:30Z', ID.bookingRequest),
      buildRequestedAppointmentPayload({ usrn: BOOKED_USRN, ubrn: UBRN }),
      { acknowledge: true },
    ),
    sample(
      'PRSC_IN060000UK06',
      false,
      booking(ID.reject, '2026-01-05T10:00:31Z', ID.bookingRequest),
      buildRequestedAppointmentPayload({ usrn: BOOKED_USRN, ubrn: UBRN }),
      { acknowledge: true, reasons: REJECT_REASONS },
    ),
    sample(
      APPLICATION_ACKNOWLEDGEMENT,
      true,
      booking(ID.confirmAck, '2026-01-05T10:01:00Z', ID.confirm),
      undefined,
      { acknowledge: true },
    ),
    sample(
      'PRSC_IN070000UK08',
      true,
      cancelling(ID.cancellationRequest, '2026-01-06T09:00:00Z'),
      buildCancellationRequestPayload(CANCELLATION_REQUEST),
    ),
    sample(
      'PRSC_IN140000UK06',
      false,
      cancelling(ID.confirmCancellation, '2026-01-06T09:00:20Z', ID.cancellationRequest),
      buildCancellationResponsePayload({ ubrn: UBRN }),
      { acknowledge: true },
    ),
    sample(
      'PRSC_IN150000UK06',
      false,
      cancelling(ID.rejectCancellation, '2026-01-06T09:00:21Z', ID.cancellationRequest),
      buildCancellationResponsePayload({ ubrn: UBRN }),
      {
        acknowledge: true,
        reasons: [{ code: '5002', displayName: 'Appointment already attended', qualifier: 'ER' }],
      },
    ),
    sample(
      'PRSC_IN130000UK07',
      false,
      alone(ID.appointmentCancellation, '2026-01-07T08:00:00Z'),
      buildAppointmentCancellationPayload(APPOINTMENT_CANCELLATION),
    ),
    sample(
      'PRSC_IN110000UK08',
      false,
      alone(ID.dnaList, '2026-01-08T17:00:00Z'),
      buildDnaListPayload(DNA_LIST),
    ),
  ];
}

function isoSeconds(time: Date): string {
  return time.toISOString().replace('.000Z', 'Z');
}

/** The unsigned ebXML message (SOAP envelope + HL7 part) as multipart/related MIME. */
export function ebxmlMime(sample: CabSample): { contentType: string; body: Buffer } {
  const built = buildMessage({
    header: sample.header,
    reliability: {
      duplicateElimination: true,
      ackRequested: { actor: ACTOR_NEXT_MSH, signed: false },
      syncReply: false,
    },
    payloadXml: sample.hl7,
    attachments: [],
    externalAttachments: [],
  });
  return frameMime(built.envelopeXml, built.parts, DEFAULT_BOUNDARY, () => 'FIXED');
}
