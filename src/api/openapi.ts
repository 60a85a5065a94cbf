import { z } from 'zod';
import { CAB_INTERACTIONS, type CabRequestSchemas, slotResponseRequestSchema } from '../cab/index.js';
import { INBOUND_STATES, OUTBOUND_STATES } from '../store/index.js';
import { CAB_PATHS } from './cab.js';
import { DEAD_LETTER_PATHS } from './dead-letters.js';
import { mhsRequestBodySchema } from './mhs.js';

type JsonSchema = Record<string, unknown>;

/** Request bodies as their callers write them (words or codes), from the very schemas that validate them. */
function requestSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

const problem = {
  type: 'object',
  description:
    'RFC 9457 problem details; `errors` names each offending field, or carries Spine’s error codes',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object' } },
  },
};

const accepted = {
  type: 'object',
  required: ['messageId', 'correlationId', 'status'],
  properties: {
    messageId: { type: 'string', description: 'ebXML MessageId (and HL7 wrapper id) of the message sent' },
    correlationId: { type: 'string', description: 'ebXML ConversationId' },
    status: { type: 'string', enum: ['ACCEPTED'] },
    interactionId: { type: 'string' },
    inResponseTo: { type: 'string' },
  },
};

/** A `POST /` failure from Spine: our problem fields and the MHS adaptor's, in one object. */
const spineFailure = {
  allOf: [
    { $ref: '#/components/schemas/Problem' },
    {
      type: 'object',
      properties: {
        error_message: { type: 'string' },
        process_key: { type: 'string', enum: ['SOAP_ERROR_HANDLER0002', 'EBXML_ERROR_HANDLER0005'] },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['errorType', 'errorCode'],
            properties: {
              errorType: { type: 'string', enum: ['soap_fault', 'ebxml_error'] },
              codeContext: { type: 'string' },
              errorCode: { type: 'string' },
              severity: { type: 'string' },
              description: { type: 'string' },
              location: { type: 'string' },
            },
          },
        },
      },
    },
  ],
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const STATES = [...OUTBOUND_STATES, ...INBOUND_STATES];

/** The OpenAPI 3.1 description of the REST API, served at /openapi.json and read at /docs. */
export function openApiDocument(cabSchemas: CabRequestSchemas): JsonSchema {
  const bodies: Record<keyof typeof CAB_PATHS, z.ZodType> = {
    PRSC_IN090000UK09: slotResponseRequestSchema,
    PRSC_IN100000UK06: cabSchemas.slotCancellationRequestSchema,
    PRSC_IN050000UK06: cabSchemas.confirmAppointmentRequestSchema,
    PRSC_IN060000UK06: cabSchemas.rejectAppointmentRequestSchema,
    PRSC_IN140000UK06: cabSchemas.confirmCancellationRequestSchema,
    PRSC_IN150000UK06: cabSchemas.rejectCancellationRequestSchema,
    PRSC_IN130000UK07: cabSchemas.appointmentCancellationRequestSchema,
    PRSC_IN110000UK08: cabSchemas.dnaListRequestSchema,
  };
  const paths: Record<string, unknown> = {};
  for (const [interactionId, path] of Object.entries(CAB_PATHS) as [keyof typeof CAB_PATHS, string][]) {
    const interaction = CAB_INTERACTIONS[interactionId];
    const answers = 'answers' in interaction ? interaction.answers : undefined;
    paths[path] = {
      post: {
        tags: ['Choose and Book'],
        summary: `${interaction.name} (${interactionId})`,
        description: answers
          ? `Answers a ${CAB_INTERACTIONS[answers as keyof typeof CAB_INTERACTIONS].name} (${answers}) the PAS read from mhs.inbound; \`inResponseTo\` is that message's messageId. The gateway fills ConversationId, the HL7 references, UBRN/USRN and ASIDs from the stored request.`
          : 'Starts a new conversation with e-RS.',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: requestSchema(bodies[interactionId]) } },
        },
        responses: {
          202: {
            description: 'Stored and queued: it will be sent, and resent if need be',
            content: { 'application/json': { schema: accepted } },
          },
          400: problemResponse('A field is missing or invalid (named in `errors[].field`)'),
          ...(answers
            ? {
                404: problemResponse('`inResponseTo` names no request received from e-RS'),
                409: problemResponse('`inResponseTo` names another kind of request'),
              }
            : {}),
          422: problemResponse('The HL7 message built would not be valid against our schema (element named)'),
          503: problemResponse('Not accepted (the broker is unavailable): retry later'),
        },
      },
    };
  }
  paths['/'] = {
    post: {
      tags: ['MHS-compatible'],
      summary: 'Send raw HL7 (the NHS MHS adaptor’s API)',
      parameters: [
        header('Interaction-Id', true, 'HL7 interaction id, e.g. PRSC_IN090000UK09'),
        header('wait-for-response', true, '`true` to wait for the reply, `false` for 202 once queued', [
          'true',
          'false',
        ]),
        header('Message-Id', false, 'becomes eb:MessageId; generated when absent'),
        header('Correlation-Id', false, 'becomes eb:ConversationId; generated when absent'),
        header('from-asid', false, 'sender ASID; required for sync interactions'),
        header('ods-code', false, 'ODS code of the receiving organisation'),
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: requestSchema(mhsRequestBodySchema) } },
      },
      responses: {
        200: {
          description: 'The HL7 reply (sync, or wait-for-response: true)',
          content: { 'text/xml': { schema: { type: 'string' } } },
        },
        202: { description: 'Stored and queued', content: { 'application/json': { schema: accepted } } },
        400: problemResponse('Bad header or body'),
        404: problemResponse('Missing or unknown Interaction-Id'),
        409: problemResponse('Message-Id already used'),
        415: problemResponse('Body is not application/json'),
        500: {
          description:
            'Spine rejected the message or the gateway gave up on it: the problem fields plus the MHS adaptor’s `error_message`, `process_key` and `errors[]` of `{errorType: soap_fault | ebxml_error, codeContext, errorCode, severity, description, location?}`',
          content: { 'application/problem+json': { schema: spineFailure } },
        },
        503: problemResponse('Not accepted: retry later'),
        504: problemResponse('No reply within the route’s persist duration'),
      },
    },
  };
  paths['/messages/{messageId}'] = {
    get: {
      tags: ['Messages'],
      summary: 'A message’s state, history and reply',
      parameters: [{ name: 'messageId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        200: {
          description: 'The message',
          content: {
            'application/json': {
              schema: {
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
              },
            },
          },
        },
        404: problemResponse('No such message'),
      },
    },
  };
  Object.assign(paths, DEAD_LETTER_PATHS);
  paths['/healthz'] = {
    get: {
      tags: ['Operations'],
      summary: 'Liveness',
      security: [],
      responses: { 200: { description: 'The process is up' } },
    },
  };
  paths['/readyz'] = {
    get: {
      tags: ['Operations'],
      summary: 'Readiness: RabbitMQ, store and certificates',
      security: [],
      responses: {
        200: { description: 'Ready' },
        503: { description: 'Not ready; each failing check says why' },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'mhs-gateway',
      version: '0.1.0',
      description:
        'JSON over HTTP for a hospital PAS to exchange Choose and Book (e-RS, MIM 3.1.09) messages with the NHS Spine. Requests from e-RS and replies arrive on the RabbitMQ queue mhs.inbound.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas: { Problem: problem },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key from `mhs-gateway apikey create NAME`',
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}

function header(name: string, required: boolean, description: string, values?: string[]) {
  return {
    name,
    in: 'header',
    required,
    description,
    schema: values ? { type: 'string', enum: values } : { type: 'string' },
  };
}
