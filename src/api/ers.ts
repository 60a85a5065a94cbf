import { createReadStream } from 'node:fs';
import express, { type Response } from 'express';
import {
  CODE_SYSTEMS,
  type CodeSystemType,
  clinicalInformationId,
  decisionBodies,
  type ErsServices,
  type HeldReferral,
  inForce,
} from '../ers-fhir/index.js';
import type { MessageStore } from '../store/index.js';
import { adviceRoutes } from './ers-advice.js';
import { actionRequest, checkUbrn, readProblem, sendAnswer, userContext, withItemFiles } from './ers-http.js';
import { messagesByUbrn } from './messages.js';
import { sendProblem } from './problem.js';

export { ersPaths } from './ers-openapi.js';

export interface ErsRouteDependencies extends ErsServices {
  /** The HL7 V3 messages, searched by UBRN. */
  messages: Pick<MessageStore, 'search'>;
}

const ATTACHMENT_ID = /^[A-Za-z0-9._-]{1,100}$/;
const SAFE_CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/** The PAS's e-RS FHIR routes (docs/ers-fhir.md; described in the OpenAPI document). */
export function ersRoutes(deps: ErsRouteDependencies): express.Router {
  const router = express.Router();
  router.use(adviceRoutes(deps));

  router.get('/ers/sync', async (_request, response) => {
    response.json({ budget: await deps.sync.budget(), lastRuns: [...deps.sync.lastRuns.values()] });
  });

  router.post('/ers/sync', async (_request, response) => {
    const runs = await deps.sync.runOnce();
    response.json({ runs, budget: await deps.sync.budget() });
  });

  router.get('/ers/reference-data/rejection-reasons', (_request, response) =>
    referenceData(deps, response, 'APPOINTMENT-CANCELLATION-REASON', 'REJECT'),
  );

  router.get('/ers/reference-data/:type', (request, response) => {
    const type = request.params.type as CodeSystemType;
    if (!CODE_SYSTEMS.includes(type))
      return sendProblem(response, {
        title: 'Unknown code system',
        status: 404,
        detail: `use one of ${CODE_SYSTEMS.join(', ')}`,
      });
    const usage = typeof request.query.usage === 'string' ? request.query.usage : undefined;
    return referenceData(deps, response, type, usage);
  });

  router.get('/ers/referrals/:ubrn', async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const user = userContext(request, response);
    if (user === null) return;
    let held: HeldReferral | undefined;
    try {
      held = request.query.refresh === 'true' || user ? undefined : await deps.referrals.held(ubrn);
      held ??= await deps.referrals.fetch(ubrn, user);
    } catch (error) {
      return readProblem(response, error);
    }
    void deps.attachments.runDue().catch(() => undefined);
    if (request.query.format === 'fhir') {
      response
        .type('application/fhir+json')
        .set('ETag', `W/"${held.referral.version}"`)
        .send(JSON.stringify(held.fhir));
      return;
    }
    response
      .set('ETag', `W/"${held.referral.version}"`)
      .json(await withItemFiles(deps.store, held.referral, clinicalInformationId));
  });

  // The HL7 V3 half of the same referral (bookings, cancellations, rejections on indirectly bookable services).
  router.get('/ers/referrals/:ubrn/messages', async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    response.json({ ubrn, messages: await messagesByUbrn(deps.messages, ubrn) });
  });

  router.get('/ers/referrals/:ubrn/attachments/:id', async (request, response) => {
    const ubrn = checkUbrn(request, response);
    if (!ubrn) return;
    const id = request.params.id as string;
    if (!ATTACHMENT_ID.test(id))
      return sendProblem(response, {
        title: 'Invalid attachment id',
        status: 400,
        detail: 'letters, digits, . _ - (up to 100)',
      });
    const attachment = await deps.store.attachment(ubrn, id);
    if (!attachment)
      return sendProblem(response, {
        title: 'Attachment not found',
        status: 404,
        detail: `referral ${ubrn} has no attachment ${id} that the gateway knows of`,
      });
    const path = deps.attachments.filePath(attachment);
    if (attachment.status !== 'DOWNLOADED' || !path) {
      const final = attachment.status === 'THREATS_FOUND' || attachment.status === 'VALIDATION_FAILED';
      return sendProblem(response, {
        title: final ? 'Attachment will never be available' : 'Attachment not downloaded yet',
        status: final ? 410 : 409,
        detail: `status ${attachment.status}${attachment.detail ? `: ${attachment.detail}` : ''}`,
        attachmentStatus: attachment.status,
        ...(final ? {} : { retryAfterSeconds: 60 }),
      });
    }
    response.status(200).set({
      'Content-Type': SAFE_CONTENT_TYPE.test(attachment.contentType)
        ? attachment.contentType
        : 'application/octet-stream',
      'Content-Length': String(attachment.size),
      'Content-Disposition': 'attachment',
      'Repr-Digest': `sha-256=:${Buffer.from(attachment.sha256!, 'hex').toString('base64')}:`,
      'X-Content-SHA256': attachment.sha256!,
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(path)
      .on('error', () => response.destroy())
      .pipe(response);
  });

  router.post('/ers/referrals/:ubrn/:action', async (request, response) => {
    const acting = actionRequest(request, response, decisionBodies);
    if (!acting) return;
    const user = userContext(request, response);
    if (user === null) return;
    const answer = await deps.decisions.decide({
      ...acting,
      body: acting.body as Record<string, unknown>,
      ...(user ? { user } : {}),
    });
    sendAnswer(response, answer);
  });

  return router;
}

async function referenceData(
  deps: ErsRouteDependencies,
  response: Response,
  type: CodeSystemType,
  usage?: string,
) {
  try {
    const concepts = inForce(await deps.referenceData.concepts(type), new Date(), usage);
    response.json({ codeSystem: type, ...(usage ? { usage } : {}), concepts });
  } catch (error) {
    sendProblem(response, {
      title: 'Reference data unavailable',
      status: 502,
      detail: (error as Error).message,
    });
  }
}
