import express, { Router } from 'express';
import { addAssetRoutes } from './asset-routes.js';
import { type DashboardDependencies, dashboardContext } from './context.js';
import { authenticate, refuseForgedRequests } from './guard.js';
import { addLoginRoutes } from './login-routes.js';
import { addMessageRoutes } from './message-routes.js';
import { addOverviewRoutes } from './overview-routes.js';
import { addReferralRoutes } from './referral-routes.js';

/**
 * The operations dashboard under /dashboard: overview (live over server-sent events), message
 * search, a message's page, Replay/Discard, and the login that trades an API key for a session.
 * Mount it before the API's own authentication: it checks the same keys itself, and sends a
 * browser to its login page instead of answering 401. Its session cookie is scoped to /dashboard
 * and is never accepted by the API.
 */
export function dashboardRoutes(deps: DashboardDependencies): Router {
  const router = Router();
  const context = dashboardContext(deps);
  // Open: the assets, and the login that lets a browser in.
  addAssetRoutes(router);
  addLoginRoutes(router, context);
  // Everything after this needs a key or a session, and proof that a change is not forged.
  router.use('/dashboard', authenticate(context));
  router.use('/dashboard', refuseForgedRequests(context));
  // Replay and Discard of dead letters: the API's own routes, behind the dashboard's checks.
  if (deps.actions) router.use('/dashboard', express.json({ limit: '8kb' }), deps.actions);
  addOverviewRoutes(router, context);
  addReferralRoutes(router, context);
  addMessageRoutes(router, context);
  return router;
}
