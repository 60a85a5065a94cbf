// The control API's routes (docs/simulator.md). GET /control/ lists this table, and the router is
// built from it, so the list is always what is served.
import type http from 'node:http';
import type { z } from 'zod';
import type { FaultInjector } from './faults.js';
import { collect, json } from './http.js';
import { answerSds, type SdsRecord } from './sds.js';
import { type Faults, faultsSchema, type ReceivedLog } from './state.js';

export interface ControlDeps {
  faults: FaultInjector;
  received: ReceivedLog;
  requests: ErsRequestStarter;
  /** The SDS directory served on /sds/*, and the apikey it asks for (when set). */
  sds: { directory: SdsRecord[]; apiKey: string };
}

/** The requests e-RS starts (ErsRequests); each answers with what the control API returns. */
export interface ErsRequestStarter {
  slotPoll(body: { clinicId?: string; start?: string; end?: string; toPartyKey?: string }): Promise<object>;
  booking(body: Record<string, unknown>): Promise<object>;
  cancellation(body: Record<string, unknown>): Promise<object>;
}

export interface ControlRoute {
  method: 'GET' | 'PUT' | 'POST';
  /** Exact path, or a prefix ending in `/*`. */
  path: string;
  summary: string;
  /** JSON body fields, each optional unless said. */
  body?: Record<string, string>;
  handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> | void;
}

/** A bad control request: its body is not JSON, or names a fault or value the simulator does not know. */
export class ControlRequestError extends Error {}

export function controlRoutes(deps: ControlDeps): ControlRoute[] {
  const { faults, requests } = deps;
  const routes: ControlRoute[] = [
    {
      method: 'GET',
      path: '/control/',
      summary: 'This list: every control route, and every fault PUT /control/faults takes',
      handle: (_request, response) => json(response, 200, describeControl(routes)),
    },
    {
      method: 'GET',
      path: '/control/messages',
      summary: `The last ${deps.received.capacity} messages the simulated Spine received from the gateway, oldest first: ebXML header, signature check, how it was answered (answeredWith), e-RS's check of an answer (check) and the signals sent back (signalsSent); dropped counts older ones no longer kept`,
      handle: (_request, response) =>
        json(response, 200, { messages: deps.received.messages(), dropped: deps.received.dropped }),
    },
    {
      method: 'GET',
      path: '/control/faults',
      summary: 'The faults in force now',
      handle: (_request, response) => json(response, 200, faults.current),
    },
    {
      method: 'PUT',
      path: '/control/faults',
      summary:
        'Changes the faults named in the body (the others are kept) and answers with all of them; an unknown name or a bad value is 400',
      body: faultDescriptions(),
      handle: async (request, response) => {
        const parsed = faultsSchema.partial().safeParse(await jsonBody(request));
        if (!parsed.success) return badRequest(response, parsed.error);
        return json(response, 200, faults.update(parsed.data as Partial<Faults>));
      },
    },
    startedByErs(
      '/control/slot-polls',
      "e-RS sends a Request Available Slots (PRSC_IN080000UK07) to the gateway; answers with its messageId (the PAS's inResponseTo), the poll and the gateway's answer",
      {
        clinicId: 'the clinic polled (default CLINIC-001)',
        start: 'start of the period, ISO 8601 (default tomorrow 00:00 UTC)',
        end: 'end of the period (default start + 14 days)',
      },
      (body) => requests.slotPoll(body),
    ),
    startedByErs(
      '/control/booking-requests',
      'e-RS sends a Request Appointment Confirmation (PRSC_IN040000UK08); the PAS answers with /cab/appointment-confirmations or /cab/appointment-rejections',
      {
        ubrn: RANDOM_UBRN,
        usrn: 'USRN of the slot booked (default random)',
        nhsNumber: DEFAULT_NHS_NUMBER,
        priority: 'routine, urgent or two-week-wait',
      },
      (body) => requests.booking(body),
    ),
    startedByErs(
      '/control/cancellation-requests',
      'e-RS sends a Request Appointment Cancellation (PRSC_IN070000UK08); the PAS answers with /cab/cancellation-confirmations or /cab/cancellation-rejections',
      {
        ubrn: RANDOM_UBRN,
        reason: 'patient cancellation reason code (default 21)',
        nhsNumber: DEFAULT_NHS_NUMBER,
        usrn: 'USRN of the booked slot',
      },
      (body) => requests.cancellation(body),
    ),
    {
      method: 'GET',
      path: '/sds/*',
      summary:
        "The SDS FHIR API (Device, Endpoint) built from the simulator's routes, for sds.url; needs the apikey header when sds.apiKey is set",
      handle: (request, response) => {
        const url = new URL(request.url ?? '/', 'http://control');
        const answer = answerSds(
          url.pathname,
          url.searchParams,
          request.headers,
          deps.sds.directory,
          deps.sds.apiKey,
        );
        response.writeHead(answer.status, { 'Content-Type': 'application/fhir+json' });
        response.end(JSON.stringify(answer.body));
      },
    },
  ];
  return routes;
}

const RANDOM_UBRN = 'UBRN, 12 digits (default random)';
const DEFAULT_NHS_NUMBER = 'default 9434765919';

/**
 * A request e-RS starts towards the gateway: the body's fields (each optional, plus the party key
 * to send to) go to the starter, and its account of what happened is the answer.
 */
function startedByErs(
  path: string,
  summary: string,
  fields: Record<string, string>,
  start: (body: Record<string, unknown>) => Promise<object>,
): ControlRoute {
  return {
    method: 'POST',
    path,
    summary,
    body: { ...fields, toPartyKey: 'the party key to send to (default the gateway)' },
    handle: async (request, response) => json(response, 200, await start(await jsonBody(request))),
  };
}

function describeControl(routes: ControlRoute[]) {
  return {
    routes: routes.map(({ method, path, summary, body }) => ({
      method,
      path,
      summary,
      ...(body ? { body } : {}),
    })),
    faults: faultDescriptions(),
    docs: 'docs/simulator.md',
  };
}

/** Each fault PUT /control/faults takes, with what it does to a message. */
function faultDescriptions(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(faultsSchema.shape).map(([name, schema]) => [name, schema.description ?? '']),
  );
}

async function jsonBody(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await collect(request, 100_000)).toString('utf8');
  if (!raw) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ControlRequestError('the body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ControlRequestError('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function badRequest(response: http.ServerResponse, error: z.ZodError): void {
  const errors = error.issues.map((issue) => ({
    field: issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : ''),
    message: issue.message,
  }));
  json(response, 400, {
    title: 'Bad request',
    detail: errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; '),
    errors,
  });
}
