import type { Request, RequestHandler, Response } from 'express';
import type { GatewayMetrics, OpsStateReader } from '../ops/index.js';
import type { MessageStore } from '../store/index.js';
import type { SafeHtml } from './html.js';
import { browserUsesHttps } from './origin.js';
import { OverviewLoader } from './overview.js';
import { clearedSessionCookies, type DashboardSession, DashboardSessions } from './session.js';
import { page, type Section, type ViewContext } from './views/layout.js';
import type { HeldReferralFacts, ReferralsPanel } from './views/referrals.js';

export interface DashboardLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface DashboardDependencies {
  store: Pick<MessageStore, 'get' | 'history' | 'search' | 'deadLetters' | 'sessions'>;
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

export const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a same-origin
  // POST, and the same-origin check needs the real one. Other sites still get no Referer.
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};
/** The longest API key looked up: anything longer is refused unread. */
export const MAX_KEY_LENGTH = 512;
const MAX_PARAM_LENGTH = 200;
const DEFAULT_SESSION = { idleMs: 30 * 60_000, lifetimeMs: 12 * 3_600_000 };

/** Who a request is from, once the guard has let it in (kept in `response.locals.dashboardAuth`). */
export type Authenticated =
  | { via: 'header' | 'open' }
  | { via: 'session'; id: string; session: DashboardSession };

/** What every dashboard page shares: the sessions, the overview, and how a page or a problem is sent. */
export interface DashboardContext {
  deps: DashboardDependencies;
  sessions: DashboardSessions;
  limits: { idleMs: number; lifetimeMs: number };
  trustProxy: boolean;
  view: ViewContext;
  overview: OverviewLoader;
  render(response: Response, section: Section, title: string, content: SafeHtml): void;
  problem(response: Response, status: number, title: string, detail: string): void;
  /** Whether the browser reached us over HTTPS (so cookies are Secure). */
  secure(request: Request): boolean;
  clearCookies(request: Request, response: Response): void;
  /** The audit line for a request refused by the same-origin or CSRF checks. */
  refused(request: Request, reason: string): void;
}

export function dashboardContext(deps: DashboardDependencies): DashboardContext {
  const trustProxy = deps.trustProxy ?? false;
  const limits = deps.session ?? DEFAULT_SESSION;
  const clock = deps.clock ?? (() => new Date());
  const secure = (request: Request) => browserUsesHttps(request, trustProxy);
  return {
    deps,
    sessions: new DashboardSessions(limits, deps.store.sessions, () => clock().getTime()),
    limits,
    trustProxy,
    view: {
      showPatientData: deps.showPatientData,
      interactionName: deps.interactionName ?? (() => undefined),
    },
    overview: new OverviewLoader({
      store: deps.store,
      state: deps.state,
      showPatientData: deps.showPatientData,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    }),
    render(response, section, title, content) {
      const auth = response.locals.dashboardAuth as Authenticated | undefined;
      const signedIn =
        auth?.via === 'session'
          ? { signedInAs: auth.session.keyName, csrfToken: auth.session.csrfToken }
          : {};
      response
        .set(SECURITY_HEADERS)
        .type('html')
        .send(page({ title, section, showPatientData: deps.showPatientData, ...signedIn }, content).value);
    },
    problem(response, status, title, detail) {
      response
        .status(status)
        .set(SECURITY_HEADERS)
        .type('application/problem+json')
        .send(JSON.stringify({ title, status, detail }));
    },
    secure,
    clearCookies(request, response) {
      for (const cookie of clearedSessionCookies(secure(request))) response.append('Set-Cookie', cookie);
    },
    refused(request, reason) {
      deps.logger?.warn(
        { audit: 'forbidden', method: request.method, path: requestPath(request), ip: request.ip, reason },
        'dashboard request refused',
      );
    },
  };
}

/** The path asked for, without its query (which may hold search terms): what the audit log records. */
export function requestPath(request: Request): string | undefined {
  return request.originalUrl.split('?')[0];
}

/** A query parameter, trimmed and cut to a sane length; undefined when absent or blank. */
export function param(request: Request, name: string): string | undefined {
  const raw = request.query[name];
  const value = (Array.isArray(raw) ? raw[0] : raw) as unknown;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim().slice(0, MAX_PARAM_LENGTH);
  return trimmed === '' ? undefined : trimmed;
}
