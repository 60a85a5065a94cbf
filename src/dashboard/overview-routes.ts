import type { Router } from 'express';
import { type Authenticated, type DashboardContext, SECURITY_HEADERS } from './context.js';
import { overviewContent, overviewSections } from './views/overview.js';

/** The overview page, its live event stream, and the gateway's metrics as Prometheus text. */
export function addOverviewRoutes(router: Router, context: DashboardContext): void {
  const { deps, overview, view } = context;
  router.get('/dashboard', async (_request, response) => {
    context.render(response, 'overview', 'Overview', overviewContent(await overview.load(), view));
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
      try {
        if (auth.via === 'session' && !(await context.sessions.get(auth.id, { touch: false }))) {
          if (open) response.end('event: signed-out\ndata: {}\n\n');
          return close();
        }
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
}
