import type { Request } from 'express';

// Where the browser thinks it is: the scheme and host it used. Behind a TLS-terminating reverse
// proxy the gateway sees plain HTTP from the proxy; X-Forwarded-Proto / X-Forwarded-Host say what
// the browser used, but only a proxy we were told to trust (dashboard.trustProxy) may say so:
// anyone can send those headers to a gateway reached directly.

/** The first value of a forwarded header (a chain of proxies appends: the first is the client's side). */
function forwarded(request: Request, name: string): string | undefined {
  const value = request.get(name)?.split(',')[0]?.trim().toLowerCase();
  return value || undefined;
}

/** Whether the browser reached us over HTTPS: directly, or through a trusted proxy that says so. */
export function browserUsesHttps(request: Request, trustProxy: boolean): boolean {
  if ((request.socket as { encrypted?: boolean }).encrypted) return true;
  return trustProxy && forwarded(request, 'x-forwarded-proto') === 'https';
}

/** `scheme://host[:port]` as the browser addressed this request; undefined without a Host header. */
export function expectedOrigin(request: Request, trustProxy: boolean): string | undefined {
  const host = (trustProxy ? forwarded(request, 'x-forwarded-host') : undefined) ?? request.get('host');
  if (!host) return undefined;
  return `${browserUsesHttps(request, trustProxy) ? 'https' : 'http'}://${host.toLowerCase()}`;
}

/**
 * The same-origin check for a state-changing request: its Origin header (or, without one, its
 * Referer's origin) must be this gateway as the browser addressed it. A request carrying neither is
 * refused: every browser sends Origin on a POST (the dashboard's Referrer-Policy is same-origin).
 * Returns the problem, or undefined when the request is same-origin.
 */
export function crossOriginProblem(request: Request, trustProxy: boolean): string | undefined {
  const expected = expectedOrigin(request, trustProxy);
  if (!expected) return 'the request has no Host header';
  const origin = request.get('origin');
  let claimed: string | undefined;
  if (origin !== undefined && origin !== 'null') claimed = origin.toLowerCase();
  else {
    const referer = request.get('referer');
    if (referer) {
      try {
        claimed = new URL(referer).origin.toLowerCase();
      } catch {
        claimed = undefined;
      }
    }
  }
  if (!claimed) return 'the request names no origin (Origin or Referer): refused as possibly cross-site';
  if (claimed !== stripDefaultPort(expected))
    return `cross-origin request refused: it comes from ${claimed}, not from this dashboard (${stripDefaultPort(expected)})`;
  return undefined;
}

/** Browsers leave the default port out of Origin; a Host header may carry it. */
function stripDefaultPort(origin: string): string {
  return origin.replace(/^(https:\/\/[^/]+):443$/, '$1').replace(/^(http:\/\/[^/]+):80$/, '$1');
}
