// The requests e-RS starts (control API): a slot poll, a booking request, a cancellation request.
// Each is remembered by its MessageId so e-RS can check the PAS's answer against it.
import { randomUUID } from 'node:crypto';
import {
  type AppointmentRequest,
  buildAppointmentRequestPayload,
  buildCancellationRequestPayload,
  type CancellationRequest,
  type SlotPriority,
} from '../cab/index.js';
import { ERS_REQUEST } from '../hl7/index.js';
import type { SentRequest } from './ers.js';
import { type BuildContext, ersRequestMessage, slotPollMessage } from './messages.js';
import { describeDelivery, type GatewayLink } from './signals.js';

type JsonObject = Record<string, unknown>;

export class ErsRequests {
  /** The requests e-RS sent, by ebXML MessageId (= their HL7 wrapper id), to check the answers. */
  readonly sent = new Map<string, SentRequest>();

  constructor(
    private readonly link: GatewayLink,
    private readonly context: () => BuildContext,
  ) {}

  /** Request Available Slots (PRSC_IN080000UK07): the answer's messageId is the PAS's inResponseTo. */
  async slotPoll(body: { clinicId?: string; start?: string; end?: string; toPartyKey?: string }) {
    const start =
      body.start ?? `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`;
    const end = body.end ?? new Date(Date.parse(start) + 14 * 86_400_000).toISOString();
    const poll = {
      requestId: randomUUID().toUpperCase(),
      clinicId: body.clinicId ?? 'CLINIC-001',
      period: { start, end },
    };
    const ids = {
      messageId: randomUUID().toUpperCase(),
      conversationId: randomUUID().toUpperCase(),
      toPartyKey: body.toPartyKey,
    };
    this.remember(ERS_REQUEST.availableSlots, ids, poll);
    const delivery = await this.link.postRequest(slotPollMessage(this.context(), poll, ids));
    return {
      messageId: ids.messageId,
      conversationId: ids.conversationId,
      requestId: poll.requestId,
      poll,
      ...describeDelivery(delivery),
    };
  }

  /** Request Appointment Confirmation (PRSC_IN040000UK08). */
  booking(body: JsonObject) {
    const booking: AppointmentRequest = {
      ubrn: text(body.ubrn) ?? randomUbrn(),
      usrn: text(body.usrn) ?? randomUUID().toUpperCase(),
      nhsNumber: text(body.nhsNumber) ?? '9434765919',
      ...(body.priority ? { priority: body.priority as SlotPriority } : {}),
    };
    return this.send(
      ERS_REQUEST.appointmentConfirmation,
      booking,
      buildAppointmentRequestPayload(booking),
      body,
    );
  }

  /** Request Appointment Cancellation (PRSC_IN070000UK08). */
  cancellation(body: JsonObject) {
    const cancellation: CancellationRequest = {
      ubrn: text(body.ubrn) ?? randomUbrn(),
      reason: { code: text(body.reason) ?? '21' },
      nhsNumber: text(body.nhsNumber) ?? '9434765919',
      ...(body.usrn ? { usrn: String(body.usrn) } : {}),
    };
    return this.send(
      ERS_REQUEST.appointmentCancellation,
      cancellation,
      buildCancellationRequestPayload(cancellation),
      body,
    );
  }

  private async send(
    interactionId: typeof ERS_REQUEST.appointmentConfirmation | typeof ERS_REQUEST.appointmentCancellation,
    request: AppointmentRequest | CancellationRequest,
    payloadXml: string,
    body: JsonObject,
  ) {
    const ids = {
      messageId: randomUUID().toUpperCase(),
      conversationId: randomUUID().toUpperCase(),
      toPartyKey: text(body.toPartyKey),
    };
    this.remember(interactionId, ids, request);
    const delivery = await this.link.postRequest(
      ersRequestMessage(this.context(), interactionId, payloadXml, ids),
    );
    return {
      messageId: ids.messageId,
      conversationId: ids.conversationId,
      request,
      ...describeDelivery(delivery),
    };
  }

  private remember(
    interactionId: SentRequest['interactionId'],
    ids: { messageId: string; conversationId: string },
    request: SentRequest['request'],
  ): void {
    this.sent.set(ids.messageId, {
      interactionId,
      messageId: ids.messageId,
      hl7MessageId: ids.messageId,
      conversationId: ids.conversationId,
      request,
    });
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A 12-digit UBRN (e-RS issues them; the format is an assumption, see the C&B notes). */
function randomUbrn(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}
