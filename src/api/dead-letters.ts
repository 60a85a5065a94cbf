import { type Response, Router } from 'express';
import { z } from 'zod';
import {
  DeadLetterConflictError,
  DeadLetterNotFoundError,
  type DeadLetters,
  InvalidSubmissionError,
  NotAcceptedError,
} from '../outbound/index.js';
import { BrokerUnavailableError } from '../queue/index.js';
import { RoutingError } from '../routing/index.js';
import { DEAD_LETTER_STATES, InvalidCursorError, MAX_SEARCH_LIMIT } from '../store/index.js';
import { errorProblem, type Problem, sendProblem, validationProblem } from './problem.js';

export interface DeadLetterRouteDependencies {
  deadLetters: DeadLetters;
}

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).optional(),
  before: z.string().min(1).optional(),
});
const discardBody = z.strictObject({ reason: z.string().max(1000).optional() }).optional();

/**
 * Dead letters (outbound messages the gateway gave up on) for operators: list, replay, discard.
 * The caller's API key name is recorded as the operator in the message's history.
 */
export function deadLetterRoutes(deps: DeadLetterRouteDependencies): Router {
  const router = Router();
  router.get('/dead-letters', async (request, response) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) return sendProblem(response, validationProblem(query.error));
    try {
      return response.json(await deps.deadLetters.list(query.data));
    } catch (error) {
      if (error instanceof InvalidCursorError)
        return sendProblem(response, errorProblem(error, { detail: `before: ${error.message}` }));
      throw error;
    }
  });
  router.use(deadLetterActionRoutes(deps));
  return router;
}

/**
 * Replay and discard alone: the dashboard mounts these under /dashboard behind its own session,
 * same-origin and CSRF checks, so its buttons and the API share one implementation.
 */
export function deadLetterActionRoutes(deps: DeadLetterRouteDependencies): Router {
  const router = Router();
  router.post('/dead-letters/:messageId/replay', async (request, response) => {
    try {
      const result = await deps.deadLetters.replay(request.params.messageId, {
        operator: operator(response),
      });
      return response.status(202).json(result);
    } catch (error) {
      return sendProblem(response, failureProblem(error));
    }
  });
  router.post('/dead-letters/:messageId/discard', async (request, response) => {
    const body = discardBody.safeParse(request.body);
    if (!body.success) return sendProblem(response, validationProblem(body.error));
    try {
      await deps.deadLetters.discard(request.params.messageId, {
        reason: body.data?.reason,
        operator: operator(response),
      });
      return response.json({ messageId: request.params.messageId, resolution: 'discarded' });
    } catch (error) {
      return sendProblem(response, failureProblem(error));
    }
  });
  return router;
}

function operator(response: Response): string | undefined {
  const name: unknown = response.locals.apiKeyName;
  return typeof name === 'string' ? name : undefined;
}

/** The problem for an error an operator can act on; anything else goes on to the 500 handler. */
function failureProblem(error: unknown): Problem {
  if (error instanceof DeadLetterNotFoundError) return errorProblem(error);
  if (error instanceof DeadLetterConflictError) return errorProblem(error, { state: error.state });
  // The configuration changed since the message was accepted (its interaction is gone, for one).
  if (error instanceof RoutingError || error instanceof InvalidSubmissionError)
    return errorProblem(error, { title: 'Cannot replay', status: 409 });
  if (error instanceof NotAcceptedError || error instanceof BrokerUnavailableError)
    return errorProblem(error, { title: 'Not replayed: try again later', status: 503, retryAfterSeconds: 5 });
  throw error;
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const messageIdParameter = { name: 'messageId', in: 'path', required: true, schema: { type: 'string' } };

/** The OpenAPI description of these routes. */
export const DEAD_LETTER_PATHS: Record<string, unknown> = {
  '/dead-letters': {
    get: {
      tags: ['Dead letters'],
      summary:
        'Outbound messages the gateway gave up on (FAILED, or UNANSWERED past their reply deadline), not yet replayed or discarded; newest first',
      parameters: [
        {
          name: 'limit',
          in: 'query',
          schema: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_LIMIT, default: 50 },
        },
        {
          name: 'before',
          in: 'query',
          description: 'the `next` of the previous page',
          schema: { type: 'string' },
        },
      ],
      responses: {
        200: {
          description: 'A page of dead letters',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['deadLetters'],
                properties: {
                  deadLetters: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: [
                        'messageId',
                        'conversationId',
                        'interactionId',
                        'status',
                        'failedAt',
                        'reason',
                        'attempts',
                      ],
                      properties: {
                        messageId: { type: 'string' },
                        conversationId: { type: 'string' },
                        interactionId: { type: 'string' },
                        refToMessageId: { type: 'string' },
                        status: { type: 'string', enum: [...DEAD_LETTER_STATES] },
                        createdAt: { type: 'string', format: 'date-time' },
                        failedAt: { type: 'string', format: 'date-time' },
                        reason: { type: 'string' },
                        attempts: { type: 'integer' },
                      },
                    },
                  },
                  next: { type: 'string', description: 'pass as `before` for the next page' },
                },
              },
            },
          },
        },
        400: problem('Bad limit or cursor'),
      },
    },
  },
  '/dead-letters/{messageId}/replay': {
    post: {
      tags: ['Dead letters'],
      summary: 'Send a dead letter again',
      description:
        'While the receiver still remembers its MessageId (within the route’s PersistDuration and retry window of the first attempt) the same bytes are queued again; after that a new message with a new MessageId, the same conversation and content is sent, and the old one is marked replayed.',
      parameters: [messageIdParameter],
      responses: {
        202: {
          description: 'Queued',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['messageId', 'replayOf', 'sameMessageId'],
                properties: {
                  messageId: { type: 'string', description: 'the message now queued' },
                  replayOf: { type: 'string' },
                  sameMessageId: { type: 'boolean' },
                },
              },
            },
          },
        },
        404: problem('No such message'),
        409: problem('Not a dead letter (its `state` says what it is), or it can no longer be built'),
        503: problem('RabbitMQ unavailable: retry later'),
      },
    },
  },
  '/dead-letters/{messageId}/discard': {
    post: {
      tags: ['Dead letters'],
      summary: 'Give up on a dead letter for good (kept in the store, with the reason in its history)',
      parameters: [messageIdParameter],
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: { reason: { type: 'string', maxLength: 1000 } },
            },
            example: { reason: 'slot list superseded by the 10:30 list; the clinic was told by phone' },
          },
        },
      },
      responses: {
        200: { description: 'Discarded' },
        404: problem('No such message'),
        409: problem('Not a dead letter (its `state` says what it is)'),
      },
    },
  },
};
