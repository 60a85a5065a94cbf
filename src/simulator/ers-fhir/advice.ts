// The simulator's Advice and Guidance: A&G requests with state (versions, conversation, locks),
// answering A023–A027 and A043. Our own resources, built from the public e-RS specification's facts
// (profiles, extension URLs, code systems, error codes); nothing of its examples is copied.
import { AdviceRequests } from './advice-requests.js';
import {
  adviceResource,
  adviceWorklist,
  communication,
  conversationBundle,
  type SimAdvice,
} from './advice-resources.js';
import { SD } from './fhir-systems.js';
import { operationOutcome } from './outcomes.js';
import { forbidden, parameters, refused, type SimError, versionRefusal } from './refusals.js';
import type { SimReferral } from './resources.js';

export { type AdviceInput, AdviceRequests } from './advice-requests.js';
export type { SimAdvice, SimMessage } from './advice-resources.js';

/** What the simulator answers: FHIR JSON (with ETag version), or a PDF. */
export type SimAnswer =
  | { status: number; json: unknown; version?: number }
  | { status: 200; pdf: Buffer; filename: string };

/** e-RS's roles for responding and converting (A026, A027); A023 also lets a provider admin in. */
const CLINICIANS = ['SERVICE_PROVIDER_CLINICIAN', 'SERVICE_PROVIDER_CLINICIAN_ADMIN'];

export class AdviceSimulator extends AdviceRequests {
  constructor(
    /** Creates the referral A027 converts into (same UBRN). */
    private readonly createReferral: (input: Partial<Omit<SimReferral, 'attachments'>>) => SimReferral,
    referralExists: (ubrn: string) => boolean,
    private readonly referralResource: (referral: SimReferral, baseUrl: string) => unknown,
  ) {
    super(referralExists);
  }

  /** Answers one A&G call: A023–A027 or A043, by e-RS endpoint id. */
  async answer(
    endpoint: string,
    request: {
      ubrn?: string;
      basedOn: string | null;
      body: () => Promise<unknown>;
      header: (name: string) => string | undefined;
      baseUrl: string;
    },
  ): Promise<SimAnswer> {
    const user = {
      ods: request.header('nhsd-end-user-organisation-ods') ?? '',
      ...(request.header('nhsd-ers-business-function')
        ? { businessFunction: request.header('nhsd-ers-business-function') }
        : {}),
      ...(request.header('nhsd-ers-on-behalf-of-user-id')
        ? { userId: request.header('nhsd-ers-on-behalf-of-user-id') }
        : {}),
    };
    const now = Date.now();
    switch (endpoint) {
      case 'A023':
        return this.worklist(await request.body(), user.businessFunction, request.baseUrl);
      case 'A024':
        return this.read(request.ubrn!, now);
      case 'A025':
        return this.conversation(request.basedOn, now);
      case 'A026':
        return this.respond(request.ubrn!, await request.body(), request.header('if-match'), user, now);
      case 'A027':
        return this.convert(await request.body(), user, now, request.baseUrl);
      default:
        return this.overview(request.ubrn!);
    }
  }

  /** A023: the provider's A&G worklist (user-restricted: a business function is required). */
  worklist(raw: unknown, businessFunction: string | undefined, baseUrl: string): SimAnswer {
    if (!businessFunction || ![...CLINICIANS, 'SERVICE_PROVIDER_ADMIN'].includes(businessFunction))
      return forbidden('A023 is for a service provider user only');
    const list = parameters(raw)('listType')?.valueCodeableConcept?.coding?.[0]?.code;
    if (list !== 'ADVICE_AND_GUIDANCE_REQUESTS')
      return {
        status: 422,
        json: operationOutcome('INVALID_VALUE', 'listType must be ADVICE_AND_GUIDANCE_REQUESTS'),
      };
    const entries = [...this.requests.values()].filter((a) => a.category === 'PROVIDER_RESPONSE_REQUIRED');
    return {
      status: 200,
      json: adviceWorklist(entries, baseUrl),
    };
  }

  /** A024. */
  read(ubrn: string, now: number): SimAnswer {
    const found = this.find(ubrn);
    if ('json' in found) return found;
    return { status: 200, json: adviceResource(found, now), version: found.version };
  }

  /** A025: only the current version's conversation is served. */
  conversation(basedOn: string | null, now: number): SimAnswer {
    const match = /^CommunicationRequest\/([0-9]{12})\/_history\/([0-9]+)$/.exec(basedOn ?? '');
    if (!match)
      return {
        status: 400,
        json: operationOutcome(
          'INVALID_PARAMETER',
          'based-on must be CommunicationRequest/{ubrn}/_history/{version}',
        ),
      };
    const found = this.find(match[1]!);
    if ('json' in found) return found.status === 422 ? { ...found, status: 400 } : found;
    if (Number(match[2]) !== found.version)
      return {
        status: 404,
        json: operationOutcome(
          'REFERENCE_NOT_FOUND',
          `version ${match[2]} is not the current version`,
          'not-found',
        ),
      };
    return { status: 200, json: conversationBundle(found, basedOn!, now) };
  }

