// Faults injected into the simulated e-RS (PUT /control/ers/faults): the next calls to an endpoint
// get a chosen error instead of their answer.
import type http from 'node:http';
import { fhirJson } from './http.js';
import { operationOutcome } from './outcomes.js';

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

const DEFAULT_FAULT_CODES: Record<number, string> = {
  401: 'ACCESS_DENIED',
  409: 'CONFLICT',
  422: 'INVALID_REQUEST_STATE',
  423: 'LOCKED',
  502: 'PAS_RESPONDED_WITH_ERROR',
  503: 'SERVICE_UNAVAILABLE',
  504: 'PAS_NOT_RESPONDING',
};

export class ErsFaults {
  private faults: ErsFault[] = [];

  get current(): readonly ErsFault[] {
    return this.faults;
  }

  replace(faults: ErsFault[]): void {
    this.faults = faults;
  }

  /** The fault for this call, if any, counting it used. */
  take(endpoint: string): ErsFault | undefined {
    const fault = this.faults.find((f) => f.times > 0 && (f.endpoint === endpoint || f.endpoint === '*'));
    if (fault) fault.times -= 1;
    this.faults = this.faults.filter((f) => f.times > 0);
    return fault;
  }
}

/** A 502/504 fault with act lets e-RS act first, then loses its answer. */
export function actsFirst(fault: ErsFault): boolean {
  return fault.act === true && (fault.status === 502 || fault.status === 504);
}

export function answerFault(response: http.ServerResponse, fault: ErsFault): void {
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
