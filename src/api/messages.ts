import { Router } from 'express';
import type { MessageStore } from '../store/index.js';
import { sendProblem } from './problem.js';

/** The most messages one UBRN lists: a referral's HL7 V3 conversations are a handful. */
const BY_UBRN_LIMIT = 100;

/**
 * The HL7 V3 (Choose and Book) messages whose JSON names this UBRN, newest first. A scan of the
 * stored JSON (no index), so bounded. Shared by GET /messages?ubrn= and GET /ers/referrals/{ubrn}/messages.
 */
export async function messagesByUbrn(store: Pick<MessageStore, 'search'>, ubrn: string) {
  const found = await store.search({ ubrn, limit: BY_UBRN_LIMIT });
  return found.map((m) => ({
    messageId: m.messageId,
    conversationId: m.conversationId,
    interactionId: m.interactionId,
    direction: m.direction,
    status: m.status,
    createdAt: m.createdAt,
    href: `/messages/${m.messageId}`,
  }));
}

export function messageRoutes(store: MessageStore): Router {
  const router = Router();
  router.get('/messages', async (request, response) => {
    const ubrn = request.query.ubrn;
    if (typeof ubrn !== 'string' || !/^[0-9]{12}$/.test(ubrn))
      return sendProblem(response, {
        title: 'UBRN required',
        status: 400,
        detail: 'list messages by UBRN: GET /messages?ubrn= followed by the 12 digits',
      });
    return response.json({ ubrn, messages: await messagesByUbrn(store, ubrn) });
  });
  router.get('/messages/:messageId', async (request, response) => {
    const message = await store.get(request.params.messageId);
    if (!message)
      return sendProblem(response, {
        title: 'Unknown message',
        status: 404,
        detail: `no message ${request.params.messageId}`,
      });
    const body: Record<string, unknown> = {
      messageId: message.messageId,
      conversationId: message.conversationId,
      interactionId: message.interactionId,
      direction: message.direction,
      status: message.status,
      refToMessageId: message.refToMessageId,
      createdAt: message.createdAt,
      updatedAt: message.updatedAt,
      attempts: message.attempts,
      history: await store.history(message.messageId),
    };
    if (message.reply !== undefined) body.reply = message.reply;
    if (message.error !== undefined) body.error = message.error;
    // A dead letter an operator replayed (as which message) or discarded.
    if (message.resolution !== undefined)
      Object.assign(body, {
        resolution: message.resolution,
        resolvedAt: message.resolvedAt,
        ...(message.replayedAs !== undefined ? { replayedAs: message.replayedAs } : {}),
      });
    return response.json(body);
  });
  return router;
}
