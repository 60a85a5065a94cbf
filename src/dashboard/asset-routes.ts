import type { Request, Response, Router } from 'express';
import { DASHBOARD_CSS, DASHBOARD_ICON, DASHBOARD_JS } from './assets.js';
import { SECURITY_HEADERS } from './context.js';
import { ASSETS } from './views/layout.js';

/** The style sheet, script and icon: open (no session), cached briefly. */
export function addAssetRoutes(router: Router): void {
  router.get(ASSETS.css, asset('text/css', DASHBOARD_CSS, 300));
  router.get(ASSETS.js, asset('text/javascript', DASHBOARD_JS, 300));
  // Open like the style sheet: a browser asks for /favicon.ico on any page of this port (/docs,
  // /metrics) without credentials, and a 401 or 404 there is noise in every log.
  router.get([ASSETS.icon, '/favicon.ico'], asset('image/svg+xml', DASHBOARD_ICON, 86_400));
}

function asset(type: string, body: string, maxAgeSeconds: number) {
  return (_request: Request, response: Response) => {
    response.set(SECURITY_HEADERS).set('Cache-Control', `max-age=${maxAgeSeconds}`).type(type).send(body);
  };
}
