import { z } from 'zod';
import { CAB_INTERACTIONS, type CabRequestSchemas, slotResponseRequestSchema } from '../cab/index.js';
import { MESSAGE_STATES } from '../lifecycle/index.js';
import { CAB_PATHS } from './cab.js';
import { DEAD_LETTER_PATHS } from './dead-letters.js';
import { ersPaths } from './ers.js';
import { mhsRequestBodySchema } from './mhs-request.js';

type JsonSchema = Record<string, unknown>;

/** Request bodies as their callers write them (words or codes), from the very schemas that validate them. */
function requestSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

const ACCEPTED_EXAMPLE = {
  messageId: 'C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F',
  correlationId: '5E4D3C2B-1A09-4F8E-8D7C-6B5A49382716',
  status: 'ACCEPTED',
  inResponseTo: '0B7C5A4E-1D2F-4C3B-9A8E-7F6D5C4B3A21',
  interactionId: 'PRSC_IN090000UK09',
};

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

/** The 202 of a message that starts a conversation: no inResponseTo. */
function started(interactionId: string) {
  const { inResponseTo: _, ...rest } = ACCEPTED_EXAMPLE;
  return { ...rest, interactionId };
}

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

const PROBLEM_EXAMPLE = {
  type: 'about:blank',
  title: 'Invalid request',
  status: 400,
  detail: 'slots[0].usrn: Invalid UUID',
  errors: [{ field: 'slots[0].usrn', message: 'Invalid UUID' }],
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const STATES = [...MESSAGE_STATES];

/**
 * What an answer's `inResponseTo` looks like in the examples: plainly not an id, so "Try it out"
 * gets 404 until the messageId of a real request read from mhs.inbound replaces it.
 */
export const IN_RESPONSE_TO_PLACEHOLDER = 'REPLACE-WITH-messageId-OF-THE-REQUEST-READ-FROM-mhs.inbound';

const IN_RESPONSE_TO_NOTE =
  '`inResponseTo` must name a real request: the `messageId` of the e-RS request the PAS read from mhs.inbound. The example holds a placeholder; with it the gateway answers 404.';

/** One realistic request body per endpoint (the README's values); each must pass the endpoint's own validator. */
export const REQUEST_EXAMPLES: Record<keyof typeof CAB_PATHS, unknown> = {
  PRSC_IN090000UK09: {
    inResponseTo: IN_RESPONSE_TO_PLACEHOLDER,
    slots: [
      {
        usrn: '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e',
        start: '2026-12-01T09:00:00Z',
        end: '2026-12-01T09:15:00Z',
        priority: 'urgent',
      },
      {
        usrn: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
        start: '2026-12-01T09:15:00Z',
        end: '2026-12-01T09:30:00Z',
      },
    ],
  },
  PRSC_IN100000UK06: { usrns: ['3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e'] },
  PRSC_IN050000UK06: { inResponseTo: IN_RESPONSE_TO_PLACEHOLDER },
  PRSC_IN060000UK06: {
    inResponseTo: IN_RESPONSE_TO_PLACEHOLDER,
    reasons: [{ code: '5001', displayName: 'Slot no longer available' }],
  },
  PRSC_IN140000UK06: { inResponseTo: IN_RESPONSE_TO_PLACEHOLDER },
  PRSC_IN150000UK06: {
    inResponseTo: IN_RESPONSE_TO_PLACEHOLDER,
    reasons: [{ code: '5002', displayName: 'Appointment already attended' }],
  },
  PRSC_IN130000UK07: {
    ubrn: '000012345678',
    usrn: '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e',
    nhsNumber: '9434765919',
    reason: 'clinic-cancelled',
  },
  PRSC_IN110000UK08: {
    appointments: [
      {
        ubrn: '000012345678',
        usrn: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
        nhsNumber: '9434765919',
        reason: 'patient-forgot',
      },
    ],
  },
};

/** POST / (MHS-compatible): a whole slot cancellation (our golden sample), as a PAS sends it. */
export const MHS_REQUEST_EXAMPLE = {
  payload:
    '<PRSC_IN100000UK06 xmlns="urn:hl7-org:v3"><id root="7F9BBD35-E06C-4E8F-9BA3-C2E46A8CAEC5"/' +
    '><creationTime value="20260106120000"/><versionCode code="V3NPfIT3.1.09"/><interactionId r' +
    'oot="2.16.840.1.113883.2.1.3.2.4.12" extension="PRSC_IN100000UK06"/><processingCode code="' +
    'P"/><processingModeCode code="T"/><acceptAckCode code="NE"/><communicationFunctionRcv type' +
    'Code="RCV"><device classCode="DEV" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.2.' +
    '0.107" extension="918999199246"/></device></communicationFunctionRcv><communicationFunctio' +
    'nSnd typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE"><id root="1.2.826.0.' +
    '1285.0.2.0.107" extension="200000001234"/></device></communicationFunctionSnd><ControlActE' +
    'vent classCode="CACT" moodCode="EVN"><author1 typeCode="AUT"><AgentSystemSDS classCode="AG' +
    'NT"><agentSystemSDS classCode="DEV" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.2' +
    '.0.107" extension="200000001234"/></agentSystemSDS></AgentSystemSDS></author1><subject typ' +
    'eCode="SUBJ" contextConductionInd="false"><CancelledSlotList classCode="LIST" moodCode="PR' +
    'MS"><id root="1F2E3D4C-5B6A-4798-8A6B-5C4D3E2F1A0B"/><component typeCode="COMP"><appointme' +
    'ntSlot classCode="SPLY" moodCode="SLOT"><id root="C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F"/><' +
    '/appointmentSlot></component><component typeCode="COMP"><appointmentSlot classCode="SPLY" ' +
    'moodCode="SLOT"><id root="E3F4A5B6-C7D8-4E9F-8A1B-2C3D4E5F6071"/></appointmentSlot></compo' +
    'nent></CancelledSlotList></subject></ControlActEvent></PRSC_IN100000UK06>',
};

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
          ? `Answers a ${CAB_INTERACTIONS[answers as keyof typeof CAB_INTERACTIONS].name} (${answers}) the PAS read from mhs.inbound; \`inResponseTo\` is that message's messageId. The gateway fills ConversationId, the HL7 references, UBRN/USRN and ASIDs from the stored request. ${IN_RESPONSE_TO_NOTE}`
          : 'Starts a new conversation with e-RS.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: requestSchema(bodies[interactionId]),
              example: REQUEST_EXAMPLES[interactionId],
            },
          },
        },
        responses: {
          202: {
            description: 'Stored and queued: it will be sent, and resent if need be',
            content: {
              'application/json': {
                schema: accepted,
                example: answers ? { ...ACCEPTED_EXAMPLE, interactionId } : started(interactionId),
              },
            },
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
      description:
        '`payload` is the whole HL7 message for `Interaction-Id`, wrapper and all (the example is a slot cancellation); a payload that is not well-formed HL7 rooted at that interaction, with its wrapper, gets 400 naming what is wrong.',
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
        content: {
          'application/json': { schema: requestSchema(mhsRequestBodySchema), example: MHS_REQUEST_EXAMPLE },
        },
      },
      responses: {
        200: {
          description: 'The HL7 reply (sync, or wait-for-response: true)',
          content: { 'text/xml': { schema: { type: 'string' } } },
        },
        202: {
          description: 'Stored and queued',
          content: {
            'application/json': {
              schema: accepted,
              example: {
                messageId: ACCEPTED_EXAMPLE.messageId,
                correlationId: ACCEPTED_EXAMPLE.correlationId,
                status: 'ACCEPTED',
              },
            },
          },
        },
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
  paths['/messages'] = {
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
  };
  paths['/messages/{messageId}'] = {
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
  Object.assign(paths, ersPaths(requestSchema));
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
        'JSON over HTTP for a hospital PAS to exchange Choose and Book (e-RS, MIM 3.1.09) messages with the NHS Spine. Requests from e-RS and replies arrive on the RabbitMQ queue mhs.inbound. The e-RS FHIR side (/ers/…, when ersFhir.enabled) serves referrals, attachments and decisions; worklist events arrive on mhs.referrals.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas: { Problem: { ...problem, example: PROBLEM_EXAMPLE } },
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
