import type { CabRequestSchemas } from '../cab/index.js';
import { DEAD_LETTER_PATHS } from './dead-letters.js';
import { ersPaths } from './ers.js';
import { cabPaths } from './openapi-cab.js';
import { messagePaths } from './openapi-messages.js';
import { mhsPaths } from './openapi-mhs.js';
import { type JsonSchema, PROBLEM_EXAMPLE, problemSchema, requestSchema } from './openapi-shared.js';

/** The OpenAPI 3.1 description of the REST API, served at /openapi.json and read at /docs. */
export function openApiDocument(cabSchemas: CabRequestSchemas): JsonSchema {
  const paths: Record<string, unknown> = { ...cabPaths(cabSchemas), ...mhsPaths(), ...messagePaths() };
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
      schemas: { Problem: { ...problemSchema, example: PROBLEM_EXAMPLE } },
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
