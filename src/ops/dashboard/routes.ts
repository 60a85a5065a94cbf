import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import {
  INBOUND_STATES,
  InvalidCursorError,
  type MessageQuery,
  type MessageState,
  type MessageStore,
  messageCursor,
  OUTBOUND_STATES,
  type StoredMessage,
} from '../../store/index.js';
import type { GatewayMetrics } from '../metrics.js';
import type { OpsStateReader } from '../state.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './assets.js';
import { html, type SafeHtml } from './html.js';
import { OverviewLoader } from './overview.js';
import { clearedDashboardKeyCookie, dashboardKeyCookie, dashboardKeyFromCookie } from './session.js';
import { ASSETS, page, type Section } from './views/layout.js';
import { loginContent } from './views/login.js';
import { messageContent } from './views/message.js';
import { type SearchForm, searchContent } from './views/messages.js';
import { overviewContent, overviewSections } from './views/overview.js';

export interface DashboardLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface DashboardDependencies {
  store: Pick<MessageStore, 'get' | 'history' | 'search' | 'deadLetters'>;
  state: Pick<OpsStateReader, 'read'>;
  metrics?: Pick<GatewayMetrics, 'totals' | 'flow'>;
  /** dashboard.showPatientData: false redacts payloads and masks NHS numbers. */
  showPatientData: boolean;
  /**
   * Checks an API key and returns its name, or undefined when it is not valid. Absent when the API
   * has no authentication (api.auth.mode none): then the dashboard has no login either.
   */
  verifyKey?: (key: string) => string | undefined;
  /** How often the event stream pushes the overview. Default 2000 ms. */
  eventIntervalMs?: number;
  logger?: DashboardLogger;
  clock?: () => Date;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};
const SEARCH_LIMIT = 50;
const MAX_KEY_LENGTH = 512;
const MAX_PARAM_LENGTH = 200;

/**
 * The operations dashboard under /dashboard: overview (live over server-sent events), message
 * search, a message's page, and the login that lets a browser use an API key. Mount it before the
 * API's own authentication: it checks the same keys, and sends a browser to its login page instead
 * of answering 401.
 */
export function dashboardRoutes(deps: DashboardDependencies): Router {
  const router = Router();
  const overview = new OverviewLoader({
    store: deps.store,
    state: deps.state,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const render = (response: Response, section: Section, title: string, content: SafeHtml) => {
    const signedInAs = response.locals.dashboardKeyName as string | undefined;
    response
      .set(SECURITY_HEADERS)
      .type('html')
      .send(
        page(
          { title, section, showPatientData: deps.showPatientData, ...(signedInAs ? { signedInAs } : {}) },
          content,
        ).value,
      );
  };

  router.get(ASSETS.css, (_request, response) => {
    response.set(SECURITY_HEADERS).set('Cache-Control', 'max-age=300').type('text/css').send(DASHBOARD_CSS);
  });
  router.get(ASSETS.js, (_request, response) => {
    response
      .set(SECURITY_HEADERS)
      .set('Cache-Control', 'max-age=300')
      .type('text/javascript')
      .send(DASHBOARD_JS);
  });

  router.get('/dashboard/login', (request, response) => {
    if (!deps.verifyKey) return response.redirect(303, '/dashboard');
    return render(response, 'login', 'Sign in', loginContent({ next: safeNext(param(request, 'next')) }));
  });
  router.post(
    '/dashboard/login',
    express.urlencoded({ extended: false, limit: '8kb' }),
    (request, response) => {
      const next = safeNext(typeof request.body?.next === 'string' ? request.body.next : undefined);
      if (!deps.verifyKey) return response.redirect(303, next);
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
          loginContent({ next, problem: 'That API key is not valid (unknown or revoked).' }),
        );
      }
      deps.logger?.info({ audit: 'dashboard-login', apiKeyName: name, ip: request.ip }, 'dashboard login');
      response.set('Set-Cookie', dashboardKeyCookie(key, request.secure));
      return response.redirect(303, next);
    },
  );
  router.post('/dashboard/logout', (_request, response) => {
    response.set('Set-Cookie', clearedDashboardKeyCookie()).redirect(303, '/dashboard/login');
  });

  router.use('/dashboard', requireKey(deps));

  router.get('/dashboard', async (_request, response) => {
    render(response, 'overview', 'Overview', overviewContent(await overview.load()));
  });

  router.get('/dashboard/events', (request, response) => {
    response.set({
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    response.write('retry: 3000\n\n');
    let open = true;
    const push = async () => {
      try {
        const sections = overviewSections(await overview.load());
        const data = Object.fromEntries(Object.entries(sections).map(([name, part]) => [name, part.value]));
        if (open) response.write(`event: overview\ndata: ${JSON.stringify({ sections: data })}\n\n`);
      } catch (error) {
        if (open)
          response.write(`event: problem\ndata: ${JSON.stringify({ detail: (error as Error).message })}\n\n`);
      }
    };
    void push();
    const timer = setInterval(push, deps.eventIntervalMs ?? 2_000);
    request.on('close', () => {
      open = false;
      clearInterval(timer);
    });
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
      searchContent(form, results, {
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
    return render(
      response,
      'messages',
      messageId,
      messageContent({ message, history, chain, showPatientData: deps.showPatientData }),
    );
  });

  return router;
}

/** The API key check for dashboard pages: header or cookie; a browser without one goes to the login page. */
function requireKey(deps: DashboardDependencies): RequestHandler {
  return (request, response, next) => {
    if (!deps.verifyKey) return next();
    const fromHeader = headerKey(request);
    const key = fromHeader ?? dashboardKeyFromCookie(request.get('cookie'));
    const name = key && key.length <= MAX_KEY_LENGTH ? deps.verifyKey(key) : undefined;
    if (name) {
      // Only a cookie session has something to log out of.
      if (!fromHeader) response.locals.dashboardKeyName = name;
      response.locals.apiKeyName = name;
      return next();
    }
    if (key)
      deps.logger?.warn(
        {
          audit: 'unauthorised',
          method: request.method,
          path: request.originalUrl.split('?')[0],
          ip: request.ip,
        },
        'dashboard request with an unknown key refused',
      );
    if (request.method === 'GET' && request.accepts(['html', 'json']) === 'html') {
      if (key) response.set('Set-Cookie', clearedDashboardKeyCookie());
      return response.redirect(303, `/dashboard/login?next=${encodeURIComponent(request.originalUrl)}`);
    }
    response.set('WWW-Authenticate', 'Bearer realm="mhs-gateway"');
    return response
      .status(401)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          title: 'Unauthorized',
          status: 401,
          detail: key
            ? 'the API key is not valid (unknown or revoked)'
            : 'an API key is required: sign in at /dashboard/login',
        }),
      );
  };
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

const STATES: readonly string[] = [...OUTBOUND_STATES, ...INBOUND_STATES];

function searchQuery(form: SearchForm, before: string | undefined): MessageQuery {
  const query: MessageQuery = { limit: SEARCH_LIMIT };
  if (form.interaction) query.interactionId = form.interaction;
  if (form.status) {
    if (!STATES.includes(form.status)) throw new SearchProblem(`state ${form.status} is not a message state`);
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

/** A datetime-local value (no zone) is read as UTC, like every time the dashboard shows. */
function utc(value: string, label: string): Date {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const date = new Date(zoned);
  if (Number.isNaN(date.getTime())) throw new SearchProblem(`${label} ${value} is not a date and time`);
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
