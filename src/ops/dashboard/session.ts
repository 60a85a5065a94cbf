// A browser cannot send an Authorization header on a page load, so the dashboard's login form
// keeps the API key in a cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
// page can make the browser send it, which is also the CSRF defence for the Replay/Discard POSTs).

export const DASHBOARD_KEY_COOKIE = 'mhs_dashboard_key';
const MAX_AGE_SECONDS = 12 * 60 * 60;

/** The API key a `Cookie` header carries for the dashboard, if any. */
export function dashboardKeyFromCookie(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0 || pair.slice(0, equals).trim() !== DASHBOARD_KEY_COOKIE) continue;
    const value = pair.slice(equals + 1).trim();
    try {
      return decodeURIComponent(value) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `Set-Cookie` value holding the key; Secure when the page was served over HTTPS. */
export function dashboardKeyCookie(key: string, secure: boolean): string {
  return [
    `${DASHBOARD_KEY_COOKIE}=${encodeURIComponent(key)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${MAX_AGE_SECONDS}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** `Set-Cookie` value that removes the key (log out). */
export function clearedDashboardKeyCookie(): string {
  return `${DASHBOARD_KEY_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
