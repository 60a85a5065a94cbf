import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../ops/index.js';
import { type ApiKeyRecord, findApiKey } from './api-keys.js';
import { sendProblem } from './problem.js';

/** How the REST API admits callers: API keys, or (development only) anyone. */
export type ApiAuth = { mode: 'api-key'; keys: readonly ApiKeyRecord[] } | { mode: 'none' };

/** Probes stay open so a load balancer or orchestrator needs no credential. */
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['GET /healthz', 'GET /readyz']);

// Keys are 47 characters; anything far longer is not a key, and is not worth hashing.
const MAX_KEY_LENGTH = 512;
const CHALLENGE = 'Bearer realm="mhs-gateway"';

/**
 * Requires `Authorization: Bearer <key>` or `X-API-Key: <key>` on every route but OPEN_ROUTES.
 * Nothing else authenticates here: the dashboard's session cookie is for /dashboard only, so a page
 * on another site can never make a signed-in operator's browser call the API.
 * A refusal is a 401 problem naming what is missing or wrong; the presented key is never echoed
 * or logged. The matching key's name is left in `response.locals.apiKeyName` for audit logs.
 */
export function requireApiKey(keys: readonly ApiKeyRecord[], logger?: Logger): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    if (OPEN_ROUTES.has(`${request.method} ${request.path}`)) return next();
    const presented = presentedKey(request);
    if ('problem' in presented) return refuse(response, presented.problem, CHALLENGE);
    const record = findApiKey(keys, presented.key);
    if (!record) {
      logger?.warn(
        { audit: 'unauthorised', method: request.method, path: request.path, ip: request.ip },
        'API request with an unknown key refused',
      );
      return refuse(
        response,
        'the API key is not valid (unknown or revoked)',
        `${CHALLENGE}, error="invalid_token"`,
      );
    }
    response.locals.apiKeyName = record.name;
    return next();
  };
}

function presentedKey(request: Request): { key: string } | { problem: string } {
  const authorization = request.get('authorization');
  const apiKey = request.get('x-api-key');
  let key: string | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match) {
      return {
        problem: /^Bearer\b/i.test(authorization)
          ? 'the Authorization header has no key after Bearer'
          : 'the Authorization header must use the Bearer scheme: Authorization: Bearer <key>',
      };
    }
    key = match[1];
    if (apiKey !== undefined && apiKey.trim() !== key)
      return { problem: 'Authorization and X-API-Key carry different keys; send one' };
  } else if (apiKey !== undefined) {
    key = apiKey.trim();
  }
  if (!key)
    return { problem: 'an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>' };
  if (key.length > MAX_KEY_LENGTH) return { problem: 'the API key is not valid (unknown or revoked)' };
  return { key };
}

function refuse(response: Response, detail: string, challenge: string): void {
  response.set('WWW-Authenticate', challenge);
  sendProblem(response, { title: 'Unauthorized', status: 401, detail });
}
