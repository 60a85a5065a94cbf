import express, { type NextFunction, type Request, type Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import { type DashboardDependencies, dashboardRoutes } from '../dashboard/index.js';
import { GatewayError } from '../errors/index.js';
import { type BodyBudget, RefusalLog } from '../listeners/index.js';
import {
  type GatewayMetrics,
  type Logger,
  metricsHandler,
  type ReadinessCheck,
  readiness,
} from '../ops/index.js';
import { isStoreUnavailable } from '../store/index.js';
import { isValidUtf8 } from '../xml/index.js';
import { admissionLimit, bodyBudgetLimit } from './admission.js';
import { findApiKey } from './api-keys.js';
import { type ApiAuth, requireApiKey } from './auth.js';
import { type CabRouteDependencies, cabRoutes } from './cab.js';
import {
  type DeadLetterRouteDependencies,
  deadLetterActionRoutes,
  deadLetterRoutes,
} from './dead-letters.js';
import { type ErsRouteDependencies, ersRoutes } from './ers.js';
import { messageRoutes } from './messages.js';
import { type MhsRouteDependencies, mhsRoutes } from './mhs.js';
import { openApiDocument } from './openapi.js';
import { errorProblem, STORE_UNAVAILABLE_PROBLEM, sendProblem } from './problem.js';

export interface ApiDependencies
  extends MhsRouteDependencies,
    CabRouteDependencies,
    DeadLetterRouteDependencies {
  logger: Logger;
  readinessChecks: ReadinessCheck[];
  maxBodyBytes: number;
  /** Submissions handled at once before new ones get 503 + Retry-After (back-pressure); unbounded when absent. */
  maxInFlight?: number;
  auth: ApiAuth;
  /** Shared with the inbound listener: request bodies held in memory at once; unbounded when absent. */
  bodyBudget?: BodyBudget;
  /** Interval of the refusal summary line (body budget refusals). */
  refusalIntervalMs?: number;
  /** GET /metrics and the operations dashboard (issue 7); absent where a test builds the API alone. */
  ops?: {
    metrics: GatewayMetrics;
    dashboard: Omit<DashboardDependencies, 'verifyKey' | 'logger' | 'actions'>;
  };
  /** The e-RS FHIR side's services, when it is enabled: the /ers/… routes. */
  ers?: Omit<ErsRouteDependencies, 'messages'>;
}

export function createApi(deps: ApiDependencies): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    const result = await readiness(deps.readinessChecks);
    response.status(result.ready ? 200 : 503).json(result);
  });
  // The API description is open: a PAS developer reads it before holding a key.
  const description = openApiDocument(deps.cabSchemas);
  app.get('/openapi.json', (_request, response) => {
    response.json(description);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(description, { customSiteTitle: 'mhs-gateway API' }));
  // The dashboard checks the same keys itself, so a browser without one is sent to its login page.
  const { auth, ops } = deps;
  if (ops) {
    const verifyKey = auth.mode === 'api-key' ? (key: string) => findApiKey(auth.keys, key)?.name : undefined;
    app.use(
      dashboardRoutes({
        ...ops.dashboard,
        logger: deps.logger,
        actions: deadLetterActionRoutes(deps),
        ...(verifyKey ? { verifyKey } : {}),
      }),
    );
  }
  // Before the body parser: an unauthenticated caller never gets its body read.
  if (deps.auth.mode === 'api-key') app.use(requireApiKey(deps.auth.keys, deps.logger));
  if (ops) app.get('/metrics', metricsHandler(ops.metrics));
  // Before the body parser: under overload a refused submission costs no body read and no memory.
  if (deps.maxInFlight !== undefined)
    app.use(admissionLimit(deps.maxInFlight, () => ops?.metrics.submissionShed()));
  // Right before the body parser: past the shared budget a body is refused unread.
  if (deps.bodyBudget) {
    const refusals = new RefusalLog(deps.logger, 'api', deps.refusalIntervalMs ?? 60_000);
    app.use(
      bodyBudgetLimit(deps.bodyBudget, deps.maxBodyBytes, (address) =>
        refusals.note('request bodies in memory are at maxBufferedBodyBytes', address),
      ),
    );
  }
  app.use(
    express.json({
      limit: deps.maxBodyBytes,
      type: ['application/json', 'application/*+json'],
      // The decoder would quietly turn invalid UTF-8 into U+FFFD; refuse it instead (issue 5).
      verify: (_request, _response, buffer) => {
        if (!isValidUtf8(buffer)) throw Object.assign(new Error('body is not valid UTF-8'), { status: 400 });
      },
    }),
  );
  app.use(mhsRoutes(deps));
  app.use(cabRoutes(deps));
  app.use(messageRoutes(deps.store));
  app.use(deadLetterRoutes(deps));
  if (deps.ers) app.use(ersRoutes({ ...deps.ers, messages: deps.store }));
  app.use((request: Request, response: Response) => {
    sendProblem(response, {
      title: 'Not found',
      status: 404,
      detail: `${request.method} ${request.path} is not an API route`,
    });
  });
  app.use(
    (
      error: Error & { status?: number; type?: string; expose?: boolean },
      _request: Request,
      response: Response,
      _next: NextFunction,
    ) => {
      if (error.type === 'entity.too.large')
        return sendProblem(response, {
          title: 'Request body too large',
          status: 413,
          detail: `limit is ${deps.maxBodyBytes} bytes`,
        });
      if (error.type === 'entity.parse.failed')
        return sendProblem(response, {
          title: 'Invalid request',
          status: 400,
          detail: `body is not valid JSON: ${error.message}`,
        });
      if (error.type === 'entity.verify.failed')
        return sendProblem(response, { title: 'Invalid request', status: 400, detail: error.message });
      // A refusal the gateway anticipated (a value XML cannot carry, say): its own problem, never a 500.
      if (error instanceof GatewayError && error.status < 500)
        return sendProblem(response, errorProblem(error));
      // Other body-parser refusals (unsupported charset or encoding, aborted request): its 4xx and message.
      if (error.expose && error.status && error.status >= 400 && error.status < 500)
        return sendProblem(response, {
          title: 'Invalid request',
          status: error.status,
          detail: error.message,
        });
      if (isStoreUnavailable(error)) {
        deps.logger.error({ err: error.message }, 'API request failed: the message store cannot be reached');
        return sendProblem(response, STORE_UNAVAILABLE_PROBLEM);
      }
      deps.logger.error(
        { err: error.message, ...(error instanceof GatewayError ? { code: error.code } : {}) },
        'API request failed',
      );
      return sendProblem(response, {
        title: 'Internal error',
        status: 500,
        detail: 'the gateway could not process this request; see its log',
      });
    },
  );
  return app;
}
