import type { KeyObject } from 'node:crypto';
import type { Registry } from 'prom-client';
import { ConfigError, type GatewayConfig } from '../config/index.js';
import type { HeldReferralFacts, ReferralsPanel } from '../dashboard/index.js';
import type { Logger } from '../ops/index.js';
import type { Broker } from '../queue/index.js';
import type { MessageStore, ReferralStore } from '../store/index.js';
import { AdviceAndGuidance } from './advice.js';
import { Attachments } from './attachments.js';
import { FhirClient } from './client.js';
import { Decisions } from './decisions.js';
import { publishReferralEvent, type ReferralEvent } from './events.js';
import { RateLimiter } from './limiter.js';
import { ErsMetrics } from './metrics.js';
import { ReferenceData } from './reference-data.js';
import { Referrals } from './referrals.js';
import { budgetDay, budgetKey, WorklistSync } from './sync.js';
import { loadSigningKey, TokenClient } from './token.js';

export { type AdviceActionRequest, AdviceAndGuidance, AdviceReadError } from './advice.js';
export {
  type AdviceJson,
  type AdviceMessage,
  AdviceShapeError,
  type AdviceWorklistEntry,
  mapAdviceRequest,
  mapConversation,
  readAdviceWorklist,
} from './advice-mapping.js';
export {
  ADVICE_ACTIONS,
  type AdviceAction,
  adviceBodies,
  convertParameters,
  respondParameters,
} from './advice-parameters.js';
export { Attachments, adviceOverviewId, clinicalInformationId } from './attachments.js';
export {
  type Download,
  type FhirAnswer,
  FhirClient,
  type FhirRequest,
  FhirTransportError,
  type UserContext,
} from './client.js';
export {
  DECISIONS,
  type DecisionAction,
  decisionBodies,
  decisionParameters,
  permittedActions,
} from './decision-parameters.js';
export { type DecisionAnswer, Decisions } from './decisions.js';
export { publishReferralEvent, type ReferralEvent, type ReferralEventKind } from './events.js';
export { ABANDONED_CLAIM_MS, type KeyedRequest, onceOnly } from './idempotency.js';
export { type AssertionClaims, clientAssertion, tokenRequestBody } from './jwt.js';
export { backoffMs, RateLimiter } from './limiter.js';
export { type ErsError, readOperationOutcome, versionFromEtag } from './outcome.js';
export { type ActionAnswer, problem } from './problems.js';
export {
  CODE_SYSTEMS,
  type CodeSystemType,
  type Concept,
  inForce,
  ReferenceData,
  readConcepts,
} from './reference-data.js';
export { mapReferral, type ReferralJson, ReferralShapeError } from './referral.js';
export { type HeldReferral, ReferralReadError, Referrals } from './referrals.js';
export { budgetDay, budgetKey, type ListRun, WorklistSync } from './sync.js';
export { loadSigningKey, TokenClient, TokenError } from './token.js';
export {
  diffWorklists,
  fetchWorklistParameters,
  readWorklist,
  WORKLISTS,
  type WorklistDiff,
} from './worklist.js';

/** What the PAS's /ers/… routes (src/api/ers.ts) work with. */
export interface ErsServices {
  store: ReferralStore;
  referrals: Referrals;
  attachments: Attachments;
  decisions: Decisions;
  advice: AdviceAndGuidance;
  referenceData: ReferenceData;
  sync: WorklistSync;
}

export interface RunningErsFhir {
  services: ErsServices;
  /** The dashboard's referrals page. */
  panel(): Promise<ReferralsPanel>;
  /** The dashboard's page of one referral: the copy held, if any (no call to e-RS). */
  referral(ubrn: string): Promise<HeldReferralFacts | undefined>;
  close(): Promise<void>;
}

/** How often due attachments (PENDING, retries) are looked for. */
const ATTACHMENT_PASS_MS = 15_000;

/**
 * Starts the e-RS FHIR side: token client, rate-limited FHIR client, worklist sync, attachment
 * downloads and the PAS routes. A key that cannot be read stops start-up here.
 */
