import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { MESSAGE_STATES } from '../lifecycle/index.js';
import type { GatewayMetrics, OpsStateReader } from '../ops/index.js';
import {
  InvalidCursorError,
  type MessageQuery,
  type MessageState,
  type MessageStore,
  messageCursor,
  type StoredMessage,
} from '../store/index.js';
import { DASHBOARD_CSS, DASHBOARD_ICON, DASHBOARD_JS } from './assets.js';
import { html, type SafeHtml } from './html.js';
import { browserUsesHttps, crossOriginProblem } from './origin.js';
import { OverviewLoader } from './overview.js';
import {
  clearedLegacyCookie,
  clearedSessionCookies,
  cookieValue,
  csrfTokenMatches,
  DASHBOARD_SESSION_COOKIE,
  type DashboardSession,
  SessionStore,
  sessionCookie,
} from './session.js';
import { ASSETS, page, type Section, type ViewContext } from './views/layout.js';
import { loginContent } from './views/login.js';
import { messageContent } from './views/message.js';
import { type SearchForm, searchContent } from './views/messages.js';
import { overviewContent, overviewSections } from './views/overview.js';
import {
  type HeldReferralFacts,
  type ReferralsPanel,
  referralContent,
  referralsContent,
} from './views/referrals.js';

export interface DashboardLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface DashboardDependencies {
  store: Pick<MessageStore, 'get' | 'history' | 'search' | 'deadLetters'>;
  state: Pick<OpsStateReader, 'read'>;
  metrics?: Pick<GatewayMetrics, 'totals' | 'flow' | 'text' | 'contentType'>;
  /** dashboard.showPatientData: false redacts payloads and masks NHS numbers on every page and in the stream. */
  showPatientData: boolean;
  /**
   * Checks an API key and returns its name, or undefined when it is not valid. Absent when the API
   * has no authentication (api.auth.mode none): then the dashboard has no login either.
   */
  verifyKey?: (key: string) => string | undefined;
  /** dashboard.session: how long a signed-in browser stays signed in. Default 30 min idle, 12 h in all. */
  session?: { idleMs: number; lifetimeMs: number };
  /** dashboard.trustProxy: believe X-Forwarded-Proto/-Host (a TLS-terminating proxy in front). */
  trustProxy?: boolean;
  /** An interaction's name from the routing catalogue, shown beside its code. */
  interactionName?: (interactionId: string) => string | undefined;
  /**
   * Replay and Discard: the API's own `POST /dead-letters/{id}/replay|discard` routes, offered under
   * /dashboard behind the session, same-origin and CSRF checks (the session never reaches the API).
   */
  actions?: RequestHandler;
  /** How often the event stream pushes the overview. Default 2000 ms. */
  eventIntervalMs?: number;
  logger?: DashboardLogger;
  clock?: () => Date;
  /** The e-RS FHIR sync (GET /dashboard/referrals), when ersFhir is enabled. */
  referrals?: () => Promise<ReferralsPanel>;
  /** One referral as the e-RS FHIR side holds it (GET /dashboard/referrals/{ubrn}), when enabled. */
  referral?: (ubrn: string) => Promise<HeldReferralFacts | undefined>;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a same-origin
  // POST, and the same-origin check needs the real one. Other sites still get no Referer.
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};
const SEARCH_LIMIT = 50;
const MAX_KEY_LENGTH = 512;
const MAX_PARAM_LENGTH = 200;
const DEFAULT_SESSION = { idleMs: 30 * 60_000, lifetimeMs: 12 * 3_600_000 };

type Authenticated = { via: 'header' | 'open' } | { via: 'session'; id: string; session: DashboardSession };

/**
 * The operations dashboard under /dashboard: overview (live over server-sent events), message
 * search, a message's page, Replay/Discard, and the login that trades an API key for a session.
 * Mount it before the API's own authentication: it checks the same keys itself, and sends a
 * browser to its login page instead of answering 401. Its session cookie is scoped to /dashboard
 * and is never accepted by the API.
 */
