import type { Logger } from '../ops/index.js';
import type { ReferralStore } from '../store/index.js';
import { type FhirAnswer, type FhirClient, FhirTransportError, type UserContext } from './client.js';
import {
  DECISIONS,
  type DecisionAction,
  decisionParameters,
  permittedActions,
  REQUIRED_ACTION,
} from './decision-parameters.js';
import { act } from './ers-action.js';
import { onceOnly } from './idempotency.js';
import {
  type ActionAnswer,
  callSafely,
  type FinalAnswer,
  problem,
  recorded,
  unexpected,
  versionChanged,
} from './problems.js';
import { ReferralReadError, type Referrals } from './referrals.js';

/** What the PAS is answered: an HTTP status and a JSON body (a problem body for anything but 200). */
export type DecisionAnswer = ActionAnswer;

export interface DecisionRequest {
  action: DecisionAction;
  ubrn: string;
  idempotencyKey: string;
  body: Record<string, unknown>;
  user?: UserContext;
}

/**
 * The PAS's decisions on referrals, made safely: the idempotency key is claimed first (a retry
 * gets the first answer, never a second action), the permitted actions are checked (A029) where
 * e-RS has a code for the action, the decision is sent with If-Match = the version we hold, and
 * e-RS's answers are mapped as docs/ers-fhir.md describes.
 */
export class Decisions {
  constructor(
    private readonly client: FhirClient,
    private readonly store: ReferralStore,
    private readonly referrals: Referrals,
    private readonly codeSystemBase: string,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  decide(request: DecisionRequest): Promise<DecisionAnswer> {
    return onceOnly(this.store, this.logger, this.clock, request, () => this.act(request));
  }

  /** `final`: e-RS acted or refused for good (the answer is kept for retries); otherwise nothing happened and the key is freed. */
  private async act(request: DecisionRequest): Promise<FinalAnswer> {
    const { action, ubrn, user } = request;
    const { endpoint, operation } = DECISIONS[action];
    let held = await this.referrals.held(ubrn);
    try {
      held ??= await this.referrals.fetch(ubrn, user);
    } catch (error) {
      return { ...this.readFailure(error), final: false };
    }
    const version = held.referral.version;
    const required = REQUIRED_ACTION[action];
    if (required) {
      const tasks = await callSafely(() =>
        this.client.call({
          endpoint: 'A029',
          method: 'GET',
          path: `STU3/Task?focus=${encodeURIComponent(`ReferralRequest/${ubrn}/_history/${version}`)}&intent=proposal&status=ready`,
          ...(user ? { user } : {}),
        }),
      );
      if ('problem' in tasks) return { ...tasks.problem, final: false };
      if (tasks.status !== 200) return { ...unexpected('A029', tasks), final: false };
      const permitted = permittedActions(tasks.json);
      if (!permitted.includes(required))
        return {
          ...problem(
            422,
            'Action not permitted',
            `e-RS does not permit ${required} on referral ${ubrn} at version ${version}`,
            'not-permitted',
            {
              ersErrorCode: 'ACTION_NOT_PERMITTED',
              permittedActions: permitted,
            },
          ),
          final: false,
        };
    }
    const body = decisionParameters(action, request.body, this.codeSystemBase);
    const send = () =>
      this.client.call({
        endpoint,
        method: 'POST',
        path: `STU3/ReferralRequest/${encodeURIComponent(ubrn)}/${operation}`,
        ifMatch: version,
        ...(body !== undefined ? { body } : {}),
        ...(user ? { user } : {}),
      });
    return act({
      what: 'Referral',
      endpoint,
      acted: [200],
      send,
      recorded: async (answer) => ({ ...(await this.done(request, answer, version)), final: true }),
      changed: async () => {
        const current = await this.referrals.fetch(ubrn, user).catch(() => undefined);
        return versionChanged(
          'Referral',
          `the decision was made on version ${version}; e-RS now holds ${current ? `version ${current.referral.version}` : 'a newer version'}. Nothing was done: review it and decide again with a new Idempotency-Key.`,
          { sentVersion: version, ...(current ? { referral: current.referral } : {}) },
        );
      },
      reconcile: (answer) =>
        this.reconcile(
          request,
          version,
          answer ? `e-RS answered ${answer.status} ${answer.error.code ?? ''}`.trim() : 'e-RS did not answer',
          answer,
        ),
      lockedDetail: 'another user or system is changing this referral',
      refusedTitle: 'e-RS refused the decision',
      notFoundDetail: `e-RS has no referral ${ubrn}`,
    });
  }

  /** The outcome is unknown: the referral is read again; a version past the one we sent means e-RS recorded it. */
  private async reconcile(
    request: DecisionRequest,
    sentVersion: number,
    why: string,
    answer?: FhirAnswer,
  ): Promise<FinalAnswer> {
    const current = await this.referrals.fetch(request.ubrn, request.user).catch(() => undefined);
    if (current && current.referral.version > sentVersion) {
      this.logger.info(
        { action: request.action, sentVersion, now: current.referral.version },
        'decision reconciled as recorded',
      );
      return {
        ...recorded(request, {
          reconciled: true,
          note: `${why}; the referral moved past version ${sentVersion}, so e-RS recorded it`,
          referral: current.referral,
        }),
        final: true,
      };
    }
    const status = answer?.status === 502 ? 502 : 504;
    return {
      ...problem(
        status,
        'Decision not recorded',
        `${why}${answer?.error.diagnostics ? `: ${answer.error.diagnostics}` : ''}; ${current ? `the referral is still at version ${sentVersion}` : 'the referral could not be re-read'}. Retry with the same Idempotency-Key.`,
        'not-recorded',
        {
          ...(answer?.error.code ? { ersErrorCode: answer.error.code } : {}),
        },
      ),
      retryAfterSeconds: 30,
      final: false,
    };
  }

  private async done(
    request: DecisionRequest,
    answer: FhirAnswer,
    sentVersion: number,
  ): Promise<DecisionAnswer> {
    const isReferral =
      (answer.json as { resourceType?: unknown } | undefined)?.resourceType === 'ReferralRequest';
    const current = isReferral
      ? await this.referrals.accept(answer.json)
      : await this.referrals.fetch(request.ubrn, request.user).catch(() => undefined);
    return recorded(request, { sentVersion, ...(current ? { referral: current.referral } : {}) });
  }

  private readFailure(error: unknown): DecisionAnswer {
    if (error instanceof ReferralReadError) {
      if (error.answer.status === 404)
        return problem(404, 'Referral not found in e-RS', 'e-RS has no such referral', 'not-found');
      return unexpected('A005', error.answer);
    }
    if (error instanceof FhirTransportError)
      return { ...problem(504, 'e-RS did not answer', error.message, 'unreachable'), retryAfterSeconds: 30 };
    throw error;
  }
}
