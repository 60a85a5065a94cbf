import { Router } from 'express';
import type { Waiters } from '../correlation/index.js';
import { isFinal } from '../lifecycle/index.js';
import type { OutboundSubmission } from '../outbound/index.js';
import { type RouteTable, RoutingError } from '../routing/index.js';
import type { MessageStore } from '../store/index.js';
import { accepted, sendFinished, submitProblem } from './mhs-replies.js';
import { readBody, readHeaders, toAttachment, toExternal } from './mhs-request.js';
import { errorProblem, sendProblem } from './problem.js';

export interface MhsRouteDependencies {
  routes: RouteTable;
  store: MessageStore;
  submission: OutboundSubmission;
  waiters: Waiters;
  maxRequestBytes: number;
}

/** `POST /`: the NHS MHS adaptor's API, with the same headers and status codes (minus its mistakes). */
export function mhsRoutes(deps: MhsRouteDependencies): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    const headers = readHeaders(request, deps.routes);
    if ('problem' in headers) return sendProblem(response, headers.problem);
    const { interactionId, wait } = headers;
    const read = readBody(request.body, interactionId, deps.maxRequestBytes);
    if ('problem' in read) return sendProblem(response, read.problem);
    const { body, hl7MessageId } = read;
    if (deps.routes.catalogue.interactions[interactionId]!.direction === 'inbound') {
      return sendProblem(response, {
        title: 'Invalid request',
        status: 400,
        detail: `${interactionId} is sent to this gateway (by Spine or e-RS), not by the PAS`,
      });
    }
    // Catalogued but unrouted (neither SDS nor the routes file gives a route): the MHS adaptor's
    // 500 for a failed routing lookup, naming what is missing.
    let route: ReturnType<RouteTable['resolve']>;
    try {
      route = deps.routes.resolve(interactionId);
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error;
      return sendProblem(
        response,
        errorProblem(error, { title: 'Error obtaining outbound URL', status: 500 }),
      );
    }
    const fromAsid = request.get('from-asid');
    if (route.workflow === 'sync' && !/^[0-9]{1,12}$/.test(fromAsid ?? '')) {
      return sendProblem(response, {
        title: 'Invalid request',
        status: 400,
        detail: `from-asid header (up to 12 digits) is required for ${interactionId}, a sync interaction`,
        errors: [{ field: 'from-asid', message: 'required for sync interactions: up to 12 digits' }],
      });
    }
    try {
      const submitted = await deps.submission.submit({
        interactionId,
        payloadXml: body.payload,
        hl7MessageId,
        messageId: request.get('Message-Id'),
        conversationId: request.get('Correlation-Id'),
        data: {
          source: 'mhs-compatible',
          odsCode: request.get('ods-code'),
          fromAsid,
        },
        fromAsid: route.workflow === 'sync' ? fromAsid : undefined,
        attachments: (body.attachments ?? []).map(toAttachment),
        externalAttachments: (body.external_attachments ?? []).map(toExternal),
        awaited: wait !== 'false' || route.workflow === 'sync',
      });
      response.set({ 'Message-Id': submitted.messageId, 'Correlation-Id': submitted.conversationId });
      // Sync interactions always answer with the reply, as the MHS adaptor does.
      if (wait === 'false' && route.workflow !== 'sync')
        return response.status(202).json(accepted(submitted));
      const done = await deps.waiters.waitFor(
        submitted.messageId,
        async () => {
          const status = (await deps.store.get(submitted.messageId))?.status;
          return status !== undefined && isFinal(status);
        },
        route.persistDurationMs,
      );
      const finished = (await deps.store.get(submitted.messageId))!;
      if (!done)
        return sendProblem(response, {
          title: 'No response received in time',
          status: 504,
          detail: `message ${submitted.messageId} is ${finished.status}`,
          messageId: submitted.messageId,
        });
      return await sendFinished(response, finished, deps.store);
    } catch (error) {
      return sendProblem(response, submitProblem(error, request.get('Message-Id')));
    }
  });
  return router;
}