  /** A026: guidance back to the referrer, or a request for more information. */
  respond(
    ubrn: string,
    raw: unknown,
    ifMatch: string | undefined,
    user: { businessFunction?: string; userId?: string; ods: string },
    now: number,
  ): SimAnswer {
    const checked = this.actionable(
      ubrn,
      user.businessFunction,
      /^W\/"([0-9]+)"$/.exec(ifMatch ?? '')?.[1],
      'A026',
    );
    if ('json' in checked) return checked;
    const param = parameters(raw);
    const outcome = param('guidanceOutcome')?.valueCoding?.code;
    const guidance = param('guidance')?.valueString;
    if (outcome !== 'RETURN_TO_REFERRER_WITH_ADVICE' && outcome !== 'REQUIRE_FURTHER_INFORMATION')
      return refused(
        'INVALID_VALUE',
        'guidanceOutcome must be RETURN_TO_REFERRER_WITH_ADVICE or REQUIRE_FURTHER_INFORMATION',
      );
    if (
      outcome === 'RETURN_TO_REFERRER_WITH_ADVICE' &&
      !param('guidanceIntendedRecommendation')?.valueCoding?.code
    )
      return refused(
        'VALUE_IS_REQUIRED',
        'guidanceIntendedRecommendation is required with RETURN_TO_REFERRER_WITH_ADVICE',
      );
    if (!guidance || guidance.length > 8000)
      return refused('MISSING_VALUE', 'guidance (up to 8000 characters) is required');
    const message = this.reply(checked, guidance, user, now);
    checked.category =
      outcome === 'RETURN_TO_REFERRER_WITH_ADVICE'
        ? 'REFERRER_TO_REVIEW_RESPONSE'
        : 'REFERRER_TO_SUBMIT_FURTHER_INFORMATION';
    checked.priority = param('updatedPriority')?.valueCoding?.code ?? checked.priority;
    checked.version += 1;
    return {
      status: 200,
      json: {
        resourceType: 'Parameters',
        meta: { profile: [`${SD}eRS-SendCommunicationToRequester-Response-Parameters-1`] },
        parameter: [
          { name: 'updatedCommunicationRequest', resource: adviceResource(checked, now) },
          { name: 'createdCommunication', resource: communication(checked, message) },
        ],
      },
      version: checked.version,
    };
  }

  /** A027: the request becomes a referral (same UBRN) for the provider's admin team, with final guidance. */
  convert(
    raw: unknown,
    user: { businessFunction?: string; userId?: string; ods: string },
    now: number,
    baseUrl: string,
  ): SimAnswer {
    const param = parameters(raw);
    const from = /^CommunicationRequest\/([0-9]{12})\/_history\/([0-9]+)$/.exec(
      param('createFrom')?.valueReference?.reference ?? '',
    );
    if (!from)
      return refused('INVALID_VALUE', 'createFrom must be CommunicationRequest/{ubrn}/_history/{version}');
    const checked = this.actionable(from[1]!, user.businessFunction, from[2], 'A027');
    if ('json' in checked) return checked;
    if (!checked.authorisedToConvert)
      return refused('INVALID_REQUEST_STATE', 'the referrer has not authorised conversion to a referral');
    const guidance = param('guidance')?.valueString;
    const comments = param('reviewComments')?.valueString;
    const priority = param('newReferralPriority')?.valueCoding?.code;
    if (!guidance || !comments || !priority)
      return refused('MISSING_VALUE', 'guidance, reviewComments and newReferralPriority are required');
    if (this.referralExists(checked.ubrn)) return refused('INVALID_REQUEST_STATE', 'already converted');
    this.reply(checked, guidance, user, now);
    checked.category = 'ADVICE_CONVERTED';
    checked.status = 'completed';
    checked.version += 1;
    const referral = this.createReferral({
      ubrn: checked.ubrn,
      nhsNumber: checked.nhsNumber,
      service: checked.service,
      list: null,
      state: 'TRIAGED_PROVIDER_TO_ACTION',
      priority,
      specialty: checked.specialty,
    });
    referral.comment = comments;
    return { status: 201, json: this.referralResource(referral, baseUrl), version: referral.version };
  }

  /** A043: a PDF overview of the request and its conversation. */
  overview(ubrn: string): SimAnswer {
    const found = this.find(ubrn);
    if ('json' in found) return found;
    return {
      status: 200,
      pdf: Buffer.from(
        `%PDF-1.4\n% simulated advice and guidance overview\n% UBRN ${found.ubrn} version ${found.version} messages ${found.messages.length}\n%%EOF\n`,
      ),
      filename: `${found.ubrn}_Advice_And_Guidance.pdf`,
    };
  }

  private actionable(
    ubrn: string,
    businessFunction: string | undefined,
    version: string | undefined,
    endpoint: string,
  ): SimAdvice | SimError {
    if (!businessFunction || !CLINICIANS.includes(businessFunction))
      return forbidden(`${endpoint} is for a service provider clinician only`);
    const found = this.find(ubrn);
    if ('json' in found) return found;
    const refusal = versionRefusal(found, 'request', version, 'the version is required');
    if (refusal) return refusal;
    if (found.category !== 'PROVIDER_RESPONSE_REQUIRED')
      return refused(
        'INVALID_REQUEST_STATE',
        `request ${ubrn} is not awaiting the provider (${found.category})`,
      );
    return found;
  }
}
