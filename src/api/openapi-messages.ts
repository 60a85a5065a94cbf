import { MESSAGE_STATES } from '../lifecycle/index.js';
import { ACCEPTED_EXAMPLE, problemResponse } from './openapi-shared.js';

const MESSAGE_EXAMPLE = {
  messageId: ACCEPTED_EXAMPLE.messageId,
  conversationId: ACCEPTED_EXAMPLE.correlationId,
  interactionId: 'PRSC_IN090000UK09',
  direction: 'outbound',
  status: 'COMPLETED',
  history: [
    { at: '2026-11-22T10:00:05.210Z', status: 'ACCEPTED', detail: 'accepted from the PAS' },
    { at: '2026-11-22T10:00:05.260Z', status: 'SENDING', detail: 'attempt 1' },
    { at: '2026-11-22T10:00:05.410Z', status: 'SENT', detail: 'HTTP 202' },
    {
      at: '2026-11-22T10:00:05.530Z',
      status: 'ACKED',
      detail: 'ebXML Acknowledgment 6A5B4C3D-2E1F-4A09-8B7C-6D5E4F3A2B1C',
    },
    {
      at: '2026-11-22T10:00:06.020Z',
      status: 'COMPLETED',
      detail: 'application acknowledgement AA 2B3C4D5E-6F70-4812-9A3B-4C5D6E7F8091',
    },
  ],
  reply: {
    acknowledgement: 'AA',
    outcome: 'accepted',
    details: [],
    reasons: [],
    summary: 'e-RS accepted the message (AA).',
  },
};

const STATES = [...MESSAGE_STATES];

/** A message as GET /messages/{messageId} answers. */
const MESSAGE_SCHEMA = {
  type: 'object',
  required: ['messageId', 'conversationId', 'interactionId', 'direction', 'status', 'history'],
  properties: {
    messageId: { type: 'string' },
    conversationId: { type: 'string' },
    interactionId: { type: 'string' },
    direction: { type: 'string', enum: ['outbound', 'inbound'] },
    status: { type: 'string', enum: STATES },
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          at: { type: 'string', format: 'date-time' },
          status: { type: 'string', enum: STATES },
          detail: { type: 'string' },
        },
      },
    },
    reply: {
      type: 'object',
      description:
        'The mapped reply (application acknowledgement: acknowledgement, outcome, details, reasons, summary)',
    },
    error: {
      type: 'array',
      description: 'Spine’s errors for a NACKED, FAILED or UNANSWERED message',
    },
    resolution: {
      type: 'string',
      enum: ['replayed', 'discarded'],
      description: 'A dead letter an operator settled (see /dead-letters)',
    },
    resolvedAt: { type: 'string', format: 'date-time' },
    replayedAs: { type: 'string', description: 'The new message a replay sent in its place' },
  },
};

/** GET /messages?ubrn and GET /messages/{messageId}: what the gateway holds of a message. */
export function messagePaths(): Record<string, unknown> {
  return {
    '/messages': {
      get: {
        tags: ['Messages'],
        summary: 'The HL7 V3 (Choose and Book) messages of one referral, by UBRN, newest first (up to 100)',
        description:
          'A message belongs to a UBRN when its JSON names it (a booking, cancellation or rejection of that referral). With the e-RS FHIR side on, `GET /ers/referrals/{ubrn}` is the same referral as e-RS holds it.',
        parameters: [
          {
            name: 'ubrn',
            in: 'query',
            required: true,
            schema: { type: 'string', pattern: '^[0-9]{12}$' },
            example: '000012345678',
            description: 'Unique Booking Reference Number (12 digits)',
          },
        ],
        responses: {
          200: {
            description: 'The messages',
            content: {
              'application/json': {
                example: {
                  ubrn: '000012345678',
                  messages: [
                    {
                      messageId: ACCEPTED_EXAMPLE.messageId,
                      conversationId: ACCEPTED_EXAMPLE.correlationId,
                      interactionId: 'PRSC_IN070000UK08',
                      direction: 'inbound',
                      status: 'DELIVERED',
                      createdAt: '2026-12-03T10:02:11.000Z',
                      href: `/messages/${ACCEPTED_EXAMPLE.messageId}`,
                    },
                  ],
                },
              },
            },
          },
          400: problemResponse('No UBRN, or not 12 digits'),
        },
      },
    },
    '/messages/{messageId}': {
      get: {
        tags: ['Messages'],
        summary: 'A message’s state, history and reply',
        parameters: [
          {
            name: 'messageId',
            in: 'path',
            required: true,
            schema: { type: 'string' },
            example: ACCEPTED_EXAMPLE.messageId,
            description: 'The messageId a 202 gave (or one read from mhs.inbound)',
          },
        ],
        responses: {
          200: {
            description: 'The message',
            content: {
              'application/json': {
                example: MESSAGE_EXAMPLE,
                schema: MESSAGE_SCHEMA,
              },
            },
          },
          404: problemResponse('No such message'),
        },
      },
    },
  };
}