export function dashboardRoutes(deps: DashboardDependencies): Router {
  const router = Router();
  const trustProxy = deps.trustProxy ?? false;
  const limits = deps.session ?? DEFAULT_SESSION;
  const clock = deps.clock ?? (() => new Date());
  const sessions = new SessionStore(limits, () => clock().getTime());
  const view: ViewContext = {
    showPatientData: deps.showPatientData,
    interactionName: deps.interactionName ?? (() => undefined),
  };
  const overview = new OverviewLoader({
    store: deps.store,
    state: deps.state,
    showPatientData: deps.showPatientData,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const render = (response: Response, section: Section, title: string, content: SafeHtml) => {
    const auth = response.locals.dashboardAuth as Authenticated | undefined;
    const signedIn =
      auth?.via === 'session' ? { signedInAs: auth.session.keyName, csrfToken: auth.session.csrfToken } : {};
    response
      .set(SECURITY_HEADERS)
      .type('html')
      .send(page({ title, section, showPatientData: deps.showPatientData, ...signedIn }, content).value);
  };
  const problem = (response: Response, status: number, title: string, detail: string) =>
    response
      .status(status)
      .set(SECURITY_HEADERS)
      .type('application/problem+json')
      .send(JSON.stringify({ title, status, detail }));
  const secure = (request: Request) => browserUsesHttps(request, trustProxy);
  const clearCookies = (request: Request, response: Response) => {
    for (const cookie of clearedSessionCookies(secure(request))) response.append('Set-Cookie', cookie);
  };

  const asset = (type: string, body: string) => (_request: Request, response: Response) => {
    response.set(SECURITY_HEADERS).set('Cache-Control', 'max-age=300').type(type).send(body);
  };
  router.get(ASSETS.css, asset('text/css', DASHBOARD_CSS));
  router.get(ASSETS.js, asset('text/javascript', DASHBOARD_JS));
  // Open like the style sheet: a browser asks for /favicon.ico on any page of this port (/docs,
  // /metrics) without credentials, and a 401 or 404 there is noise in every log.
  router.get([ASSETS.icon, '/favicon.ico'], (_request, response) => {
    response
      .set(SECURITY_HEADERS)
      .set('Cache-Control', 'max-age=86400')
      .type('image/svg+xml')
      .send(DASHBOARD_ICON);
  });

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
  router.post(
    '/dashboard/login',
    express.urlencoded({ extended: false, limit: '8kb' }),
    (request, response) => {
      const next = safeNext(typeof request.body?.next === 'string' ? request.body.next : undefined);
      if (!deps.verifyKey) return response.redirect(303, next);
      // Login CSRF: another site must not sign this browser in under the attacker's key.
      const crossOrigin = crossOriginProblem(request, trustProxy);
      if (crossOrigin) {
        refusedLog(deps, request, crossOrigin);
        return problem(response, 403, 'Forbidden', crossOrigin);
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
      if (previous) sessions.end(previous);
      const { id } = sessions.create(name);
      deps.logger?.info({ audit: 'dashboard-login', apiKeyName: name, ip: request.ip }, 'dashboard login');
      response.append('Set-Cookie', clearedLegacyCookie(secure(request)));
      response.append(
        'Set-Cookie',
        sessionCookie(id, { secure: secure(request), maxAgeSeconds: limits.lifetimeMs / 1000 }),
      );
      return response.redirect(303, next);
    },
  );
  router.post(
    '/dashboard/logout',
    express.urlencoded({ extended: false, limit: '8kb' }),
    (request, response) => {
      const id = cookieValue(request.get('cookie'), DASHBOARD_SESSION_COOKIE);
      const session = id ? sessions.get(id, { touch: false }) : undefined;
      if (id && session) {
        // Forced logout is a nuisance attack: it needs the same proofs as any other action.
        const refused = csrfProblem(request, session, trustProxy);
        if (refused) {
          refusedLog(deps, request, refused);
          return problem(response, 403, 'Forbidden', refused);
        }
        sessions.end(id);
        deps.logger?.info(
          { audit: 'dashboard-logout', apiKeyName: session.keyName, ip: request.ip },
          'dashboard logout',
        );
      }
      clearCookies(request, response);
      return response.redirect(303, '/dashboard/login');
    },
  );

  router.use('/dashboard', authenticate(deps, sessions, clearCookies));
  // Every state-changing dashboard request: same origin, and the session's CSRF token.
  router.use('/dashboard', (request, response, next) => {
    if (request.method === 'GET' || request.method === 'HEAD') return next();
    const auth = response.locals.dashboardAuth as Authenticated;
    // A key in a header cannot be sent by another site's page: nothing to forge.
    if (auth.via === 'header') return next();
    const refused =
      auth.via === 'session'
        ? csrfProblem(request, auth.session, trustProxy)
        : crossOriginProblem(request, trustProxy);
    if (!refused) return next();
    refusedLog(deps, request, refused);
    return problem(response, 403, 'Forbidden', refused);
  });
  if (deps.actions) router.use('/dashboard', express.json({ limit: '8kb' }), deps.actions);

  router.get('/dashboard', async (_request, response) => {
    render(response, 'overview', 'Overview', overviewContent(await overview.load(), view));
  });

  router.get('/dashboard/metrics', async (_request, response, next) => {
    if (!deps.metrics) return next();
    try {
      const text = await deps.metrics.text();
      return response.set(SECURITY_HEADERS).type(deps.metrics.contentType).send(text);
    } catch (error) {
      return next(error);
    }
  });

  router.get('/dashboard/referrals', async (_request, response) => {
    if (!deps.referrals) return response.redirect(303, '/dashboard');
    return render(response, 'referrals', 'Referrals', referralsContent(await deps.referrals()));
  });

  // Open without the e-RS FHIR side too: HL7 V3 messages carry UBRNs whatever its setting.
  router.get('/dashboard/referrals/:ubrn', async (request, response) => {
    const ubrn = String(request.params.ubrn);
    if (!/^[0-9]{12}$/.test(ubrn)) {
      response.status(404);
      return render(
        response,
        'referrals',
        'Unknown referral',
        html`<div class="page-head"><h1>Unknown referral</h1></div><p class="problem">A UBRN is 12 digits.</p>`,
      );
    }
    const [held, messages] = await Promise.all([
      deps.referral ? deps.referral(ubrn).catch(() => undefined) : Promise.resolve(undefined),
      deps.store.search({ ubrn, limit: 100 }),
    ]);
    return render(
      response,
      'referrals',
      `Referral ${ubrn}`,
      referralContent(ubrn, held, messages, view, deps.referral !== undefined),
    );
  });

  router.get('/dashboard/events', (request, response) => {
    const auth = response.locals.dashboardAuth as Authenticated;
    response.set({
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    response.write('retry: 3000\n\n');
    let open = true;
    const close = () => {
      open = false;
      clearInterval(timer);
    };
    const push = async () => {
      // The stream does not keep a session alive, and stops the moment it ends (logout, expiry).
      if (auth.via === 'session' && !sessions.get(auth.id, { touch: false })) {
        if (open) response.end('event: signed-out\ndata: {}\n\n');
        return close();
      }
      try {
        const sections = overviewSections(await overview.load(), view);
        const data = Object.fromEntries(Object.entries(sections).map(([name, part]) => [name, part.value]));
        if (open) response.write(`event: overview\ndata: ${JSON.stringify({ sections: data })}\n\n`);
      } catch (error) {
        if (open)
          response.write(`event: problem\ndata: ${JSON.stringify({ detail: (error as Error).message })}\n\n`);
      }
    };
    const timer = setInterval(push, deps.eventIntervalMs ?? 2_000);
    void push();
    request.on('close', close);
  });

  router.get('/dashboard/messages', async (request, response) => {
    const form: SearchForm = {};
    for (const field of ['id', 'interaction', 'status', 'direction', 'from', 'to'] as const) {
      const value = param(request, field);
      if (value) form[field] = value;
    }
    const state = await deps.state.read().catch(() => undefined);
    const interactions = [...new Set((state?.counts ?? []).map((c) => c.interactionId))].sort();
    let results: StoredMessage[] = [];
    let problem: string | undefined;
    let more: string | undefined;
    try {
      const query = searchQuery(form, param(request, 'before'));
      results = await searchById(deps.store, query, form.id);
      const last = results.at(-1);
      if (last && results.length === SEARCH_LIMIT) {
        const next = new URLSearchParams({ ...form, before: messageCursor(last) });
        more = `/dashboard/messages?${next}`;
      }
    } catch (error) {
      if (!(error instanceof SearchProblem || error instanceof InvalidCursorError)) throw error;
      problem = error.message;
      response.status(400);
    }
    render(
      response,
      'messages',
      'Messages',
      searchContent(form, results, view, {
        interactions,
        ...(more ? { more } : {}),
        ...(problem ? { problem } : {}),
      }),
    );
  });

  router.get('/dashboard/messages/:messageId', async (request, response) => {
    const messageId = String(request.params.messageId);
    const message = await deps.store.get(messageId);
    if (!message) {
      response.status(404);
      return render(
        response,
        'messages',
        'Unknown message',
        html`<div class="page-head"><h1>Unknown message</h1></div><p class="problem">No message ${messageId} is stored (it may have been purged by retention).</p>`,
      );
    }
    const [history, conversation, answered] = await Promise.all([
      deps.store.history(messageId),
      deps.store.search({ conversationId: message.conversationId, limit: 100 }),
      message.refToMessageId ? deps.store.get(message.refToMessageId) : Promise.resolve(undefined),
    ]);
    const chain = [...conversation];
    if (answered && !chain.some((m) => m.messageId === answered.messageId)) chain.push(answered);
    if (!chain.some((m) => m.messageId === message.messageId)) chain.push(message);
    chain.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.messageId.localeCompare(b.messageId));
    return render(response, 'messages', messageId, messageContent({ message, history, chain }, view));
  });

  return router;
}

/** Same origin and the session's CSRF token (header X-CSRF-Token, or a form's `csrf` field). */
function csrfProblem(request: Request, session: DashboardSession, trustProxy: boolean): string | undefined {
  const crossOrigin = crossOriginProblem(request, trustProxy);
  if (crossOrigin) return crossOrigin;
  const fromForm = typeof request.body?.csrf === 'string' ? (request.body.csrf as string) : undefined;
  if (!csrfTokenMatches(session, request.get('x-csrf-token') ?? fromForm))
    return 'the CSRF token is missing or wrong: reload the dashboard page and try again';
  return undefined;
}

function refusedLog(deps: DashboardDependencies, request: Request, reason: string): void {
  deps.logger?.warn(
    {
      audit: 'forbidden',
      method: request.method,
      path: request.originalUrl.split('?')[0],
      ip: request.ip,
      reason,
    },
    'dashboard request refused',
  );
}

/**
 * Who is asking: an API key in a header (scripts, curl), else the session cookie; with no API
 * authentication configured, anyone. A browser without either goes to the login page.
 */
function authenticate(
  deps: DashboardDependencies,
  sessions: SessionStore,
  clearCookies: (request: Request, response: Response) => void,
): RequestHandler {
  return (request, response, next) => {
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
        {
          audit: 'unauthorised',
          method: request.method,
          path: request.originalUrl.split('?')[0],
          ip: request.ip,
        },
        'dashboard request with an unknown key refused',
      );
      return unauthorised(response, 'the API key is not valid (unknown or revoked)');
    }
    const id = cookieValue(request.get('cookie'), DASHBOARD_SESSION_COOKIE);
    // The event stream polls; only what an operator does keeps a session from going idle.
    const session = id ? sessions.get(id, { touch: request.path !== '/events' }) : undefined;
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

/** Only back into the dashboard: a login link must not send the operator anywhere else. */
function safeNext(next: string | undefined): string {
  return next && /^\/dashboard(?:[/?]|$)/.test(next) && !next.startsWith('//') ? next : '/dashboard';
}

function param(request: Request, name: string): string | undefined {
  const raw = request.query[name];
  const value = (Array.isArray(raw) ? raw[0] : raw) as unknown;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim().slice(0, MAX_PARAM_LENGTH);
  return trimmed === '' ? undefined : trimmed;
}

class SearchProblem extends Error {}

function searchQuery(form: SearchForm, before: string | undefined): MessageQuery {
  const query: MessageQuery = { limit: SEARCH_LIMIT };
  if (form.interaction) query.interactionId = form.interaction;
  if (form.status) {
    if (!(MESSAGE_STATES as readonly string[]).includes(form.status))
      throw new SearchProblem(`state ${form.status} is not a message state`);
    query.status = form.status as MessageState;
  }
  if (form.direction) {
    if (form.direction !== 'outbound' && form.direction !== 'inbound')
      throw new SearchProblem('direction must be outbound or inbound');
    query.direction = form.direction;
  }
  if (form.from) query.from = utc(form.from, 'From');
  if (form.to) query.to = utc(form.to, 'To');
  if (before) query.before = before;
  return query;
}

/**
 * A time typed as `YYYY-MM-DD HH:MM[:SS]` (or with `T`, or a date alone) is read as UTC, like every
 * time the dashboard shows; an explicit zone is honoured.
 */
function utc(value: string, label: string): Date {
  const match =
    /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(value);
  const date = match ? new Date(`${match[1]}T${match[2] ?? '00:00'}${match[3] ?? 'Z'}`) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new SearchProblem(`${label} ${value} is not a UTC date and time like 2026-11-22 10:00:00`);
  return date;
}

/** An id box matches a MessageId first, then a ConversationId (either as typed or in upper case). */
async function searchById(
  store: Pick<MessageStore, 'search'>,
  query: MessageQuery,
  id: string | undefined,
): Promise<StoredMessage[]> {
  if (!id) return store.search(query);
  const candidates = [...new Set([id, id.toUpperCase()])];
  for (const field of ['messageId', 'conversationId'] as const) {
    for (const candidate of candidates) {
      const found = await store.search({ ...query, [field]: candidate });
      if (found.length > 0) return found;
    }
  }
  return [];
}
