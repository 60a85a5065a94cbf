// The control API's server (plain HTTP on loopback): e-RS's FHIR API first (ers-fhir/), then the
// control routes as an express Router, matched exactly as listed (case and trailing slash count).
import http from 'node:http';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { Logger } from '../ops/index.js';
import { type ControlDeps, ControlRequestError, type ControlRoute, controlRoutes } from './control-routes.js';
import type { ErsFhirSimulator } from './ers-fhir/index.js';
import { collect, json } from './http.js';

/** The methods the control routes use; anything else (HEAD, OPTIONS…) is 404 like an unknown path. */
const CONTROL_METHODS = new Set<string>(['GET', 'PUT', 'POST']);

export function controlRouter(deps: ControlDeps): Router {
  const router = Router({ caseSensitive: true, strict: true });
  for (const route of controlRoutes(deps)) {
    const method = route.method.toLowerCase() as 'get' | 'put' | 'post';
    router[method](routerPath(route), (request: Request, response: Response) =>
      route.handle(request, response),
    );
  }
  return router;
}

/** The express path of a listed route: `/x/*` is a prefix; the list itself also answers without its slash. */
function routerPath(route: ControlRoute): string | string[] | RegExp {
  if (route.path.endsWith('/*')) return new RegExp(`^${route.path.slice(0, -1).replaceAll('/', '\\/')}`);
  if (route.path === '/control/') return ['/control/', '/control'];
  return route.path;
}

export function createControlServer(
  deps: ControlDeps,
  ersFhir: ErsFhirSimulator,
  logger: Logger,
): http.Server {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // e-RS's FHIR API, its token endpoint and object store, and /control/ers/… (docs/ers-fhir.md).
  app.use(async (request: Request, response: Response, next: NextFunction) => {
    const url = new URL(request.url ?? '/', 'http://control');
    if (await ersFhir.handle(request, response, url, () => collect(request, 6_000_000))) return;
    next();
  });
  app.use((request: Request, response: Response, next: NextFunction) =>
    CONTROL_METHODS.has(request.method) ? next() : notFound(request, response),
  );
  app.use(controlRouter(deps));
  app.use(notFound);
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    if (error instanceof ControlRequestError)
      return json(response, 400, { title: 'Bad request', detail: error.message });
    logger.error({ err: String(error) }, 'control API request failed');
    json(response, 500, { title: 'simulator error', detail: (error as Error).message });
  });
  return http.createServer(app);
}

function notFound(request: Request, response: Response): void {
  const url = new URL(request.url ?? '/', 'http://control');
  json(response, 404, {
    title: 'Not found',
    detail: `${request.method} ${url.pathname}: GET /control/ lists the control routes`,
  });
}
