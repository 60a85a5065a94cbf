import type { Request, RequestHandler, Response } from 'express';
import { type Authenticated, type DashboardContext, MAX_KEY_LENGTH, requestPath } from './context.js';
import { crossOriginProblem } from './origin.js';
import { cookieValue, csrfTokenMatches, DASHBOARD_SESSION_COOKIE, type DashboardSession } from './session.js';

/**
 * Who is asking: an API key in a header (scripts, curl), else the session cookie; with no API
 * authentication configured, anyone. A browser without either goes to the login page.
 */
export function authenticate({ deps, sessions, clearCookies }: DashboardContext): RequestHandler {
  return async (request, response, next) => {
    if (!deps.verifyKey) {
      response.locals.dashboardAuth = { via: 'open' } satisfies Authenticated;
      return next();
    }
    const key = headerKey(request);
    if (key !== undefined) {
      const name = key.length <= MAX_KEY_LENGTH ? deps.verifyKey(key) : undefined;
      if (name) {
        response.locals.dashboardAuth = { via: 'header' } satisfies Authenticated;
        response.locals.apiKeyName = name;
        return next();
      }
      deps.logger?.warn(
        { audit: 'unauthorised', method: request.method, path: requestPath(request), ip: request.ip },
        'dashboard request with an unknown key refused',
      );
      return unauthorised(response, 'the API key is not valid (unknown or revoked)');
    }
    const id = cookieValue(request.get('cookie'), DASHBOARD_SESSION_COOKIE);
    // The event stream polls; only what an operator does keeps a session from going idle.
    let session: DashboardSession | undefined;
    try {
      session = id ? await sessions.get(id, { touch: request.path !== '/events' }) : undefined;
    } catch (error) {
      return next(error); // the store is unavailable: the API's error handler answers 503
    }
    if (id && session) {
      response.locals.dashboardAuth = { via: 'session', id, session } satisfies Authenticated;
      response.locals.apiKeyName = session.keyName;
      return next();
    }
    if (id) clearCookies(request, response);
    if (request.method === 'GET' && request.accepts(['html', 'json']) === 'html') {
      const query = new URLSearchParams({ next: request.originalUrl, ...(id ? { ended: '1' } : {}) });
      return response.redirect(303, `/dashboard/login?${query}`);
    }
    return unauthorised(
      response,
      id
        ? 'the dashboard session has ended (signed out or expired): sign in again at /dashboard/login'
        : 'an API key is required: sign in at /dashboard/login',
    );
  };
}

/** Every state-changing dashboard request: same origin, and the session's CSRF token. */
export function refuseForgedRequests(context: DashboardContext): RequestHandler {
  return (request, response, next) => {
    if (request.method === 'GET' || request.method === 'HEAD') return next();
    const auth = response.locals.dashboardAuth as Authenticated;
    // A key in a header cannot be sent by another site's page: nothing to forge.
    if (auth.via === 'header') return next();
    const refused =
      auth.via === 'session'
        ? csrfProblem(request, auth.session, context.trustProxy)
        : crossOriginProblem(request, context.trustProxy);
    if (!refused) return next();
    context.refused(request, refused);
    return context.problem(response, 403, 'Forbidden', refused);
  };
}

/** Same origin and the session's CSRF token (header X-CSRF-Token, or a form's `csrf` field). */
export function csrfProblem(
  request: Request,
  session: DashboardSession,
  trustProxy: boolean,
): string | undefined {
  const crossOrigin = crossOriginProblem(request, trustProxy);
  if (crossOrigin) return crossOrigin;
  const fromForm = typeof request.body?.csrf === 'string' ? (request.body.csrf as string) : undefined;
  if (!csrfTokenMatches(session, request.get('x-csrf-token') ?? fromForm))
    return 'the CSRF token is missing or wrong: reload the dashboard page and try again';
  return undefined;
}

function unauthorised(response: Response, detail: string): void {
  response
    .set('WWW-Authenticate', 'Bearer realm="mhs-gateway"')
    .status(401)
    .type('application/problem+json')
    .send(JSON.stringify({ title: 'Unauthorized', status: 401, detail }));
}

function headerKey(request: Request): string | undefined {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.get('authorization') ?? '')?.[1];
  return bearer ?? (request.get('x-api-key')?.trim() || undefined);
}
