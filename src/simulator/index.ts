import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import {
  type AppointmentRequest,
  buildAppointmentRequestPayload,
  buildCancellationRequestPayload,
  type CancellationRequest,
  type SlotPriority,
} from '../cab/index.js';
import type { GatewayConfig } from '../config/index.js';
import {
  buildMessageError,
  EbxmlFault,
  formatTimestamp,
  type HttpMessage,
  PARTY_TYPE,
  type ParsedMessage,
  parseMessage,
  parseSyncMessage,
  parseTimestamp,
  type SyncMessage,
} from '../ebxml/index.js';
import { parseWrapper } from '../hl7/index.js';
import { createLogger, type Logger } from '../ops/index.js';
import { loadRouteTable, type RouteTable } from '../routing/index.js';
import { serverOptions, TlsContext } from '../security/tls/index.js';
import { verifyEnvelope } from '../security/xmldsig/index.js';
import { MtlsClient } from '../transport/index.js';
import { checkAnswer, type SentRequest } from './ers.js';
import { ErsFhirSimulator } from './ers-fhir/index.js';
import {
  acknowledgmentFor,
  applicationAckMessage,
  type BuildContext,
  ersRequestMessage,
  slotPollMessage,
  spineSoapFault,
  syncResponse,
} from './messages.js';
import { answerSds, sdsDirectory } from './sds.js';
import { DEFAULT_FAULTS, type Faults, faultsSchema, type ReceivedMessage } from './state.js';

export { acknowledgmentFor, type BuildContext, ersMessage, slotPollMessage } from './messages.js';
export type { Faults, ReceivedMessage } from './state.js';

export interface RunningSimulator {
  spinePort: number;
  controlPort: number;
  close(): Promise<void>;
}

const MSH_SERVICE = 'urn:oasis:names:tc:ebxml-msg:service';
const SIGNAL_ATTEMPTS = 10;

/**
 * Spine and e-RS in one process: an mTLS endpoint that receives the gateway's messages (checking
 * signatures), answers 202 and then sends the signals e-RS would; and a loopback control API that
 * starts e-RS requests and reports what arrived.
 */
