import { Router } from 'express';
import type { MessageStore } from '../store/index.js';
import { sendProblem } from './problem.js';

export function messageRoutes(store: MessageStore): Router {
  const router = Router();
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
