import { mhsRequestBodySchema } from './mhs-request.js';
import {
  ACCEPTED_EXAMPLE,
  acceptedSchema,
  header,
  problemResponse,
  requestSchema,
} from './openapi-shared.js';

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

/** POST /: the NHS MHS adaptor's API (raw HL7 in JSON, its headers and status codes). */
export function mhsPaths(): Record<string, unknown> {
  return {
    '/': {
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
                schema: acceptedSchema,
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
          503: problemResponse('Not accepted (the broker or the message store is unavailable): retry later'),
          504: problemResponse('No reply within the route’s persist duration'),
        },
      },
    },
  };
}