export async function startSimulator(
  config: GatewayConfig,
  options: {
    logger?: Logger /** Start with a few referrals on the e-RS FHIR worklists (development mode). */;
    seedReferrals?: boolean;
  } = {},
): Promise<RunningSimulator> {
  const sim = config.simulator;
  const logger = (options.logger ?? createLogger({ ...config.logging, name: 'simulator' })).child({
    component: 'simulator',
  });
  const routes = loadRouteTable(config.interactionsFile, config.routesFile);
  const directory = sdsDirectory(config, routes);
  const tls = new TlsContext(sim.tls);
  const client = new MtlsClient(tls, config.outbound.requestTimeoutMs);
  const received: ReceivedMessage[] = [];
  // e-RS's FHIR API (ers-fhir/), served on the control port.
  const ersFhir = new ErsFhirSimulator(config.ersFhir);
  if (options.seedReferrals) seedReferrals(ersFhir, config.ersFhir.services);
  let faults: Faults = { ...DEFAULT_FAULTS, delayMs: sim.ackDelayMs };
  const context = (): BuildContext => ({
    parties: {
      partyKey: sim.partyKey,
      asid: sim.asid,
      gatewayPartyKey: sim.gatewayPartyKey,
      gatewayAsid: sim.gatewayAsid,
    },
    routes,
    identity: sim.signing
      ? { privateKey: tls.current.privateKey, certificate: tls.current.certificate }
      : undefined,
    now: new Date(),
    newId: () => randomUUID().toUpperCase(),
  });
  /**
   * POSTs to the gateway, retrying a 500 or a transport failure as a real MSH would: 10 attempts
   * over about 11 s, long enough to outlast a gateway's graceful restart.
   */
  const sendToGateway = async (message: HttpMessage) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const answer = await client.post(sim.gatewayInboundUrl, message);
        if (answer.status !== 500 || attempt >= SIGNAL_ATTEMPTS) return answer;
      } catch (error) {
        if (attempt >= SIGNAL_ATTEMPTS) throw error;
      }
      await sleep(250 * attempt);
    }
  };
  /** Sends an e-RS request; the duplicateDeliveries fault sends the same bytes a second time. */
  const sendRequestToGateway = async (message: HttpMessage) => {
    const answer = await sendToGateway(message);
    if (!faults.duplicateDeliveries || faults.duplicateDeliveries <= 0) return { answer };
    faults.duplicateDeliveries -= 1;
    return { answer, duplicate: await sendToGateway(message) };
  };
  const describeSent = (sent: Awaited<ReturnType<typeof sendRequestToGateway>>) => ({
    gatewayResponse: describeAnswer(sent.answer.status, sent.answer.contentType, sent.answer.body),
    ...(sent.duplicate
      ? {
          duplicateResponse: describeAnswer(
            sent.duplicate.status,
            sent.duplicate.contentType,
            sent.duplicate.body,
          ),
        }
      : {}),
  });
  /** The requests e-RS sent, by ebXML MessageId (= their HL7 wrapper id), to check the answers. */
  const sent = new Map<string, SentRequest>();

  async function sendRequest(
    interactionId: 'PRSC_IN040000UK08' | 'PRSC_IN070000UK08',
    request: AppointmentRequest | CancellationRequest,
    payloadXml: string,
    body: Record<string, unknown>,
  ) {
    const ids = {
      messageId: randomUUID().toUpperCase(),
      conversationId: randomUUID().toUpperCase(),
      toPartyKey: text(body.toPartyKey),
    };
    sent.set(ids.messageId, {
      interactionId,
      messageId: ids.messageId,
      hl7MessageId: ids.messageId,
      conversationId: ids.conversationId,
      request,
    });
    const answer = await sendRequestToGateway(ersRequestMessage(context(), interactionId, payloadXml, ids));
    return { messageId: ids.messageId, conversationId: ids.conversationId, request, ...describeSent(answer) };
  }

  const spine = https.createServer(serverOptions(tls.current), (request, response) => {
    collect(request, 6_000_000)
      .then(async (body) => {
        const answer = receive(
          request.headers['content-type'],
          headerValue(request.headers.soapaction),
          body,
        );
        if (faults.responseDelayMs) await sleep(faults.responseDelayMs);
        const headers: Record<string, string> = {};
        if (answer.message) headers['Content-Type'] = answer.message.contentType;
        response.writeHead(answer.status, headers).end(answer.message?.body ?? '');
      })
      .catch((error) => {
        response.writeHead(413, { 'Content-Type': 'text/plain' }).end(`${(error as Error).message}\n`);
      });
  });

  /** Spine's transport answer to one POST; signals owed afterwards are sent in the background. */
  function receive(
    contentType: string | undefined,
    soapAction: string | undefined,
    body: Buffer,
  ): { status: number; message?: HttpMessage } {
    // ebXML from the gateway is MIME multipart; only a single-part body can be sync SOAP.
    const sync = /^\s*multipart\//i.test(contentType ?? '') ? undefined : safeSyncMessage(body);
    if (sync) return receiveSync(sync);
    let parsed: ParsedMessage;
    try {
      parsed = parseMessage(contentType, body, soapAction);
    } catch (error) {
      const reason = error instanceof EbxmlFault ? error.error.description : (error as Error).message;
      logger.warn({ reason }, 'simulator received an unparsable message');
      return {
        status: 400,
        message: { contentType: 'text/plain', soapAction: '', body: Buffer.from(`${reason}\n`) },
      };
    }
    const record = recordMessage(parsed, tls, routes);
    received.push(record);
    const fault = injectedFault(parsed);
    if (fault) {
      record.answeredWith = fault.describe;
      return fault.answer;
    }
    // SyncReply asks for the acknowledgment on this connection (async-express / async-reliable).
    const inlineAck = parsed.reliability.syncReply && parsed.reliability.ackRequested && !faults.dropAcks;
    const answer = inlineAck
      ? {
          status: 200,
          message: acknowledgmentFor(context(), parsed.header, parsed.reliability.ackRequested?.actor),
        }
      : { status: 202 };
    record.answeredWith = inlineAck ? 'HTTP 200 Acknowledgment' : 'HTTP 202';
    void answerLater(parsed, record, !inlineAck).catch((error) =>
      logger.warn({ err: String(error) }, 'simulator could not send signals'),
    );
    return answer;
  }

  function receiveSync(sync: SyncMessage): { status: number; message?: HttpMessage } {
    const record: ReceivedMessage = {
      messageId: sync.messageId ?? '',
      action: sync.action ?? '',
      service: sync.action?.replace(/\/[^/]*$/, '') ?? '',
      conversationId: '',
      from: sync.fromAsid ?? '',
      to: sync.toAsid ?? '',
      cpaId: '',
      receivedAt: new Date().toISOString(),
      signature: { present: false },
      duplicateElimination: false,
      syncReply: false,
      signalsSent: [],
    };
    if (sync.hl7) record.hl7 = sync.hl7;
    received.push(record);
    const fault = takeSoapFault();
    if (fault) {
      record.answeredWith = fault.describe;
      return fault.answer;
    }
    record.answeredWith = 'HTTP 200 sync response';
    return { status: 200, message: syncResponse(context(), sync) };
  }

  function takeSoapFault():
    | { answer: { status: number; message: HttpMessage }; describe: string }
    | undefined {
    if (!faults.soapFault || faults.soapFault.times <= 0) return undefined;
    faults.soapFault = { ...faults.soapFault, times: faults.soapFault.times - 1 };
    return {
      answer: { status: 500, message: spineSoapFault(faults.soapFault.codes) },
      describe: `HTTP 500 SOAP fault ${faults.soapFault.codes.join(',')}`,
    };
  }

  function injectedFault(
    parsed: ParsedMessage,
  ): { answer: { status: number; message: HttpMessage }; describe: string } | undefined {
    if (parsed.header.service === MSH_SERVICE) return undefined;
    const soapFault = takeSoapFault();
    if (soapFault) return soapFault;
    if (!faults.messageError || faults.messageError.times <= 0) return undefined;
    const { errorCode, description } = faults.messageError;
    faults.messageError = { ...faults.messageError, times: faults.messageError.times - 1 };
    const error = buildMessageError(parsed.header, [{ errorCode, severity: 'Error', description }], {
      ourParty: { id: sim.partyKey, type: PARTY_TYPE },
      messageId: randomUUID().toUpperCase(),
      timestamp: formatTimestamp(new Date()),
    });
    return { answer: { status: 200, message: error }, describe: `HTTP 200 MessageError ${errorCode}` };
  }

  /** What e-RS and Spine send back after the transport answer: the hop ack (unless sent inline), then the application ack. */
  async function answerLater(
    parsed: ParsedMessage,
    record: ReceivedMessage,
    sendAck: boolean,
  ): Promise<void> {
    if (parsed.header.service === MSH_SERVICE) return;
    // Signals follow the transport answer, however slow that is.
    const wait = (faults.responseDelayMs ?? 0) + faults.delayMs;
    if (wait > 0) await sleep(wait);
    if (sendAck && parsed.reliability.ackRequested && !faults.dropAcks) {
      const ack = acknowledgmentFor(context(), parsed.header, parsed.reliability.ackRequested.actor);
      const answer = await sendToGateway(ack);
      record.signalsSent.push({ kind: 'acknowledgment', messageId: idOf(ack), status: answer.status });
    }
    if (parsed.header.action === 'MCCI_IN010000UK13' || !record.hl7) return;
    const hl7MessageId = parseWrapper(record.hl7).messageId;
    // e-RS checks the answer against the request it answers; a wrong answer is rejected (AR).
    const check = checkAnswer(record.hl7, parsed.header, sent);
    record.check = check;
    const typeCode = check.ok ? faults.applicationAck : 'AR';
    const appAck = applicationAckMessage(
      context(),
      { messageId: parsed.header.messageId, hl7MessageId, conversationId: parsed.header.conversationId },
      typeCode,
      check.ok ? undefined : check.problems.join('; '),
    );
    const answer = await sendToGateway(appAck);
    record.signalsSent.push({
      kind: `application-ack ${typeCode}`,
      messageId: idOf(appAck),
      status: answer.status,
    });
  }

  const control = http.createServer((request, response) => {
    handleControl(request, response).catch((error) => {
      if (error instanceof ControlRequestError)
        return json(response, 400, { title: 'Bad request', detail: error.message });
      logger.error({ err: String(error) }, 'control API request failed');
      json(response, 500, { title: 'simulator error', detail: (error as Error).message });
    });
  });

  /** A route of the control API; GET /control/ lists these, so the list is what is served. */
  interface ControlRoute {
    method: 'GET' | 'PUT' | 'POST';
    /** Exact path, or a prefix ending in `/*`. */
    path: string;
    summary: string;
    /** JSON body fields, each optional unless said. */
    body?: Record<string, string>;
    handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL): Promise<void> | void;
  }

  const controlRoutes: ControlRoute[] = [
    {
      method: 'GET',
      path: '/control/',
      summary: 'This list: every control route, and every fault PUT /control/faults takes',
      handle: (_request, response) => json(response, 200, describeControl()),
    },
    {
      method: 'GET',
      path: '/control/messages',
      summary:
        "Every message the simulated Spine received from the gateway, oldest first: ebXML header, signature check, how it was answered (answeredWith), e-RS's check of an answer (check) and the signals sent back (signalsSent)",
      handle: (_request, response) => json(response, 200, { messages: received }),
    },
    {
      method: 'GET',
      path: '/control/faults',
      summary: 'The faults in force now',
      handle: (_request, response) => json(response, 200, faults),
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
        faults = { ...faults, ...(parsed.data as Partial<Faults>) };
        return json(response, 200, faults);
      },
    },
    {
      method: 'POST',
      path: '/control/slot-polls',
      summary:
        "e-RS sends a Request Available Slots (PRSC_IN080000UK07) to the gateway; answers with its messageId (the PAS's inResponseTo), the poll and the gateway's answer",
      body: {
        clinicId: 'the clinic polled (default CLINIC-001)',
        start: 'start of the period, ISO 8601 (default tomorrow 00:00 UTC)',
        end: 'end of the period (default start + 14 days)',
        toPartyKey: 'the party key to send to (default the gateway)',
      },
      handle: async (request, response) => {
        const body = (await jsonBody(request)) as {
          clinicId?: string;
          start?: string;
          end?: string;
          toPartyKey?: string;
        };
        const start =
          body.start ?? `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`;
        const end = body.end ?? new Date(Date.parse(start) + 14 * 86_400_000).toISOString();
        const poll = {
          requestId: randomUUID().toUpperCase(),
          clinicId: body.clinicId ?? 'CLINIC-001',
          period: { start, end },
        };
        const ids = {
          messageId: randomUUID().toUpperCase(),
          conversationId: randomUUID().toUpperCase(),
          toPartyKey: body.toPartyKey,
        };
        sent.set(ids.messageId, {
          interactionId: 'PRSC_IN080000UK07',
          messageId: ids.messageId,
          hl7MessageId: ids.messageId,
          conversationId: ids.conversationId,
          request: poll,
        });
        const answer = await sendRequestToGateway(slotPollMessage(context(), poll, ids));
        return json(response, 200, {
          messageId: ids.messageId,
          conversationId: ids.conversationId,
          requestId: poll.requestId,
          poll,
          ...describeSent(answer),
        });
      },
    },
    {
      method: 'POST',
      path: '/control/booking-requests',
      summary:
        'e-RS sends a Request Appointment Confirmation (PRSC_IN040000UK08); the PAS answers with /cab/appointment-confirmations or /cab/appointment-rejections',
      body: {
        ubrn: 'UBRN, 12 digits (default random)',
        usrn: 'USRN of the slot booked (default random)',
        nhsNumber: 'default 9434765919',
        priority: 'routine, urgent or two-week-wait',
        toPartyKey: 'the party key to send to (default the gateway)',
      },
      handle: async (request, response) => {
        const body = await jsonBody(request);
        const booking: AppointmentRequest = {
          ubrn: text(body.ubrn) ?? randomUbrn(),
          usrn: text(body.usrn) ?? randomUUID().toUpperCase(),
          nhsNumber: text(body.nhsNumber) ?? '9434765919',
          ...(body.priority ? { priority: body.priority as SlotPriority } : {}),
        };
        return json(
          response,
          200,
          await sendRequest('PRSC_IN040000UK08', booking, buildAppointmentRequestPayload(booking), body),
        );
      },
    },
    {
      method: 'POST',
      path: '/control/cancellation-requests',
      summary:
        'e-RS sends a Request Appointment Cancellation (PRSC_IN070000UK08); the PAS answers with /cab/cancellation-confirmations or /cab/cancellation-rejections',
      body: {
        ubrn: 'UBRN, 12 digits (default random)',
        reason: 'patient cancellation reason code (default 21)',
        nhsNumber: 'default 9434765919',
        usrn: 'USRN of the booked slot',
        toPartyKey: 'the party key to send to (default the gateway)',
      },
      handle: async (request, response) => {
        const body = await jsonBody(request);
        const cancellation: CancellationRequest = {
          ubrn: text(body.ubrn) ?? randomUbrn(),
          reason: { code: text(body.reason) ?? '21' },
          nhsNumber: text(body.nhsNumber) ?? '9434765919',
          ...(body.usrn ? { usrn: String(body.usrn) } : {}),
        };
        return json(
          response,
          200,
          await sendRequest(
            'PRSC_IN070000UK08',
            cancellation,
            buildCancellationRequestPayload(cancellation),
            body,
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/sds/*',
      summary:
        "The SDS FHIR API (Device, Endpoint) built from the simulator's routes, for sds.url; needs the apikey header when sds.apiKey is set",
      handle: (request, response, url) => {
        const answer = answerSds(
          url.pathname,
          url.searchParams,
          request.headers,
          directory,
          config.sds.apiKey,
        );
        response.writeHead(answer.status, { 'Content-Type': 'application/fhir+json' });
        response.end(JSON.stringify(answer.body));
      },
    },
  ];

  function describeControl() {
    return {
      routes: controlRoutes.map(({ method, path, summary, body }) => ({
        method,
        path,
        summary,
        ...(body ? { body } : {}),
      })),
      faults: faultDescriptions(),
      docs: 'docs/simulator.md',
    };
  }

  function matches(route: ControlRoute, method: string | undefined, path: string): boolean {
    if (route.method !== method) return false;
    if (route.path.endsWith('/*')) return path.startsWith(route.path.slice(0, -1));
    return path === route.path || (route.path === '/control/' && path === '/control');
  }

  async function handleControl(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://control');
    // e-RS's FHIR API, its token endpoint and object store, and /control/ers/… (docs/ers-fhir.md).
    if (await ersFhir.handle(request, response, url, () => collect(request, 6_000_000))) return;
    const route = controlRoutes.find((candidate) => matches(candidate, request.method, url.pathname));
    if (route) return route.handle(request, response, url);
    json(response, 404, {
      title: 'Not found',
      detail: `${request.method} ${url.pathname}: GET /control/ lists the control routes`,
    });
  }

  await listen(spine, sim.port, sim.host);
  await listen(control, sim.controlPort, sim.controlHost);
  const running: RunningSimulator = {
    spinePort: (spine.address() as AddressInfo).port,
    controlPort: (control.address() as AddressInfo).port,
    close: async () => {
      client.close();
      await Promise.all(
        [spine, control].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
  logger.info(
    { spine: running.spinePort, control: running.controlPort, partyKey: sim.partyKey },
    'simulator started',
  );
  return running;
}

function safeSyncMessage(body: Buffer): SyncMessage | undefined {
  try {
    const sync = parseSyncMessage(body);
    return sync?.action ? sync : undefined;
  } catch {
    return undefined;
  }
}

function recordMessage(parsed: ParsedMessage, tls: TlsContext, routes: RouteTable): ReceivedMessage {
  const { header } = parsed;
  let signature: ReceivedMessage['signature'] = { present: false };
  if (parsed.signaturePresent) {
    const result = verifyEnvelope(parsed.envelopeXml, {
      trusted: tls.current.caCertificates,
      manifestHrefs: parsed.manifest.filter((r) => r.href.startsWith('cid:')).map((r) => r.href),
      parts: new Map(parsed.parts.map((p) => [p.contentId, p.content])),
      at: parseTimestamp(header.timestamp),
    });
    signature = result.present
      ? result.valid
        ? { present: true, valid: true }
        : { present: true, valid: false, reason: result.reason }
      : { present: false };
  }
  void routes;
  const record: ReceivedMessage = {
    messageId: header.messageId,
    action: header.action,
    service: header.service,
    conversationId: header.conversationId,
    from: header.from.id,
    to: header.to.id,
    cpaId: header.cpaId,
    receivedAt: new Date().toISOString(),
    signature,
    duplicateElimination: parsed.reliability.duplicateElimination,
    syncReply: parsed.reliability.syncReply,
    signalsSent: [],
  };
  if (header.refToMessageId) record.refToMessageId = header.refToMessageId;
  if (parsed.reliability.ackRequested) record.ackRequested = { actor: parsed.reliability.ackRequested.actor };
  if (parsed.payload) record.hl7 = parsed.payload.content.toString('utf8');
  return record;
}

function describeAnswer(status: number, contentType: string | undefined, body: Buffer): unknown {
  if (body.byteLength === 0) return { status };
  try {
    const parsed = parseMessage(contentType, body);
    return {
      status,
      kind: parsed.kind,
      refToMessageId: parsed.header.refToMessageId,
      errors: parsed.errors ?? [],
    };
  } catch {
    return { status, body: body.toString('utf8').slice(0, 2000) };
  }
}

function idOf(message: HttpMessage): string {
  return /<eb:MessageId>([^<]+)<\/eb:MessageId>/.exec(message.body.toString('utf8'))?.[1] ?? '';
}

function collect(stream: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        reject(new Error(`body over ${limit} bytes`));
        stream.destroy();
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function listen(server: http.Server | https.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A bad control request: its body is not JSON, or names a fault or value the simulator does not know. */
class ControlRequestError extends Error {}

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

/** Each fault PUT /control/faults takes, with what it does to a message. */
function faultDescriptions(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(faultsSchema.shape).map(([name, schema]) => [name, schema.description ?? '']),
  );
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A 12-digit UBRN (e-RS issues them; the format is an assumption, see the C&B notes). */
function randomUbrn(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}

/** Development mode's starting worklist: one referral with a letter, one whose letter is still being scanned. */
function seedReferrals(ersFhir: ErsFhirSimulator, services: string[]): void {
  for (const id of services) {
    const service = { id, name: `Simulated service ${id}` };
    ersFhir.addReferral({ service, attachments: [{ title: 'referral-letter.pdf' }] });
    ersFhir.addReferral({
      service,
      priority: 'URGENT',
      attachments: [{ title: 'results.pdf', availability: 'PENDING', pendingForMs: 60_000 }],
    });
    ersFhir.addReferral({ service, list: 'APPOINTMENT_SLOT_ISSUES', state: 'DEFERRED_TO_PROVIDER' });
  }
}
