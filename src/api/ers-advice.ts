import express, { type Request, type Response } from 'express';
import {
  type AdviceAndGuidance,
  type Attachments,
  adviceBodies,
  adviceOverviewId,
  type UserContext,
} from '../ers-fhir/index.js';
import type { ReferralStore } from '../store/index.js';
import {
  actionRequest,
  checkUbrn,
  readProblem,
  sendAnswer,
  userContext,
  withFileState,
  withItemFiles,
} from './ers-http.js';
import { sendProblem } from './problem.js';

export interface AdviceRouteDependencies {
  store: ReferralStore;
  attachments: Pick<Attachments, 'runDue'>;
  advice: AdviceAndGuidance;
}

const BASE = '/ers/advice-and-guidance';

/** Advice and Guidance, provider side (docs/ers-fhir.md): A023–A027 and A043 as plain JSON. */
export function adviceRoutes(deps: AdviceRouteDependencies): express.Router {
  const router = express.Router();

  router.get(`${BASE}/worklist`, async (request, response) => {
    const user = requireUser(request, response, 'A023');
    if (!user) return;
    try {
      response.json({ list: 'ADVICE_AND_GUIDANCE_REQUESTS', entries: await deps.advice.worklist(user) });
    } catch (error) {
      readProblem(response, error);
    }
  });

  router.get(`${BASE}/:ubrn`, async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const user = userContext(request, response);
    if (user === null) return;
    try {
      const { advice, fhir } = await deps.advice.read(ubrn, user);
      void deps.attachments.runDue().catch(() => undefined);
      response.set('ETag', `W/"${advice.version}"`);
      if (request.query.format === 'fhir') {
        response.type('application/fhir+json').send(JSON.stringify(fhir));
        return;
      }
      response.json(await withItemFiles(deps.store, advice, adviceOverviewId));
    } catch (error) {
      readProblem(response, error);
    }
  });

  router.get(`${BASE}/:ubrn/conversation`, async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const user = userContext(request, response);
    if (user === null) return;
    try {
      const { advice, messages } = await deps.advice.conversation(ubrn, user);
      void deps.attachments.runDue().catch(() => undefined);
      response.set('ETag', `W/"${advice.version}"`).json({
        ubrn,
        version: advice.version,
        ...(advice.adviceStatus ? { adviceStatus: advice.adviceStatus } : {}),
        messages: await Promise.all(
          messages.map(async (m) => ({
            ...m,
            attachments: await withFileState(deps.store, ubrn, m.attachments),
          })),
        ),
      });
    } catch (error) {
      readProblem(response, error);
    }
  });

  router.post(`${BASE}/:ubrn/:action`, async (request, response) => {
    const acting = actionRequest(request, response, adviceBodies);
    if (!acting) return;
    const user = requireUser(request, response, acting.action === 'respond' ? 'A026' : 'A027');
    if (!user) return;
    sendAnswer(response, await deps.advice.act({ ...acting, user }));
  });

  return router;
}

/** A023, A026 and A027 are user-restricted only in e-RS: without the user's session there is nothing to call. */
function requireUser(request: Request, response: Response, endpoint: string): UserContext | undefined {
  const user = userContext(request, response);
  if (user === null) return undefined;
  if (user) return user;
  sendProblem(response, {
    type: 'https://mhs-gateway/problems/ers/user-restricted',
    title: 'User-restricted in e-RS',
    status: 403,
    detail: `e-RS offers ${endpoint} to a healthcare worker's session only: send it in X-ERS-Access-Token with NHSD-eRS-Business-Function (SERVICE_PROVIDER_CLINICIAN or SERVICE_PROVIDER_CLINICIAN_ADMIN)`,
  });
  return undefined;
}
