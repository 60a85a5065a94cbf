import express, { type Router } from 'express';
import { type DashboardContext, MAX_KEY_LENGTH, param } from './context.js';
import { csrfProblem } from './guard.js';
import { crossOriginProblem } from './origin.js';
import { clearedLegacyCookie, cookieValue, DASHBOARD_SESSION_COOKIE, sessionCookie } from './session.js';
import { loginContent } from './views/login.js';

const form = () => express.urlencoded({ extended: false, limit: '8kb' });

/** Sign in (an API key traded for a session cookie) and sign out; open, so they sit before the guard. */
export function addLoginRoutes(router: Router, context: DashboardContext): void {
  const { deps, sessions, limits, render, trustProxy } = context;
  router.get('/dashboard/login', (request, response) => {
    if (!deps.verifyKey) return response.redirect(303, '/dashboard');
    const ended = param(request, 'ended') !== undefined;
    return render(
      response,
      'login',
      'Sign in',
      loginContent({
        next: safeNext(param(request, 'next')),
        ...limits,
        ...(ended ? { notice: 'Your session ended (signed out or expired): sign in again.' } : {}),
      }),
    );
  });
  router.post('/dashboard/login', form(), async (request, response) => {
    const next = safeNext(typeof request.body?.next === 'string' ? request.body.next : undefined);
    if (!deps.verifyKey) return response.redirect(303, next);
    // Login CSRF: another site must not sign this browser in under the attacker's key.
    const crossOrigin = crossOriginProblem(request, trustProxy);
    if (crossOrigin) {
      context.refused(request, crossOrigin);
      return context.problem(response, 403, 'Forbidden', crossOrigin);
    }
    const key = typeof request.body?.key === 'string' ? request.body.key.trim() : '';
    const name = key && key.length <= MAX_KEY_LENGTH ? deps.verifyKey(key) : undefined;
    if (!name) {
      deps.logger?.warn(
        { audit: 'unauthorised', path: '/dashboard/login', ip: request.ip },
        'dashboard login refused',
      );
      response.status(401);
      return render(
        response,
        'login',
        'Sign in',
        loginContent({ next, ...limits, problem: 'That API key is not valid (unknown or revoked).' }),
      );
    }
    // A fresh id at every sign-in: a session id planted before login is worth nothing after it.
    const previous = cookieValue(request.get('cookie'), DASHBOARD_SESSION_COOKIE);
    if (previous) await sessions.end(previous);
    const { id } = await sessions.create(name);
    deps.logger?.info({ audit: 'dashboard-login', apiKeyName: name, ip: request.ip }, 'dashboard login');
    const secure = context.secure(request);
    response.append('Set-Cookie', clearedLegacyCookie(secure));
    response.append('Set-Cookie', sessionCookie(id, { secure, maxAgeSeconds: limits.lifetimeMs / 1000 }));
    return response.redirect(303, next);
  });
  router.post('/dashboard/logout', form(), async (request, response) => {
    const id = cookieValue(request.get('cookie'), DASHBOARD_SESSION_COOKIE);
    const session = id ? await sessions.get(id, { touch: false }) : undefined;
    if (id && session) {
      // Forced logout is a nuisance attack: it needs the same proofs as any other action.
      const refused = csrfProblem(request, session, trustProxy);
      if (refused) {
        context.refused(request, refused);
        return context.problem(response, 403, 'Forbidden', refused);
      }
      await sessions.end(id);
      deps.logger?.info(
        { audit: 'dashboard-logout', apiKeyName: session.keyName, ip: request.ip },
        'dashboard logout',
      );
    }
    context.clearCookies(request, response);
    return response.redirect(303, '/dashboard/login');
  });
}

/** Only back into the dashboard: a login link must not send the operator anywhere else. */
export function safeNext(next: string | undefined): string {
  return next && /^\/dashboard(?:[/?]|$)/.test(next) && !next.startsWith('//') ? next : '/dashboard';
}
