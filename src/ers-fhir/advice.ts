import type { Logger } from '../ops/index.js';
import type { ReferralStore } from '../store/index.js';
import {
  type AdviceJson,
  type AdviceMessage,
  type AdviceWorklistEntry,
  adviceWorklistParameters,
  mapAdviceRequest,
  mapConversation,
  readAdviceWorklist,
} from './advice-mapping.js';
import type { AdviceAction, ConvertBody, RespondBody } from './advice-parameters.js';
import { ADVICE_ACTIONS, convertParameters, respondParameters } from './advice-parameters.js';
import type { Attachments } from './attachments.js';
import type { FhirAnswer, FhirClient, UserContext } from './client.js';
import { act } from './ers-action.js';
import { onceOnly } from './idempotency.js';
import { type ActionAnswer, type FinalAnswer, problem, recorded, versionChanged } from './problems.js';
import type { Referrals } from './referrals.js';

/** A read (A023, A024, A025) that e-RS answered with anything but 200: its answer, for the caller to map. */
export class AdviceReadError extends Error {
  override readonly name = 'AdviceReadError';
  constructor(
    readonly endpoint: string,
    readonly answer: FhirAnswer,
  ) {
    super(`${endpoint} answered ${answer.status}${answer.error.code ? ` ${answer.error.code}` : ''}`);
  }
}

export interface AdviceActionRequest<A extends AdviceAction> {
  action: A;
  ubrn: string;
  idempotencyKey: string;
  body: A extends 'respond' ? RespondBody : ConvertBody;
  /** A026 and A027 are user-restricted only: always the user's session. */
  user: UserContext;
}

/**
 * Advice and Guidance, provider side. Reads (A024 summary, A025 conversation) work as the
 * application or as a user; the worklist (A023), responding (A026) and converting into a referral
 * (A027) are user-restricted only in e-RS, so they always carry the user's session. Files (and the
 * A043 overview) are downloaded like a referral's attachments. Actions are made once per
 * Idempotency-Key, on the version the PAS read.
 */
