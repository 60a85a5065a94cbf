import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { buildSlotResponsePayload, type SlotPoll, slotResponseRequestSchema } from '../cab/index.js';
import { wrapPayload } from '../hl7/index.js';
import type { OutboundSubmission } from '../outbound/index.js';
import type { MessageStore, StoredMessage } from '../store/index.js';
import { accepted, submitProblem } from './mhs.js';
import { sendProblem, validationProblem } from './problem.js';

export interface CabRouteDependencies {
  store: MessageStore;
  submission: OutboundSubmission;
  asid: string;
  processingCode: 'P' | 'D' | 'T';
  clock?: () => Date;
}

/** What inbound/ stored with a request from e-RS. */
interface StoredRequest {
  request: unknown;
  sender: { partyKey: string; asid?: string };
}

/** Choose and Book JSON endpoints: the PAS never writes HL7. */
export function cabRoutes(deps: CabRouteDependencies): Router {
  const router = Router();

  router.post('/cab/slot-responses', async (request, response) => {
    const parsed = slotResponseRequestSchema.safeParse(request.body);
    if (!parsed.success) return sendProblem(response, validationProblem(parsed.error));
    const answer = parsed.data;
    const poll = await deps.store.get(answer.inResponseTo);
    const problem = requestProblem(
      poll,
      answer.inResponseTo,
      'PRSC_IN080000UK07',
      'a slot poll (PRSC_IN080000UK07)',
    );
    if (problem) return sendProblem(response, problem);
    const stored = poll!.data as StoredRequest;
    const slotPoll = stored.request as SlotPoll;
    if (answer.clinicId !== undefined && answer.clinicId !== slotPoll.clinicId) {
      return sendProblem(response, {
        title: 'Invalid request',
        status: 422,
        detail: `clinicId ${answer.clinicId} does not match the poll's clinic ${slotPoll.clinicId}`,
        errors: [{ field: 'clinicId', message: 'does not match the slot poll' }],
      });
    }
    const messageId = randomUUID().toUpperCase();
    const payload = buildSlotResponsePayload({
      responseId: randomUUID().toUpperCase(),
      clinicId: slotPoll.clinicId,
      pollRequestId: slotPoll.requestId,
      slots: answer.slots,
    });
    const hl7 = wrapPayload(
      {
        interactionId: 'PRSC_IN090000UK09',
        messageId,
        creationTime: (deps.clock ?? (() => new Date()))(),
        processingCode: deps.processingCode,
        toAsid: stored.sender.asid ?? '',
        fromAsid: deps.asid,
      },
      payload,
    );
    try {
      const submitted = await deps.submission.submit({
        interactionId: 'PRSC_IN090000UK09',
        payloadXml: hl7,
        messageId,
        conversationId: poll!.conversationId,
        refToMessageId: poll!.messageId,
        data: answer,
      });
      return response.status(202).json({
        ...accepted(submitted),
        inResponseTo: answer.inResponseTo,
        interactionId: 'PRSC_IN090000UK09',
      });
    } catch (error) {
      return sendProblem(response, submitProblem(error));
    }
  });

  return router;
}

function requestProblem(message: StoredMessage | undefined, id: string, interactionId: string, what: string) {
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
      detail: `inResponseTo ${id} is a ${message.interactionId}, not ${what}`,
      errors: [{ field: 'inResponseTo', message: `must name ${what}` }],
    };
  }
  return undefined;
}
