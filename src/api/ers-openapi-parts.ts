// The pieces the OpenAPI description of the /ers/… routes repeats: problem answers, the UBRN and
// Idempotency-Key parameters, the user's e-RS session headers and the JSON-or-FHIR format.
export const problemRef = (description: string, example?: Record<string, unknown>) => ({
  description,
  content: {
    'application/problem+json': {
      schema: { $ref: '#/components/schemas/Problem' },
      ...(example ? { example } : {}),
    },
  },
});

export const ubrnParameter = {
  name: 'ubrn',
  in: 'path',
  required: true,
  description: 'Unique Booking Reference Number (12 digits)',
  schema: { type: 'string', pattern: '^[0-9]{12}$' },
};

export const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description: '8–200 visible ASCII characters, e.g. a UUID, one per decision',
  schema: { type: 'string' },
};

export const userHeaders = [
  {
    name: 'X-ERS-Access-Token',
    in: 'header',
    required: false,
    description:
      "User-restricted calls only: the user's e-RS access token, passed through (never logged). Absent: the gateway calls as the application.",
    schema: { type: 'string' },
  },
  {
    name: 'NHSD-eRS-Business-Function',
    in: 'header',
    required: false,
    description: 'With X-ERS-Access-Token: the business function, e.g. SERVICE_PROVIDER_CLINICIAN',
    schema: { type: 'string' },
  },
  {
    name: 'NHSD-End-User-Organisation-ODS',
    in: 'header',
    required: false,
    description: 'With X-ERS-Access-Token: the ODS code (default ersFhir.odsCode)',
    schema: { type: 'string' },
  },
  {
    name: 'NHSD-eRS-On-Behalf-Of-User-ID',
    in: 'header',
    required: false,
    description: 'With X-ERS-Access-Token: the user acted for, when working on behalf of another',
    schema: { type: 'string' },
  },
];

/** `format=fhir`: the resource as e-RS sent it, instead of the plain JSON. */
export const formatParameter = {
  name: 'format',
  in: 'query',
  required: false,
  schema: { type: 'string', enum: ['json', 'fhir'] },
};

/** An acting route's parameters: the UBRN, the Idempotency-Key and the user's session. */
export const actingParameters = [ubrnParameter, idempotencyKeyParameter, ...userHeaders];

/** A reading route's parameters: the UBRN, the format, any of its own, then the user's session. */
export function readingParameters(...own: Record<string, unknown>[]) {
  return [ubrnParameter, formatParameter, ...own, ...userHeaders];
}
