import { randomUUID } from 'node:crypto';
import { type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import {
  type AppointmentRequest,
  buildAppointmentCancellationPayload,
  buildCancellationResponsePayload,
  buildDnaListPayload,
  buildRequestedAppointmentPayload,
  buildSlotCancellationPayload,
  buildSlotResponsePayload,
  CAB_INTERACTIONS,
  type CabInteraction,
  type CabInteractionId,
  type CabRequestSchemas,
  type CancellationRequest,
  type SlotPoll,
  slotResponseRequestSchema,
} from '../cab/index.js';
import { type BusinessReason, type WrapOptions, wrapPayload } from '../hl7/index.js';
import type { OutboundSubmission } from '../outbound/index.js';
import type { RouteTable } from '../routing/index.js';
import type { MessageStore, StoredMessage } from '../store/index.js';
import { accepted, submitProblem } from './mhs-replies.js';
import { type Problem, sendProblem, validationProblem } from './problem.js';

export interface CabRouteDependencies {
  store: MessageStore;
  submission: OutboundSubmission;
  routes: RouteTable;
  asid: string;
  processingCode: 'P' | 'D' | 'T';
  cabSchemas: CabRequestSchemas;
  clock?: () => Date;
}

/** What inbound/ stored with a request from e-RS. */
export interface StoredRequest {
  request: unknown;
  sender: { partyKey: string; asid?: string };
  /** The request's HL7 transmission wrapper id: what wrapper A's messageRef names. */
  hl7MessageId?: string;
}

/** The PAS-facing path of each outbound interaction (the contract; see the README and /docs). */
export const CAB_PATHS = {
  PRSC_IN090000UK09: '/cab/slot-responses',
  PRSC_IN100000UK06: '/cab/slot-cancellations',
  PRSC_IN050000UK06: '/cab/appointment-confirmations',
  PRSC_IN060000UK06: '/cab/appointment-rejections',
  PRSC_IN140000UK06: '/cab/cancellation-confirmations',
  PRSC_IN150000UK06: '/cab/cancellation-rejections',
  PRSC_IN130000UK07: '/cab/appointment-cancellations',
  PRSC_IN110000UK08: '/cab/did-not-attend-lists',
} as const satisfies Partial<Record<CabInteractionId, string>>;

type OutboundCabInteraction = keyof typeof CAB_PATHS;

/** Choose and Book JSON endpoints: the PAS never writes HL7. */
export function cabRoutes(deps: CabRouteDependencies): Router {
  const router = Router();
  const s = deps.cabSchemas;

  // Answers to a request e-RS sent: the conversation, ASIDs and HL7 references come from the stored request.
  answer(router, deps, 'PRSC_IN090000UK09', slotResponseRequestSchema, (body, stored) => {
    const poll = stored.request as SlotPoll;
    if (body.clinicId !== undefined && body.clinicId !== poll.clinicId) {
      return refusal(
        422,
        'clinicId',
        `clinicId ${body.clinicId} does not match the poll's clinic ${poll.clinicId}`,
      );
    }
    return {
      payload: buildSlotResponsePayload({
        responseId: newId(),
        clinicId: poll.clinicId,
        pollRequestId: poll.requestId,
        slots: body.slots,
      }),
    };
  });
  answer(router, deps, 'PRSC_IN050000UK06', s.confirmAppointmentRequestSchema, (_body, stored) => ({
    payload: buildRequestedAppointmentPayload(bookingIds(stored)),
  }));
  answer(router, deps, 'PRSC_IN060000UK06', s.rejectAppointmentRequestSchema, (body, stored) => ({
    payload: buildRequestedAppointmentPayload(bookingIds(stored)),
    reasons: businessReasons(body.reasons),
  }));
  answer(router, deps, 'PRSC_IN140000UK06', s.confirmCancellationRequestSchema, (body, stored) => ({
    payload: buildCancellationResponsePayload({ ubrn: (stored.request as CancellationRequest).ubrn }),
    reasons: businessReasons(body.reasons),
  }));
  answer(router, deps, 'PRSC_IN150000UK06', s.rejectCancellationRequestSchema, (body, stored) => ({
    payload: buildCancellationResponsePayload({ ubrn: (stored.request as CancellationRequest).ubrn }),
    reasons: businessReasons(body.reasons),
  }));

  // Notifications the provider starts: a new conversation, addressed to e-RS by the route.
  notify(router, deps, 'PRSC_IN100000UK06', s.slotCancellationRequestSchema, (body) =>
    buildSlotCancellationPayload({ listId: newId(), usrns: body.usrns }),
  );
  notify(router, deps, 'PRSC_IN130000UK07', s.appointmentCancellationRequestSchema, (body) =>
    buildAppointmentCancellationPayload(body),
  );
  notify(router, deps, 'PRSC_IN110000UK08', s.dnaListRequestSchema, (body) =>
    buildDnaListPayload({ listId: newId(), appointments: body.appointments }),
  );
  return router;
}

interface Built {
  payload: string;
  reasons?: BusinessReason[];
}

type Refusal = { refusal: Problem };

function refusal(status: number, field: string, detail: string): Refusal {
  return { refusal: { title: 'Invalid request', status, detail, errors: [{ field, message: detail }] } };
}

/** POST for an answer to a stored e-RS request (`inResponseTo` names it). */
function answer<S extends z.ZodType<{ inResponseTo: string }>>(
  router: Router,
  deps: CabRouteDependencies,
  interactionId: OutboundCabInteraction,
  schema: S,
  build: (body: z.output<S>, stored: StoredRequest) => Built | Refusal,
): void {
  const interaction: CabInteraction = CAB_INTERACTIONS[interactionId];
  const requestId = interaction.answers!;
  router.post(CAB_PATHS[interactionId], async (request: Request, response: Response) => {
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) return sendProblem(response, validationProblem(parsed.error));
    const body = parsed.data;
    const original = await deps.store.get(body.inResponseTo);
    const problem = requestProblem(original, body.inResponseTo, requestId);
    if (problem) return sendProblem(response, problem);
    const stored = original!.data as StoredRequest;
    const built = build(body, stored);
    if ('refusal' in built) return sendProblem(response, built.refusal);
    await wrapAndSubmit(response, deps, {
      interactionId,
      payload: built.payload,
      toAsid: stored.sender.asid,
      wrapper: {
        ...(interaction.wrapper === 'A'
          ? { acknowledgement: { typeCode: 'AA', messageRef: stored.hl7MessageId ?? original!.messageId } }
          : {}),
        ...(built.reasons ? { reasons: built.reasons } : {}),
      },
      data: body,
      answering: {
        conversationId: original!.conversationId,
        refToMessageId: original!.messageId,
        inResponseTo: body.inResponseTo,
      },
    });
  });
}

