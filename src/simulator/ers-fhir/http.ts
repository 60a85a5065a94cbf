// How the simulated e-RS writes its answers: plain JSON (token endpoint, control API), FHIR JSON
// with its ETag version, and files (attachments, generated PDFs).
import type http from 'node:http';
import { operationOutcome } from './outcomes.js';

export function parseJson(raw: Buffer): unknown {
  try {
    return raw.byteLength ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

export function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export function fhirJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  version?: number,
  headers: Record<string, string> = {},
): void {
  response
    .writeHead(status, {
      'Content-Type': 'application/fhir+json',
      ...(version !== undefined ? { ETag: `W/"${version}"` } : {}),
      ...headers,
    })
    .end(JSON.stringify(body));
}

/** e-RS's 404 for a UBRN or code it does not hold. */
export function notFound(response: http.ServerResponse, diagnostics: string): void {
  fhirJson(response, 404, operationOutcome('REFERENCE_NOT_FOUND', diagnostics, 'not-found'));
}

/** A file's bytes; with a filename, as a download (e-RS's generated PDFs). */
export function sendFile(
  response: http.ServerResponse,
  contentType: string,
  content: Buffer,
  filename?: string,
): void {
  response
    .writeHead(200, {
      'Content-Type': contentType,
      'Content-Length': String(content.byteLength),
      ...(filename !== undefined ? { 'Content-Disposition': `attachment; filename="${filename}"` } : {}),
    })
    .end(content);
}
