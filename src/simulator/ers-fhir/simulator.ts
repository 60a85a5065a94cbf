// e-RS's FHIR API as the provider side uses it, served on the simulator's control port: the FHIR
// endpoints (below /referrals/FHIR), the token endpoint, the object store and /control/ers….
import type http from 'node:http';
import { controlErs } from './control.js';
import { decide } from './decisions.js';
import { actsFirst, answerFault, ErsFaults } from './faults.js';
import { fhirJson, notFound } from './http.js';
import { OBJECT_STORE, ObjectStore } from './object-store.js';
import { operationOutcome } from './outcomes.js';
import {
  adviceEndpoint,
  availableActions,
  clinicalSummary,
  fetchWorklist,
  readCodeSystem,
  readFile,
  readReferral,
} from './referral-endpoints.js';
import { type FhirCall, routeOf } from './routes.js';
import { ErsState } from './state.js';
import { TokenEndpoint, type TokenSettings } from './token-endpoint.js';

export type ErsFhirSimulatorSettings = TokenSettings;

const BASE = '/referrals/FHIR';
const TOKEN_PATH = '/oauth2/token';

/** The e-RS headers of a FHIR request the simulator keeps (never the token), to check what a caller sent. */
const RECORDED_HEADERS = {
  odsCode: 'nhsd-end-user-organisation-ods',
  businessFunction: 'nhsd-ers-business-function',
  onBehalfOf: 'nhsd-ers-on-behalf-of-user-id',
  ifMatch: 'if-match',
} as const;

/**
 * e-RS's FHIR API with state: referrals whose versions increase, worklists, locks, attachments that go
 * PENDING → AVAILABLE, A042's 307 to an object store of its own (which refuses any request carrying
 * Authorization), the API platform's signed-JWT token endpoint, and injectable faults.
 */
export class ErsFhirSimulator extends ErsState {
  readonly faults = new ErsFaults();
  readonly tokens: TokenEndpoint;
  readonly objectStore = new ObjectStore();
  /** Calls by endpoint (A008 per service as `A008:<service>`), for tests and the control listing. */
  readonly calls = new Map<string, number>();
  lastRequest?: { endpoint: string } & { -readonly [K in keyof typeof RECORDED_HEADERS]?: string };

  constructor(settings: ErsFhirSimulatorSettings) {
    super();
    this.tokens = new TokenEndpoint(settings);
  }

  /** Handles a request if it is ours (e-RS FHIR, token, object store, /control/ers…); false otherwise. */
  async handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    body: () => Promise<Buffer>,
  ): Promise<boolean> {
    const path = url.pathname;
    if (request.method === 'POST' && path === TOKEN_PATH) {
      this.count('token');
      this.tokens.grant((await body()).toString('utf8'), response);
    } else if (request.method === 'GET' && path.startsWith(OBJECT_STORE)) {
      this.count('object-store');
      this.objectStore.serve(request, response, path.slice(OBJECT_STORE.length));
    } else if (path.startsWith(`${BASE}/`)) await this.fhir(request, response, url, body);
    else if (path === '/control/ers' || path.startsWith('/control/ers/'))
      await controlErs(
        {
          state: this,
          faults: this.faults,
          tokens: this.tokens,
          objectStore: this.objectStore,
          calls: this.calls,
          lastRequest: this.lastRequest,
        },
        request,
        response,
        path,
        body,
      );
    else return false;
    return true;
  }

  private count(key: string): void {
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  private async fhir(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    body: () => Promise<Buffer>,
  ): Promise<void> {
    const path = url.pathname.slice(BASE.length);
    const route = routeOf(request.method ?? 'GET', path);
    this.count(route.endpoint);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    this.lastRequest = { endpoint: route.endpoint };
    for (const [field, name] of Object.entries(RECORDED_HEADERS) as [
      keyof typeof RECORDED_HEADERS,
      string,
    ][]) {
      const value = header(name);
      if (value) this.lastRequest[field] = value;
    }
    if (!this.tokens.accepts(request.headers.authorization))
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
    const fault = this.faults.take(route.endpoint);
    if (fault && !actsFirst(fault)) return answerFault(response, fault);
    const call: FhirCall = {
      request,
      response,
      url,
      route,
      baseUrl: `http://${request.headers.host}${BASE}`,
      body,
      header,
      ...(fault ? { fault } : {}),
    };
    switch (route.endpoint) {
      case 'A008':
        return fetchWorklist(this, call, (key) => this.count(key));
      case 'A005':
        return readReferral(this, call);
      case 'A029':
        return availableActions(this, call);
      case 'A013':
      case 'A014':
      case 'A028':
      case 'A022':
        return decide(this, call);
      case 'A042':
      case 'A006':
        return readFile(this, this.objectStore, call);
      case 'A007':
        return clinicalSummary(this, call);
      case 'A023':
      case 'A024':
      case 'A025':
      case 'A026':
      case 'A027':
      case 'A043':
        return adviceEndpoint(this, call);
      case 'A004':
        return readCodeSystem(call);
      default:
        return notFound(response, `${request.method} ${path} is not simulated`);
    }
  }
}