export class AdviceAndGuidance {
  constructor(
    private readonly client: FhirClient,
    private readonly store: ReferralStore,
    private readonly referrals: Referrals,
    private readonly attachments: Pick<Attachments, 'registerAdvice'>,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** A023: the provider's 'Advice and guidance requests' worklist. */
  async worklist(user: UserContext): Promise<AdviceWorklistEntry[]> {
    const answer = await this.client.call({
      endpoint: 'A023',
      method: 'POST',
      path: 'STU3/CommunicationRequest/$ers.fetchworklist',
      body: adviceWorklistParameters(),
      user,
    });
    if (answer.status !== 200) throw new AdviceReadError('A023', answer);
    return readAdviceWorklist(answer.json);
  }

  /** A024: the request's summary; its files and overview are queued for download. */
  async read(ubrn: string, user?: UserContext): Promise<{ advice: AdviceJson; fhir: unknown }> {
    const answer = await this.client.call({
      endpoint: 'A024',
      method: 'GET',
      path: `STU3/CommunicationRequest/${encodeURIComponent(ubrn)}`,
      ...(user ? { user } : {}),
    });
    if (answer.status !== 200) throw new AdviceReadError('A024', answer);
    const advice = mapAdviceRequest(answer.json);
    await this.attachments.registerAdvice(ubrn, advice.version, advice.attachments);
    return { advice, fhir: answer.json };
  }

  /** A025 on the version A024 gives now (e-RS serves only the latest); the messages' files are queued too. */
  async conversation(
    ubrn: string,
    user?: UserContext,
  ): Promise<{ advice: AdviceJson; messages: AdviceMessage[] }> {
    const { advice } = await this.read(ubrn, user);
    const basedOn = encodeURIComponent(`CommunicationRequest/${ubrn}/_history/${advice.version}`);
    const includes = [
      'Communication:requester-practitionerrole:PractitionerRole',
      'Communication:sender-practitionerrole:PractionerRole', // sic: e-RS's spelling
      'Communication:content-reference:DocumentReference',
    ]
      .map((include) => `&_include=${encodeURIComponent(include)}`)
      .join('');
    const answer = await this.client.call({
      endpoint: 'A025',
      method: 'GET',
      path: `STU3/Communication?based-on=${basedOn}${includes}`,
      ...(user ? { user } : {}),
    });
    if (answer.status !== 200) throw new AdviceReadError('A025', answer);
    const messages = mapConversation(answer.json);
    await this.attachments.registerAdvice(ubrn, advice.version, [
      ...advice.attachments,
      ...messages.flatMap((m) => m.attachments),
    ]);
    return { advice, messages };
  }

  /** A026 (respond) or A027 (convert), once per Idempotency-Key. */
  act<A extends AdviceAction>(request: AdviceActionRequest<A>): Promise<ActionAnswer> {
    const stored = { ...request, action: ADVICE_ACTIONS[request.action].stored };
    return onceOnly(this.store, this.logger, this.clock, stored, () => this.send(request));
  }

  private async send<A extends AdviceAction>(request: AdviceActionRequest<A>): Promise<FinalAnswer> {
    const { action, ubrn, user } = request;
    const sentVersion = request.body.version;
    const endpoint = ADVICE_ACTIONS[action].endpoint;
    const call = () =>
      action === 'respond'
        ? this.client.call({
            endpoint,
            method: 'POST',
            path: `STU3/CommunicationRequest/${encodeURIComponent(ubrn)}/$ers.sendCommunicationToRequester`,
            ifMatch: sentVersion,
            body: respondParameters(request.body as RespondBody),
            user,
          })
        : this.client.call({
            endpoint,
            method: 'POST',
            path: 'STU3/ReferralRequest/$ers.createFromCommunicationRequestActionLater',
            body: convertParameters(ubrn, request.body as ConvertBody),
            user,
          });
    return act({
      what: 'Advice and guidance request',
      endpoint,
      acted: [200, 201],
      send: call,
      recorded: async (answer) => {
        if (action === 'convert') {
          const referral = await this.referrals.accept(answer.json).catch(() => undefined);
          return {
            ...recorded(request, { sentVersion, ...(referral ? { referral: referral.referral } : {}) }),
            final: true,
          };
        }
        return { ...recorded(request, { sentVersion, ...respondResult(answer.json) }), final: true };
      },
      changed: async () => {
        const current = await this.read(ubrn, user).catch(() => undefined);
        return versionChanged(
          'Advice and guidance request',
          `the ${action} was made on version ${sentVersion}; e-RS now holds ${current ? `version ${current.advice.version}` : 'a newer version'}. Nothing was done: read it again and act with a new Idempotency-Key.`,
          { sentVersion, ...(current ? { advice: current.advice } : {}) },
        );
      },
      reconcile: (answer) =>
        this.reconcile(request, answer ? `e-RS answered ${answer.status}` : 'e-RS did not answer'),
      lockedDetail: 'another user or system is changing it',
      refusedTitle: 'e-RS refused the action',
      notFoundDetail: `e-RS has no request ${ubrn}`,
      other: (answer) =>
        answer.status === 403
          ? {
              ...problem(
                403,
                "e-RS refused the user's session",
                `${endpoint} answered 403${answer.error.code ? ` ${answer.error.code}` : ''}: it needs a SERVICE_PROVIDER_CLINICIAN or SERVICE_PROVIDER_CLINICIAN_ADMIN session`,
                'forbidden',
                { ...(answer.error.code ? { ersErrorCode: answer.error.code } : {}) },
              ),
              final: false,
            }
          : undefined,
    });
  }

  /** The outcome is unknown: A024 again; a version past the one sent (or, for A027, ADVICE_CONVERTED) means e-RS acted. */
  private async reconcile<A extends AdviceAction>(
    request: AdviceActionRequest<A>,
    why: string,
  ): Promise<FinalAnswer> {
    const { ubrn, action, user } = request;
    const sentVersion = request.body.version;
    const current = await this.read(ubrn, user).catch(() => undefined);
    const moved =
      current &&
      (current.advice.version > sentVersion ||
        (action === 'convert' && current.advice.adviceStatus?.code === 'ADVICE_CONVERTED'));
    if (current && moved) {
      this.logger.info(
        { action, sentVersion, now: current.advice.version },
        'A&G action reconciled as recorded',
      );
      const referral =
        action === 'convert' ? await this.referrals.fetch(ubrn, user).catch(() => undefined) : undefined;
      return {
        ...recorded(request, {
          reconciled: true,
          note: `${why}; the request moved past version ${sentVersion}, so e-RS recorded it`,
          advice: current.advice,
          ...(referral ? { referral: referral.referral } : {}),
        }),
        final: true,
      };
    }
    return {
      ...problem(
        504,
        'Action not recorded',
        `${why}; ${current ? `the request is still at version ${sentVersion}` : 'the request could not be re-read'}. Retry with the same Idempotency-Key.`,
        'not-recorded',
      ),
      retryAfterSeconds: 30,
      final: false,
    };
  }
}

/** A026's answer: the updated request and the message just sent, mapped like A024 and A025. */
function respondResult(json: unknown): { advice?: AdviceJson; message?: AdviceMessage } {
  const parameter = (json as { parameter?: unknown } | undefined)?.parameter;
  const resource = (name: string) =>
    Array.isArray(parameter)
      ? (parameter as { name?: unknown; resource?: unknown }[]).find((p) => p?.name === name)?.resource
      : undefined;
  const out: { advice?: AdviceJson; message?: AdviceMessage } = {};
  try {
    const updated = resource('updatedCommunicationRequest');
    if (updated) out.advice = mapAdviceRequest(updated);
    const created = resource('createdCommunication');
    if (created) out.message = mapConversation({ resourceType: 'Bundle', entry: [{ resource: created }] })[0];
  } catch {
    // e-RS recorded it; a part we cannot read is left out rather than failing the answer.
  }
  return out;
}