export function startErsFhir(
  config: GatewayConfig['ersFhir'],
  deps: { store: Pick<MessageStore, 'referrals'>; broker: Broker; logger: Logger; registry: Registry },
): RunningErsFhir {
  const logger = deps.logger.child({ component: 'ers-fhir' });
  const store = deps.store.referrals;
  if (config.apiKey === '')
    throw new ConfigError(
      'configuration key ersFhir.apiKey (MHS_ERS_FHIR_API_KEY): required when ersFhir.enabled is true',
    );
  let privateKey: KeyObject;
  try {
    privateKey = loadSigningKey(config.privateKeyFile, config.keyPassword);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0];
    throw new ConfigError(
      `configuration key ersFhir.privateKeyFile (MHS_ERS_FHIR_PRIVATE_KEY_FILE): ${config.privateKeyFile} is not a readable private key (${reason})`,
    );
  }
  const metrics = new ErsMetrics(deps.registry);
  const tokens = new TokenClient(
    {
      tokenUrl: config.tokenUrl,
      apiKey: config.apiKey,
      keyId: config.keyId,
      privateKey,
      timeoutMs: config.requestTimeoutMs,
    },
    (ok) => metrics.tokenRefreshed(ok),
  );
  const client = new FhirClient(
    {
      baseUrl: config.baseUrl,
      odsCode: config.odsCode,
      timeoutMs: config.requestTimeoutMs,
      maxRetries: config.maxRetries,
    },
    tokens,
    new RateLimiter(config.requestsPerSecond),
    metrics,
  );
  const publish = async (event: ReferralEvent) => {
    await publishReferralEvent(deps.broker, event);
    metrics.published(event.kind);
  };
  const attachments = new Attachments(
    client,
    store,
    {
      dir: config.attachmentsDir,
      maxBytes: config.maxAttachmentBytes,
      pendingRetryMs: config.pendingRetryMs,
    },
    async (attachment) => {
      logger.warn(
        { attachmentId: attachment.attachmentId, status: attachment.status },
        'attachment will never be available',
      );
      const referral = await store.referral(attachment.ubrn);
      await publish({
        kind: 'attachment-failed',
        ubrn: attachment.ubrn,
        service: '',
        version: referral?.version ?? 0,
        at: new Date().toISOString(),
        attachment: {
          id: attachment.attachmentId,
          title: attachment.title,
          status: attachment.status,
          ...(attachment.detail ? { detail: attachment.detail } : {}),
        },
      });
    },
  );
  const referrals = new Referrals(client, store, (referral) => attachments.register(referral));
  const sync = new WorklistSync(
    {
      services: config.services,
      lists: config.lists,
      dailyBudget: config.dailyA008Budget,
      intervalMs: config.syncIntervalMs,
    },
    client,
    store,
    referrals,
    publish,
    logger,
    () => {
      void attachments
        .runDue()
        .catch((error) => logger.warn({ err: (error as Error).message }, 'attachment pass failed'));
      void refreshBudgetGauge();
    },
    () => deps.broker.connected,
  );
  metrics.budgetLimit.set(config.dailyA008Budget);
  const refreshBudgetGauge = async () => {
    const day = budgetDay(new Date());
    for (const service of config.services)
      metrics.budgetUsed.set({ service }, await store.budgetUsed(budgetKey(service), day).catch(() => 0));
  };
  const decisions = new Decisions(client, store, referrals, config.baseUrl.replace(/\/+$/, ''), logger);
  const services = {
    store,
    referrals,
    attachments,
    decisions,
    advice: new AdviceAndGuidance(client, store, referrals, attachments, logger),
    referenceData: new ReferenceData(client, config.referenceDataTtlMs),
    sync,
  };
  sync.start();
  const attachmentTimer = setInterval(() => {
    void attachments
      .runDue()
      .catch((error) => logger.warn({ err: (error as Error).message }, 'attachment pass failed'));
  }, ATTACHMENT_PASS_MS);
  attachmentTimer.unref();
  logger.info(
    { baseUrl: config.baseUrl, services: config.services, budget: config.dailyA008Budget },
    'e-RS FHIR side started',
  );
  return {
    services,
    panel: async () => ({
      ...(await sync.budget().then((budget) => ({ budget }))),
      lastRuns: [...sync.lastRuns.values()],
      byState: await store.countReferralsByState(),
      attachmentFailures: await store.attachmentFailures(50),
    }),
    referral: async (ubrn) => {
      const held = await referrals.held(ubrn).catch(() => undefined);
      if (!held) return undefined;
      const r = held.referral;
      return {
        ubrn: r.ubrn,
        version: r.version,
        ...(r.state ? { state: r.state.code } : {}),
        ...(r.priority ? { priority: r.priority.code } : {}),
        ...(r.specialty ? { specialty: r.specialty.code } : {}),
        ...(r.service
          ? { service: r.service.name ? `${r.service.id} ${r.service.name}` : r.service.id }
          : {}),
        ...(held.fetchedAt ? { fetchedAt: held.fetchedAt } : {}),
      };
    },
    close: async () => {
      clearInterval(attachmentTimer);
      await sync.stop();
      await attachments.settle();
    },
  };
}