/** POST for a notification the provider starts. */
function notify<S extends z.ZodType>(
  router: Router,
  deps: CabRouteDependencies,
  interactionId: OutboundCabInteraction,
  schema: S,
  build: (body: z.output<S>) => string,
): void {
  router.post(CAB_PATHS[interactionId], async (request: Request, response: Response) => {
    const parsed = schema.safeParse(request.body);
    if (!parsed.success) return sendProblem(response, validationProblem(parsed.error));
    await wrapAndSubmit(response, deps, {
      interactionId,
      payload: build(parsed.data),
      data: parsed.data,
      answering: {},
    });
  });
}

/** A payload built from the PAS's JSON, on its way out under a transmission wrapper. */
interface Outgoing {
  interactionId: OutboundCabInteraction;
  payload: string;
  /** The ASID to address; by default the route's. */
  toAsid?: string | undefined;
  wrapper?: WrapOptions;
  /** The PAS's JSON, kept with the message. */
  data: unknown;
  /** The stored request an answer belongs to; empty for a notification. */
  answering: { conversationId?: string; refToMessageId?: string; inResponseTo?: string };
}

/**
 * Wraps the payload under a fresh message id, submits it and answers 202. The HL7 is our own
 * template filled from JSON the endpoint's schema accepted, so it is not validated again here: a
 * property test holds every template to its interaction schema for any body the endpoint accepts
 * (test/unit/api/cab-built-hl7.test.ts). HL7 a PAS writes itself (`POST /`) is still read.
 */
async function wrapAndSubmit(response: Response, deps: CabRouteDependencies, out: Outgoing): Promise<void> {
  const { interactionId, answering } = out;
  const messageId = newId();
  const hl7 = wrapPayload(
    {
      interactionId,
      messageId,
      creationTime: now(deps),
      processingCode: deps.processingCode,
      toAsid: out.toAsid ?? deps.routes.resolve(interactionId).toAsid ?? '',
      fromAsid: deps.asid,
    },
    out.payload,
    out.wrapper,
  );
  try {
    const submitted = await deps.submission.submit({
      interactionId,
      payloadXml: hl7,
      messageId,
      hl7MessageId: messageId, // we built the wrapper with this id
      conversationId: answering.conversationId,
      refToMessageId: answering.refToMessageId,
      data: out.data,
    });
    response.status(202).json({
      ...accepted(submitted),
      interactionId,
      ...(answering.inResponseTo ? { inResponseTo: answering.inResponseTo } : {}),
    });
  } catch (error) {
    sendProblem(response, submitProblem(error));
  }
}

function requestProblem(
  message: StoredMessage | undefined,
  id: string,
  interactionId: string,
): Problem | undefined {
  const what = `${CAB_INTERACTIONS[interactionId as CabInteractionId]?.name ?? interactionId} (${interactionId})`;
  if (message?.direction !== 'inbound') {
    return {
      title: 'Unknown request',
      status: 404,
      detail: `inResponseTo ${id} names no request received from e-RS`,
      errors: [{ field: 'inResponseTo', message: 'unknown request' }],
    };
  }
  if (message.interactionId !== interactionId) {
    return {
      title: 'Wrong request',
      status: 409,
      detail: `inResponseTo ${id} is a ${message.interactionId}, not a ${what}`,
      errors: [{ field: 'inResponseTo', message: `must name a ${what}` }],
    };
  }
  return undefined;
}

function bookingIds(stored: StoredRequest): { usrn: string; ubrn: string } {
  const booking = stored.request as AppointmentRequest;
  return { usrn: booking.usrn, ubrn: booking.ubrn };
}

function businessReasons(
  reasons: { code: string; displayName?: string; qualifier?: string }[] | undefined,
): BusinessReason[] | undefined {
  return reasons?.map((r) => ({
    code: r.code,
    qualifier: (r.qualifier ?? 'ER') as BusinessReason['qualifier'],
    ...(r.displayName ? { displayName: r.displayName } : {}),
  }));
}

function newId(): string {
  return randomUUID().toUpperCase();
}

function now(deps: CabRouteDependencies): Date {
  return (deps.clock ?? (() => new Date()))();
}
