import type { z } from 'zod';
import { CAB_INTERACTIONS, type CabRequestSchemas, slotResponseRequestSchema } from '../cab/index.js';
import { CAB_PATHS } from './cab.js';
import { ACCEPTED_EXAMPLE, acceptedSchema, problemResponse, requestSchema } from './openapi-shared.js';

/** The 202 of a message that starts a conversation: no inResponseTo. */
function started(interactionId: string) {
  const { inResponseTo: _, ...rest } = ACCEPTED_EXAMPLE;
  return { ...rest, interactionId };
}

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

/** The Choose and Book paths: one POST per outbound interaction, its body from its own validator. */
export function cabPaths(cabSchemas: CabRequestSchemas): Record<string, unknown> {
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
                schema: acceptedSchema,
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
          ...(interactionId === 'PRSC_IN090000UK09'
            ? { 422: problemResponse('`clinicId` is not the clinic of the poll it answers') }
            : {}),
          503: problemResponse('Not accepted (the broker or the message store is unavailable): retry later'),
        },
      },
    };
  }
  return paths;
}
