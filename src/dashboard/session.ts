// A browser cannot send an Authorization header on a page load, so the dashboard's login form
// exchanges an API key for a session: the cookie holds only a random session id (the key never
// leaves the login request), the store keeps who it is and until when, under the id's SHA-256.
// Kept in the store, sessions are shared by every instance behind one address and outlive a
// restart; logout or expiry ends them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionStore, StoredSession } from '../store/index.js';

export const DASHBOARD_SESSION_COOKIE = 'mhs_dashboard_session';
/** The cookie round one kept the API key itself in; cleared wherever it is still found. */
export const LEGACY_KEY_COOKIE = 'mhs_dashboard_key';
/** Only the dashboard's own paths ever carry the cookie: the API, /metrics and /docs never see it. */
const COOKIE_PATH = '/dashboard';

export type DashboardSession = StoredSession;

export interface SessionLimits {
  /** Ends a session nobody used for this long (ms). */
  idleMs: number;
  /** Ends a session this long after sign-in, used or not (ms). */
  lifetimeMs: number;
  /** Sessions kept at once; the oldest is ended past it (a flood of logins cannot grow the table). */
  maxSessions?: number;
}

const DEFAULT_MAX_SESSIONS = 10_000;
/** Use is written at most this often per session: a page's burst of requests is one write. */
const TOUCH_EVERY_MS = 60_000;

/** Signed-in dashboard sessions: the rules (expiry, ids, tokens) here, the rows in the store. */
export class DashboardSessions {
  constructor(
    readonly limits: SessionLimits,
    private readonly store: SessionStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A new session for `keyName`; returns the id to put in the cookie. */
  async create(keyName: string): Promise<{ id: string; session: DashboardSession }> {
    const now = this.clock();
    await this.store.endExpiredSessions(now - this.limits.idleMs, now - this.limits.lifetimeMs);
    const id = randomBytes(32).toString('base64url');
    const session: DashboardSession = {
      keyName,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.store.saveSession(digest(id), session, this.limits.maxSessions ?? DEFAULT_MAX_SESSIONS);
    return { id, session };
  }

  /**
   * The live session for a cookie's id, or undefined (unknown, logged out or expired; an expired one
   * is forgotten). `touch` counts this as use, restarting the idle timer.
   */
  async get(id: string, options: { touch: boolean }): Promise<DashboardSession | undefined> {
    const key = digest(id);
    const session = await this.store.session(key);
    if (!session) return undefined;
    const now = this.clock();
    if (this.expired(session, now)) {
      await this.store.endSession(key);
      return undefined;
    }
    if (options.touch && now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      session.lastSeenAt = now;
      await this.store.touchSession(key, now);
    }
    return session;
  }

  /** Logout: the id is worthless from now on, on every instance. */
  async end(id: string): Promise<void> {
    await this.store.endSession(digest(id));
  }

  private expired(session: DashboardSession, now: number): boolean {
    return (
      now - session.lastSeenAt >= this.limits.idleMs || now - session.createdAt >= this.limits.lifetimeMs
    );
  }
}

/** Whether a presented CSRF token is the session's (constant time). */
export function csrfTokenMatches(session: DashboardSession, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** The value of one cookie in a `Cookie` header, if present. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0 || pair.slice(0, equals).trim() !== name) continue;
    const value = pair.slice(equals + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Strict, the dashboard's path only; Secure over HTTPS. */
export function sessionCookie(id: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${DASHBOARD_SESSION_COOKIE}=${id}`,
    `Path=${COOKIE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.max(1, Math.floor(options.maxAgeSeconds))}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` that removes round one's cookie, which held an API key. */
export function clearedLegacyCookie(secure: boolean): string {
  return `${LEGACY_KEY_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` values that remove the session cookie and round one's key cookie. */
export function clearedSessionCookies(secure: boolean): string[] {
  return [
    `${DASHBOARD_SESSION_COOKIE}=; Path=${COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`,
    clearedLegacyCookie(secure),
  ];
}
