import { z } from 'zod';

// What every part of /openapi.json shares: request schemas from the validators, the problem and
// 202 shapes, and their examples.

export type JsonSchema = Record<string, unknown>;

export /** Request bodies as their callers write them (words or codes), from the very schemas that validate them. */
function requestSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return json;
}

export const ACCEPTED_EXAMPLE = {
  messageId: 'C1D2E3F4-A5B6-4C7D-8E9F-0A1B2C3D4E5F',
  correlationId: '5E4D3C2B-1A09-4F8E-8D7C-6B5A49382716',
  status: 'ACCEPTED',
  inResponseTo: '0B7C5A4E-1D2F-4C3B-9A8E-7F6D5C4B3A21',
  interactionId: 'PRSC_IN090000UK09',
};

/** The Problem component: every error body. */
export const problemSchema = {
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

/** The 202 body. */
export const acceptedSchema = {
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

export const PROBLEM_EXAMPLE = {
  type: 'about:blank',
  title: 'Invalid request',
  status: 400,
  detail: 'slots[0].usrn: Invalid UUID',
  errors: [{ field: 'slots[0].usrn', message: 'Invalid UUID' }],
};

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** A header parameter. */
export function header(name: string, required: boolean, description: string, values?: string[]) {
  return {
    name,
    in: 'header',
    required,
    description,
    schema: values ? { type: 'string', enum: values } : { type: 'string' },
  };
}
