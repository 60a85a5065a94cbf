import {
  createPrivateKey,
  createPublicKey,
  createVerify,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { type AdviceInput, AdviceSimulator } from './advice.js';
import {
  type Availability,
  availabilityOf,
  codeSystemResource,
  operationOutcome,
  r4OperationOutcome,
  referralResource,
  type SimAttachment,
  type SimReferral,
  taskBundle,
  type WorklistName,
  worklistResource,
} from './resources.js';

export { type AdviceInput, AdviceSimulator, type SimAdvice } from './advice.js';
export type { SimReferral } from './resources.js';

export interface ErsFhirSimulatorSettings {
  apiKey: string;
  keyId: string;
  /** The gateway's signing key file: the simulator registers its public half, as the developer portal would. */
  privateKeyFile: string;
  keyPassword: string;
  /** The token URL the gateway uses: a client assertion's aud must be exactly this. */
  tokenUrl: string;
}

/** A fault to inject: the next `times` calls to `endpoint` (A005, A008, A013…; * for any) get this answer. */
export interface ErsFault {
  endpoint: string;
  status: number;
  code?: string;
  diagnostics?: string;
  times: number;
  retryAfter?: string;
  /** For a decision answered 502/504: record the decision anyway (e-RS acted, the PAS hop failed). */
  act?: boolean;
}

const BASE = '/referrals/FHIR';
const TOKEN_PATH = '/oauth2/token';
const OBJECT_STORE = '/object-store/';

interface IssuedToken {
  expiresAt: number;
}

/**
 * e-RS's FHIR API as the provider side uses it, with state: referrals whose versions increase,
 * worklists, locks, attachments that go PENDING → AVAILABLE, A042's 307 to an object store of its
 * own (which refuses any request carrying Authorization), the API platform's signed-JWT token
 * endpoint, and injectable faults. Served on the simulator's control port.
 */
export class ErsFhirSimulator {
  readonly referrals = new Map<string, SimReferral>();
  /** Advice and Guidance requests (A023–A027, A043); A027 turns one into a referral of the same UBRN. */
  readonly advice = new AdviceSimulator(
    (input) => this.addReferral(input),
    (ubrn) => this.referrals.has(ubrn),
    (referral, baseUrl) => referralResource(referral, baseUrl, Date.now()),
  );
  private faults: ErsFault[] = [];
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly usedJti = new Set<string>();
  private readonly objectKeys = new Map<string, { attachment: SimAttachment; expiresAt: number }>();
  private publicKey?: KeyObject;
  tokenLifetimeSeconds = 599;
  /** Calls by endpoint (A008 per service as `A008:<service>`), for tests and the control listing. */
  readonly calls = new Map<string, number>();
  readonly tokensIssued: { at: string }[] = [];
  /** Requests to the object store that carried an Authorization header (and were refused). */
  objectStoreAuthRefusals = 0;
  /** The e-RS headers of the last FHIR request (never the token), to check what a caller sent. */
  lastRequest?: {
    endpoint: string;
    odsCode?: string;
    businessFunction?: string;
    onBehalfOf?: string;
    ifMatch?: string;
  };

  constructor(private readonly settings: ErsFhirSimulatorSettings) {}

  /** Handles a request if it is ours (e-RS FHIR, token, object store, /control/ers…); false otherwise. */
  async handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    body: () => Promise<Buffer>,
  ): Promise<boolean> {
    const path = url.pathname;
    if (request.method === 'POST' && path === TOKEN_PATH) {
      this.token((await body()).toString('utf8'), response);
      return true;
    }
    if (request.method === 'GET' && path.startsWith(OBJECT_STORE)) {
      this.objectStore(request, response, path.slice(OBJECT_STORE.length));
      return true;
    }
    if (path.startsWith(`${BASE}/`)) {
      await this.fhir(request, response, url, body);
      return true;
    }
    if (path === '/control/ers' || path.startsWith('/control/ers/')) {
      await this.control(request, response, path, body);
      return true;
    }
    return false;
  }

  /** A new referral on a worklist (defaults for everything not given). */
  addReferral(
    input: Partial<Omit<SimReferral, 'attachments'>> & {
      attachments?: {
        title?: string;
        contentType?: string;
        content?: string;
        availability?: Availability;
        pendingForMs?: number;
      }[];
    } = {},
  ): SimReferral {
    const ubrn = input.ubrn ?? String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const now = new Date();
    const referral: SimReferral = {
      ubrn,
      version: input.version ?? 1,
      nhsNumber: input.nhsNumber ?? '9434765919',
      service: input.service ?? { id: '900001', name: 'Simulated Cardiology Clinic' },
      list: input.list === undefined ? 'REFERRALS_FOR_REVIEW' : input.list,
      state: input.state ?? 'BOOKED',
      priority: input.priority ?? 'ROUTINE',
      specialty: input.specialty ?? 'CARDIOLOGY',
      clinicType: input.clinicType ?? 'HEART_FAILURE',
      pathwayStart: input.pathwayStart ?? now.toISOString(),
      ...(input.appointment
        ? { appointment: input.appointment }
        : input.state === undefined || input.state === 'BOOKED'
          ? {
              appointment: {
                start: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
                end: new Date(now.getTime() + 14 * 86_400_000 + 900_000).toISOString(),
              },
            }
          : {}),
      attachments: (input.attachments ?? []).map((a, index) => ({
        id: String(80_000 + this.referrals.size * 10 + index),
        binaryId: randomUUID(),
        title: a.title ?? `letter-${index + 1}.pdf`,
        contentType: a.contentType ?? 'application/pdf',
        content: Buffer.from(a.content ?? `%PDF-1.4 simulated referral letter ${ubrn} ${index}\n`),
        availability: a.availability ?? 'AVAILABLE',
        ...(a.pendingForMs !== undefined ? { availableAt: Date.now() + a.pendingForMs } : {}),
      })),
      locked: input.locked ?? false,
      created: now.toISOString(),
    };
    this.referrals.set(ubrn, referral);
    return referral;
  }

  private allAttachments(): SimAttachment[] {
    return [...[...this.referrals.values()].flatMap((r) => r.attachments), ...this.advice.allAttachments()];
  }

  private count(key: string): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  private takeFault(endpoint: string): ErsFault | undefined {
    const fault = this.faults.find((f) => f.times > 0 && (f.endpoint === endpoint || f.endpoint === '*'));
    if (fault) fault.times -= 1;
    this.faults = this.faults.filter((f) => f.times > 0);
    return fault;
  }

  private registeredKey(): KeyObject {
    this.publicKey ??= createPublicKey(
      createPrivateKey(
        this.settings.keyPassword
          ? { key: readFileSync(this.settings.privateKeyFile), passphrase: this.settings.keyPassword }
          : readFileSync(this.settings.privateKeyFile),
      ),
    );
    return this.publicKey;
  }

  /** The API platform's token endpoint: a client-credentials grant with a signed JWT assertion. */
  private token(form: string, response: http.ServerResponse) {
    this.count('token');
    const fields = new URLSearchParams(form);
    const refuse = (error: string, description: string) =>
      json(response, error === 'invalid_client' ? 401 : 400, { error, error_description: description });
    if (fields.get('grant_type') !== 'client_credentials')
      return refuse('unsupported_grant_type', 'grant_type must be client_credentials');
    if (fields.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return refuse('invalid_request', 'client_assertion_type is missing or wrong');
    const parts = (fields.get('client_assertion') ?? '').split('.');
    if (parts.length !== 3) return refuse('invalid_request', 'client_assertion is not a JWT');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return refuse('invalid_request', 'client_assertion is malformed');
    }
    if (header.alg !== 'RS512') return refuse('invalid_request', 'alg must be RS512');
    if (header.kid !== this.settings.keyId) return refuse('invalid_request', 'Invalid kid');
    const valid = createVerify('RSA-SHA512')
      .update(`${parts[0]}.${parts[1]}`)
      .verify(this.registeredKey(), Buffer.from(parts[2]!, 'base64url'));
    if (!valid) return refuse('invalid_request', 'signature is invalid');
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== this.settings.apiKey || claims.sub !== this.settings.apiKey)
      return refuse('invalid_request', 'iss and sub must be the API key');
    if (claims.aud !== this.settings.tokenUrl) return refuse('invalid_request', 'aud must be the token URL');
    if (typeof claims.exp !== 'number' || claims.exp <= now)
      return refuse('invalid_request', 'exp is in the past');
    if (claims.exp > now + 300) return refuse('invalid_request', 'exp is more than 5 minutes in the future');
    if (typeof claims.jti !== 'string' || this.usedJti.has(claims.jti))
      return refuse('invalid_request', 'jti is missing or reused');
    this.usedJti.add(claims.jti);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    this.tokensIssued.push({ at: new Date().toISOString() });
    json(response, 200, {
      access_token: token,
      expires_in: String(this.tokenLifetimeSeconds),
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    });
  }

  private objectStore(request: http.IncomingMessage, response: http.ServerResponse, key: string): void {
    this.count('object-store');
    // A pre-signed URL needs nothing else; a client forwarding e-RS's bearer token is leaking it.
    if (request.headers.authorization !== undefined) {
      this.objectStoreAuthRefusals += 1;
      response
        .writeHead(400, { 'Content-Type': 'text/plain' })
        .end('Authorization header not allowed on a pre-signed URL\n');
      return;
    }
    const entry = this.objectKeys.get(key);
    if (!entry || entry.expiresAt < Date.now()) {
      response
        .writeHead(403, { 'Content-Type': 'text/plain' })
        .end('Request has expired or the signature is invalid\n');
      return;
    }
    response
      .writeHead(200, {
        'Content-Type': entry.attachment.contentType,
        'Content-Length': String(entry.attachment.content.byteLength),
      })
      .end(entry.attachment.content);
  }

  private async fhir(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    body: () => Promise<Buffer>,
  ) {
    const path = url.pathname.slice(BASE.length);
    const route = this.route(request.method ?? 'GET', path);
    this.count(route.endpoint);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    this.lastRequest = {
      endpoint: route.endpoint,
      ...(header('nhsd-end-user-organisation-ods')
        ? { odsCode: header('nhsd-end-user-organisation-ods') }
        : {}),
      ...(header('nhsd-ers-business-function')
        ? { businessFunction: header('nhsd-ers-business-function') }
        : {}),
      ...(header('nhsd-ers-on-behalf-of-user-id')
        ? { onBehalfOf: header('nhsd-ers-on-behalf-of-user-id') }
        : {}),
      ...(header('if-match') ? { ifMatch: header('if-match') } : {}),
    };
    const auth = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    const issued = auth ? this.tokens.get(auth) : undefined;
    if (!issued || issued.expiresAt < Date.now())
      return fhirJson(
        response,
        401,
        operationOutcome('ACCESS_DENIED', 'Access token missing, invalid or expired', 'forbidden'),
      );
    if (!request.headers['nhsd-end-user-organisation-ods'])
      return fhirJson(
        response,
        400,
        operationOutcome('MISSING_VALUE', 'NHSD-End-User-Organisation-ODS header is required'),
      );
    const fault = this.takeFault(route.endpoint);
    if (fault && !(fault.act && (fault.status === 502 || fault.status === 504)))
      return this.answerFault(response, fault);
    const baseUrl = `http://${request.headers.host}${BASE}`;
    switch (route.endpoint) {
      case 'A008': {
        const params = parseJson(await body()) as
          | {
              parameter?: {
                name?: string;
                valueCodeableConcept?: { coding?: { code?: string }[] };
                valueIdentifier?: { value?: string };
              }[];
            }
          | undefined;
        const list = params?.parameter?.find((p) => p.name === 'listType')?.valueCodeableConcept?.coding?.[0]
          ?.code as WorklistName | undefined;
        const service = params?.parameter?.find((p) => p.name === 'service')?.valueIdentifier?.value;
        if (list !== 'REFERRALS_FOR_REVIEW' && list !== 'APPOINTMENT_SLOT_ISSUES')
          return fhirJson(
            response,
            422,
            operationOutcome('INVALID_VALUE', 'listType must be a provider worklist'),
          );
        this.count(`A008:${service ?? '*'}`);
        const entries = [...this.referrals.values()].filter(
          (r) => r.list === list && (!service || r.service.id === service),
        );
        return fhirJson(response, 200, worklistResource(entries, list, baseUrl));
      }
      case 'A005': {
        const referral = this.referrals.get(route.ubrn!);
        if (!referral)
          return fhirJson(
            response,
            404,
            operationOutcome('REFERENCE_NOT_FOUND', `no referral ${route.ubrn}`, 'not-found'),
          );
        return fhirJson(response, 200, referralResource(referral, baseUrl, Date.now()), referral.version);
      }
      case 'A029': {
        const focus = url.searchParams.get('focus') ?? '';
        const match = /^ReferralRequest\/([0-9]{12})\/_history\/([0-9]+)$/.exec(focus);
        const referral = match ? this.referrals.get(match[1]!) : undefined;
        if (!referral)
          return fhirJson(
            response,
            400,
            operationOutcome('INVALID_PARAMETER', 'focus must be ReferralRequest/{ubrn}/_history/{version}'),
          );
        const actions =
          referral.list === 'REFERRALS_FOR_REVIEW'
            ? ['RECORD_REVIEW_OUTCOME', 'CANCEL_REFERRAL']
            : ['CANCEL_REFERRAL'];
        return fhirJson(
          response,
          200,
          taskBundle(referral, Number(match![2]) === referral.version ? actions : []),
        );
      }
      case 'A013':
      case 'A014':
      case 'A028':
      case 'A022':
        return this.decision(request, response, route.endpoint, route.ubrn!, await body(), baseUrl, fault);
      case 'A042':
      case 'A006': {
        const attachment = this.allAttachments().find((a) => a.binaryId === route.binaryId);
        if (!attachment)
          return fhirJson(response, 404, r4OperationOutcome('REFERENCE_NOT_FOUND', 'no such file'));
        const availability = availabilityOf(attachment, Date.now());
        if (availability !== 'AVAILABLE')
          return fhirJson(response, 422, r4OperationOutcome(availability, `file is ${availability}`));
        if (route.endpoint === 'A006') {
          response
            .writeHead(200, {
              'Content-Type': attachment.contentType,
              'Content-Length': String(attachment.content.byteLength),
            })
            .end(attachment.content);
          return;
        }
        const key = randomBytes(18).toString('base64url');
        this.objectKeys.set(key, { attachment, expiresAt: Date.now() + 60_000 });
        response.writeHead(307, { Location: `http://${request.headers.host}${OBJECT_STORE}${key}` }).end();
        return;
      }
      case 'A007': {
        const referral = this.referrals.get(route.ubrn!);
        if (!referral)
          return fhirJson(
            response,
            404,
            operationOutcome('REFERENCE_NOT_FOUND', `no referral ${route.ubrn}`, 'not-found'),
          );
        const pdf = clinicalInformationPdf(referral);
        response
          .writeHead(200, {
            'Content-Type': 'application/pdf',
            'Content-Length': String(pdf.byteLength),
            'Content-Disposition': `attachment; filename="${referral.ubrn}_clinical_information.pdf"`,
          })
          .end(pdf);
        return;
      }
      case 'A023':
      case 'A024':
      case 'A025':
      case 'A026':
      case 'A027':
      case 'A043': {
        const answer = await this.advice.answer(route.endpoint, {
          ...(route.ubrn ? { ubrn: route.ubrn } : {}),
          basedOn: url.searchParams.get('based-on'),
          body: async () => parseJson(await body()),
          header,
          baseUrl,
        });
        // A 502/504 fault with act: e-RS acted, then its answer was lost.
        if (fault && answer.status < 300) return this.answerFault(response, fault);
        if ('pdf' in answer) {
          response
            .writeHead(200, {
              'Content-Type': 'application/pdf',
              'Content-Length': String(answer.pdf.byteLength),
              'Content-Disposition': `attachment; filename="${answer.filename}"`,
            })
            .end(answer.pdf);
          return;
        }
        return fhirJson(response, answer.status, answer.json, answer.version);
      }
      case 'A004': {
        const codeSystem = codeSystemResource(route.codeSystem!, baseUrl);
        if (!codeSystem)
          return fhirJson(
            response,
            404,
            operationOutcome('REFERENCE_NOT_FOUND', `no code system ${route.codeSystem}`, 'not-found'),
          );
        return fhirJson(response, 200, codeSystem);
      }
      default:
        return fhirJson(
          response,
          404,
          operationOutcome('REFERENCE_NOT_FOUND', `${request.method} ${path} is not simulated`, 'not-found'),
        );
    }
  }

  private route(
    method: string,
    path: string,
  ): { endpoint: string; ubrn?: string; binaryId?: string; codeSystem?: string } {
    const match = (pattern: RegExp) => pattern.exec(path);
    if (method === 'POST' && path === '/STU3/ReferralRequest/$ers.fetchworklist') return { endpoint: 'A008' };
    if (method === 'POST' && path === '/STU3/CommunicationRequest/$ers.fetchworklist')
      return { endpoint: 'A023' };
    if (method === 'GET' && path === '/STU3/Communication') return { endpoint: 'A025' };
    if (method === 'POST' && path === '/STU3/ReferralRequest/$ers.createFromCommunicationRequestActionLater')
      return { endpoint: 'A027' };
    const advice = match(
      /^\/STU3\/CommunicationRequest\/([0-9]{12})(?:\/\$ers\.(sendCommunicationToRequester|generateCRI))?$/,
    );
    if (advice && method === (advice[2] ? 'POST' : 'GET'))
      return {
        endpoint: advice[2] === 'sendCommunicationToRequester' ? 'A026' : advice[2] ? 'A043' : 'A024',
        ubrn: advice[1]!,
      };
    if (method === 'GET' && path === '/STU3/Task') return { endpoint: 'A029' };
    if (method === 'GET') {
      const referral = match(/^\/STU3\/ReferralRequest\/([0-9]{12})$/);
      if (referral) return { endpoint: 'A005', ubrn: referral[1]! };
      const r4Binary = match(/^\/R4\/Binary\/([0-9a-f-]{36})$/);
      if (r4Binary) return { endpoint: 'A042', binaryId: r4Binary[1]! };
      const stu3Binary = match(/^\/STU3\/Binary\/([0-9a-f-]{36})$/);
      if (stu3Binary) return { endpoint: 'A006', binaryId: stu3Binary[1]! };
      const codeSystem = match(/^\/STU3\/CodeSystem\/([A-Z-]{1,60})$/);
      if (codeSystem) return { endpoint: 'A004', codeSystem: codeSystem[1]! };
    }
    const summary =
      method === 'POST' ? match(/^\/STU3\/ReferralRequest\/([0-9]{12})\/\$ers\.generateCRI$/) : null;
    if (summary) return { endpoint: 'A007', ubrn: summary[1]! };
    const decision =
      method === 'POST'
        ? match(
            /^\/STU3\/ReferralRequest\/([0-9]{12})\/\$ers\.(acceptReferral|rejectReferral|recordReviewOutcome|cancelAppointmentActionLater)$/,
          )
        : null;
    if (decision) {
      const endpoint = {
        acceptReferral: 'A013',
        rejectReferral: 'A014',
        recordReviewOutcome: 'A028',
        cancelAppointmentActionLater: 'A022',
      }[decision[2]!]!;
      return { endpoint, ubrn: decision[1]! };
    }
    return { endpoint: 'unknown' };
  }

  private answerFault(response: http.ServerResponse, fault: ErsFault): void {
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
    // The API platform's own 429 has no body.
    if (fault.status === 429) {
      response.writeHead(429, headers).end();
      return;
    }
    const code = fault.code ?? DEFAULT_FAULT_CODES[fault.status] ?? 'SERVICE_ERROR';
    fhirJson(
      response,
      fault.status,
      operationOutcome(
        code,
        fault.diagnostics ?? `simulated ${fault.status} ${code}`,
        fault.status === 504 ? 'timeout' : 'exception',
      ),
      undefined,
      headers,
    );
  }

  private decision(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    endpoint: string,
    ubrn: string,
    raw: Buffer,
    baseUrl: string,
    fault: ErsFault | undefined,
  ) {
    const referral = this.referrals.get(ubrn);
    if (!referral)
      return fhirJson(
        response,
        404,
        operationOutcome('REFERENCE_NOT_FOUND', `no referral ${ubrn}`, 'not-found'),
      );
    const ifMatch = /^W\/"([0-9]+)"$/.exec(String(request.headers['if-match'] ?? ''));
    if (!ifMatch)
      return fhirJson(response, 412, operationOutcome('MISSING_VALUE', 'If-Match W/"<version>" is required'));
    if (referral.locked)
      return fhirJson(
        response,
        423,
        operationOutcome('LOCKED', `referral ${ubrn} is being updated by another user`, 'lock-error'),
      );
    if (Number(ifMatch[1]) !== referral.version)
      return fhirJson(
        response,
        409,
        operationOutcome(
          'CONFLICT',
          `version ${ifMatch[1]} does not match current version ${referral.version}`,
          'conflict',
        ),
      );
    const params =
      (
        parseJson(raw) as
          | { parameter?: { name?: string; valueCoding?: { code?: string }; valueString?: string }[] }
          | undefined
      )?.parameter ?? [];
    const param = (name: string) => params.find((p) => p.name === name);
    if (referral.list !== 'REFERRALS_FOR_REVIEW' && endpoint !== 'A022')
      return fhirJson(
        response,
        422,
        operationOutcome(
          'INVALID_REQUEST_STATE',
          `referral ${ubrn} is not awaiting review (state ${referral.state})`,
        ),
      );
    switch (endpoint) {
      case 'A013':
        referral.list = null;
        break;
      case 'A014': {
        const reason = param('rejectionReason')?.valueCoding?.code;
        const reasons = (
          (codeSystemResource('APPOINTMENT-CANCELLATION-REASON', baseUrl)!.concept as { code: string }[]) ??
          []
        ).map((c) => c.code);
        if (!reason)
          return fhirJson(response, 422, operationOutcome('MISSING_VALUE', 'rejectionReason is required'));
        if (!reasons.includes(reason))
          return fhirJson(
            response,
            422,
            operationOutcome('INVALID_CODE', `rejectionReason ${reason} is not a valid code`),
          );
        if (!param('rejectionComments')?.valueString)
          return fhirJson(
            response,
            422,
            operationOutcome('VALUE_IS_REQUIRED', 'rejectionComments are required'),
          );
        referral.list = null;
        referral.state = 'REJECTED';
        referral.reason = reason;
        referral.comment = param('rejectionComments')!.valueString!;
        delete referral.appointment;
        break;
      }
      case 'A028': {
        const outcome = param('reviewOutcome')?.valueCoding?.code;
        if (!outcome)
          return fhirJson(response, 422, operationOutcome('MISSING_VALUE', 'reviewOutcome is required'));
        referral.list = null;
        referral.state =
          outcome === 'RETURN_TO_REFERRER_WITH_ADVICE' ? 'TRIAGE_RESPONSE' : 'TRIAGED_PROVIDER_TO_ACTION';
        referral.comment = param('reviewComments')?.valueString ?? '';
        break;
      }
      case 'A022':
        if (!referral.appointment)
          return fhirJson(
            response,
            422,
            operationOutcome('INVALID_REQUEST_STATE', `referral ${ubrn} has no appointment to cancel`),
          );
        referral.list = 'APPOINTMENT_SLOT_ISSUES';
        referral.state = 'APPT_CANCELLED_BY_PROVIDER';
        referral.comment = param('comments')?.valueString ?? '';
        delete referral.appointment;
        break;
    }
    referral.version += 1;
    // A 502/504 fault with act: e-RS recorded the decision but its hop to the PAS failed.
    if (fault) return this.answerFault(response, fault);
    fhirJson(response, 200, referralResource(referral, baseUrl, Date.now()), referral.version);
  }

  private async control(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    path: string,
    body: () => Promise<Buffer>,
  ) {
    const referralAction = /^\/control\/ers\/referrals\/([0-9]{12})\/(change|leave|lock|unlock)$/.exec(path);
    const attachmentAction = /^\/control\/ers\/attachments\/([0-9a-f-]{36})$/.exec(path);
    if (request.method === 'GET' && path === '/control/ers') {
      return json(response, 200, {
        referrals: [...this.referrals.values()].map((r) => ({
          ubrn: r.ubrn,
          version: r.version,
          list: r.list,
          state: r.state,
          locked: r.locked,
          service: r.service.id,
          attachments: r.attachments.map((a) => ({
            id: a.id,
            binaryId: a.binaryId,
            availability: availabilityOf(a, Date.now()),
            size: a.content.byteLength,
          })),
        })),
        advice: [...this.advice.requests.values()].map((a) => ({
          ubrn: a.ubrn,
          version: a.version,
          category: a.category,
          status: a.status,
          locked: a.locked,
          messages: a.messages.length,
          attachments: a.attachments.map((f) => ({ id: f.id, binaryId: f.binaryId })),
        })),
        calls: Object.fromEntries(this.calls),
        tokensIssued: this.tokensIssued.length,
        objectStoreAuthRefusals: this.objectStoreAuthRefusals,
        lastRequest: this.lastRequest,
        faults: this.faults,
      });
    }
    if (request.method === 'POST' && path === '/control/ers/referrals') {
      const referral = this.addReferral(
        (parseJson(await body()) ?? {}) as Parameters<ErsFhirSimulator['addReferral']>[0],
      );
      return json(response, 201, {
        ubrn: referral.ubrn,
        version: referral.version,
        attachments: referral.attachments.map((a) => ({
          id: a.id,
          binaryId: a.binaryId,
          size: a.content.byteLength,
        })),
      });
    }
    if (request.method === 'POST' && path === '/control/ers/advice') {
      const advice = this.advice.add((parseJson(await body()) ?? {}) as AdviceInput);
      return json(response, 201, {
        ubrn: advice.ubrn,
        version: advice.version,
        attachments: advice.attachments.map((f) => ({
          id: f.id,
          binaryId: f.binaryId,
          size: f.content.byteLength,
        })),
      });
    }
    const adviceAction = /^\/control\/ers\/advice\/([0-9]{12})\/(lock|unlock)$/.exec(path);
    if (request.method === 'POST' && adviceAction) {
      const advice = this.advice.requests.get(adviceAction[1]!);
      if (!advice)
        return json(response, 404, { title: 'Not found', detail: `no request ${adviceAction[1]}` });
      advice.locked = adviceAction[2] === 'lock';
      return json(response, 200, { ubrn: advice.ubrn, version: advice.version, locked: advice.locked });
    }
    if (request.method === 'POST' && referralAction) {
      const m = referralAction;
      const referral = this.referrals.get(m[1]!);
      if (!referral) return json(response, 404, { title: 'Not found', detail: `no referral ${m[1]}` });
      const input = (parseJson(await body()) ?? {}) as { priority?: string };
      if (m[2] === 'change') {
        referral.priority = input.priority ?? (referral.priority === 'URGENT' ? 'ROUTINE' : 'URGENT');
        referral.version += 1;
      } else if (m[2] === 'leave') {
        referral.list = null;
        referral.version += 1;
      } else referral.locked = m[2] === 'lock';
      return json(response, 200, {
        ubrn: referral.ubrn,
        version: referral.version,
        list: referral.list,
        locked: referral.locked,
      });
    }
    if (request.method === 'POST' && attachmentAction) {
      const m = attachmentAction;
      const attachment = this.allAttachments().find((a) => a.binaryId === m[1]);
      if (!attachment) return json(response, 404, { title: 'Not found', detail: `no attachment ${m[1]}` });
      const input = (parseJson(await body()) ?? {}) as { availability?: Availability };
      attachment.availability = input.availability ?? 'AVAILABLE';
      delete attachment.availableAt;
      return json(response, 200, { binaryId: attachment.binaryId, availability: attachment.availability });
    }
    if (request.method === 'PUT' && path === '/control/ers/faults') {
      const input = parseJson(await body());
      this.faults = (Array.isArray(input) ? input : [input]).filter(Boolean) as ErsFault[];
      return json(response, 200, { faults: this.faults });
    }
    if (request.method === 'POST' && path === '/control/ers/tokens/expire') {
      // Every token issued so far stops working now, as if it had expired early.
      const expired = this.tokens.size;
      this.tokens.clear();
      return json(response, 200, { expired });
    }
    if (request.method === 'PUT' && path === '/control/ers/token-lifetime') {
      const input = (parseJson(await body()) ?? {}) as { seconds?: number };
      if (typeof input.seconds === 'number' && input.seconds > 0) this.tokenLifetimeSeconds = input.seconds;
      return json(response, 200, { seconds: this.tokenLifetimeSeconds });
    }
    json(response, 404, { title: 'Not found', detail: `${request.method} ${path}` });
  }
}

/** A stand-in for e-RS's generated summary: a small PDF-looking file naming the referral and its version. */
export function clinicalInformationPdf(referral: SimReferral): Buffer {
  return Buffer.from(
    `%PDF-1.4\n% simulated clinical information summary\n% UBRN ${referral.ubrn} version ${referral.version} priority ${referral.priority}\n%%EOF\n`,
  );
}

const DEFAULT_FAULT_CODES: Record<number, string> = {
  401: 'ACCESS_DENIED',
  409: 'CONFLICT',
  422: 'INVALID_REQUEST_STATE',
  423: 'LOCKED',
  502: 'PAS_RESPONDED_WITH_ERROR',
  503: 'SERVICE_UNAVAILABLE',
  504: 'PAS_NOT_RESPONDING',
};

function parseJson(raw: Buffer): unknown {
  try {
    return raw.byteLength ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function fhirJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  version?: number,
  headers: Record<string, string> = {},
): void {
  response
    .writeHead(status, {
      'Content-Type': 'application/fhir+json',
      ...(version !== undefined ? { ETag: `W/"${version}"` } : {}),
      ...headers,
    })
    .end(JSON.stringify(body));
}
