// The simulated Spine endpoint: receives the gateway's ebXML (checking signatures) and sync SOAP,
// answers each POST (202, an inline Acknowledgment, a sync response or an injected fault), records
// what arrived, and leaves the signals owed to be sent in the background.
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  EbxmlFault,
  type HttpMessage,
  type ParsedMessage,
  parseMessage,
  parseSyncMessage,
  type SyncMessage,
} from '../ebxml/index.js';
import type { Logger } from '../ops/index.js';
import { serverOptions, type TlsContext } from '../security/tls/index.js';
import type { FaultInjector } from './faults.js';
import { BodyTooLargeError, collect } from './http.js';
import { type BuildContext, syncResponse } from './messages.js';
import { type SignalSender, sendSignals } from './signals.js';
import { type SignatureCheck, SignatureChecker } from './signature.js';
import type { ReceivedMessage } from './state.js';
import { acknowledgment } from './templates.js';

const MSH_SERVICE = 'urn:oasis:names:tc:ebxml-msg:service';
const MAX_BODY_BYTES = 6_000_000;

export interface SpineEndpointDeps {
  tls: TlsContext;
  faults: FaultInjector;
  signals: SignalSender;
  context(): BuildContext;
  logger: Logger;
  /** Where each received message is recorded (GET /control/messages). */
  received: { push(record: ReceivedMessage): void };
}

/** Spine's transport answer to one POST. */
export interface SpineAnswer {
  status: number;
  message?: HttpMessage;
}

export function createSpineServer(deps: SpineEndpointDeps): https.Server {
  const receive = spineReceiver(deps);
  return https.createServer(serverOptions(deps.tls.current), (request, response) => {
    collect(request, MAX_BODY_BYTES)
      .then(async (body) => {
        const answer = receive(
          request.headers['content-type'],
          headerValue(request.headers.soapaction),
          body,
        );
        if (deps.faults.responseDelayMs) await sleep(deps.faults.responseDelayMs);
        const headers: Record<string, string> = {};
        if (answer.message) headers['Content-Type'] = answer.message.contentType;
        response.writeHead(answer.status, headers).end(answer.message?.body ?? '');
      })
      .catch((error) => {
        const failure = failedPostAnswer(error);
        if (failure.status === 500)
          deps.logger.error({ err: String(error) }, 'simulated Spine failed to answer a POST');
        if (response.headersSent) return void response.destroy();
        response.writeHead(failure.status, { 'Content-Type': 'text/plain' }).end(failure.body);
      });
  });
}

/** The answer to a POST that failed: only an oversized body is the sender's fault (413). */
export function failedPostAnswer(error: unknown): { status: 413 | 500; body: string } {
  const reason = error instanceof Error ? error.message : String(error);
  return error instanceof BodyTooLargeError
    ? { status: 413, body: `${reason}\n` }
    : { status: 500, body: `simulated Spine failed: ${reason}\n` };
}

/** Spine's answer to one POST; signals owed afterwards are sent in the background. */
export function spineReceiver(
  deps: SpineEndpointDeps,
): (contentType: string | undefined, soapAction: string | undefined, body: Buffer) => SpineAnswer {
  const { faults, logger, received } = deps;
  const signatures = new SignatureChecker(deps.tls);

  function receiveEbxml(parsed: ParsedMessage, signature: SignatureCheck): SpineAnswer {
    const record = recordMessage(parsed, signature);
    received.push(record);
    const serviceMessage = parsed.header.service === MSH_SERVICE;
    const fault = serviceMessage ? undefined : faults.answerInstead(parsed.header);
    if (fault) {
      record.answeredWith = fault.describe;
      return fault.answer;
    }
    // SyncReply asks for the acknowledgment on this connection (async-express / async-reliable).
    const inlineAck = parsed.reliability.syncReply && parsed.reliability.ackRequested && !faults.dropAcks;
    const answer = inlineAck
      ? {
          status: 200,
          message: acknowledgment(deps.context(), parsed.header, parsed.reliability.ackRequested?.actor)
            .message,
        }
      : { status: 202 };
    record.answeredWith = inlineAck ? 'HTTP 200 Acknowledgment' : 'HTTP 202';
    if (!serviceMessage)
      void sendSignals(deps.signals, parsed, record, !inlineAck).catch((error) =>
        logger.warn({ err: String(error) }, 'simulator could not send signals'),
      );
    return answer;
  }

  function receiveSync(sync: SyncMessage): SpineAnswer {
    const record = recordSync(sync);
    received.push(record);
    const fault = faults.takeSoapFault();
    if (fault) {
      record.answeredWith = fault.describe;
      return fault.answer;
    }
    record.answeredWith = 'HTTP 200 sync response';
    return { status: 200, message: syncResponse(deps.context(), sync) };
  }

  return (contentType, soapAction, body) => {
    // ebXML from the gateway is MIME multipart; only a single-part body can be sync SOAP.
    const sync = /^\s*multipart\//i.test(contentType ?? '') ? undefined : safeSyncMessage(body);
    if (sync) return receiveSync(sync);
    let parsed: ParsedMessage;
    // The signature is checked on the parser's own document, before it is freed. A failure of the
    // check itself is not a parse failure: it is thrown on, as it was when checked afterwards.
    const checked: { signature: SignatureCheck; failed?: { error: unknown } } = {
      signature: { present: false },
    };
    try {
      parsed = parseMessage(contentType, body, soapAction, undefined, (message, envelope) => {
        try {
          checked.signature = signatures.check(message, envelope);
        } catch (error) {
          checked.failed = { error };
        }
      });
    } catch (error) {
      const reason = error instanceof EbxmlFault ? error.error.description : (error as Error).message;
      logger.warn({ reason }, 'simulator received an unparsable message');
      return {
        status: 400,
        message: { contentType: 'text/plain', soapAction: '', body: Buffer.from(`${reason}\n`) },
      };
    }
    if (checked.failed) throw checked.failed.error;
    return receiveEbxml(parsed, checked.signature);
  };
}

function safeSyncMessage(body: Buffer): SyncMessage | undefined {
  try {
    const sync = parseSyncMessage(body);
    return sync?.action ? sync : undefined;
  } catch {
    return undefined;
  }
}

function recordMessage(parsed: ParsedMessage, signature: SignatureCheck): ReceivedMessage {
  const { header } = parsed;
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

function recordSync(sync: SyncMessage): ReceivedMessage {
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
  return record;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
