// Which e-RS endpoint (A004…A043) a FHIR request is for, from its method and path below the base.
import type http from 'node:http';
import type { ErsFault } from './faults.js';

export interface FhirRoute {
  endpoint: string;
  ubrn?: string;
  binaryId?: string;
  codeSystem?: string;
}

const DECISIONS: Record<string, string> = {
  acceptReferral: 'A013',
  rejectReferral: 'A014',
  recordReviewOutcome: 'A028',
  cancelAppointmentActionLater: 'A022',
};

export function routeOf(method: string, path: string): FhirRoute {
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
  if (decision) return { endpoint: DECISIONS[decision[2]!]!, ubrn: decision[1]! };
  return { endpoint: 'unknown' };
}

/** One FHIR request, routed and past the token and header checks. */
export interface FhirCall {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  url: URL;
  route: FhirRoute;
  /** The FHIR base URL as the caller reached it: code systems and references are named from it. */
  baseUrl: string;
  body(): Promise<Buffer>;
  header(name: string): string | undefined;
  /** A 502/504 fault with act: e-RS acts, then its answer is lost (answered with this fault). */
  fault?: ErsFault;
}
