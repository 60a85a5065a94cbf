import { randomUUID } from 'node:crypto';
import {
  type Attachment,
  buildMessage,
  buildSyncRequest,
  type ExternalAttachment,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  PARTY_TYPE,
  toHttpMessage,
} from '../ebxml/index.js';
import { createError } from '../errors/index.js';
import { parseWrapper } from '../hl7/index.js';
import {
  BrokerUnavailableError,
  type EventBus,
  publishWakeUp,
  type QueuePublisher,
  queueOutboundWork,
} from '../queue/index.js';
import { type Route, type RouteTable, reliabilityFlags } from '../routing/index.js';
import { type EnvelopeSigner, type SigningIdentity, signOnThisThread } from '../security/xmldsig/index.js';
import { DuplicateMessageError, type MessageStore } from '../store/index.js';

/** The route facts a queued message keeps, so retries follow the agreement it was accepted under. */
export interface RouteSnapshot {
  endpoint: string;
  workflow: string;
  retries: number;
  retryIntervalMs: number;
  persistDurationMs: number;
  /** The party the message was sent to: only a client allowed to speak for it may signal about it. */
  toPartyKey?: string;
  /** Absent in snapshots taken before it existed: DEFAULT_REPLY_TIMEOUT applies. */
  replyTimeoutMs?: number;
  /**
   * Whether a caller may wait on POST for the outcome (`wait-for-response`, or a sync
   * interaction): only then is a wake-up published when the message moves. Absent in older
   * snapshots: taken as awaited.
   */
  awaited?: boolean;
}

/**
 * The party `message` was sent to, which only a client allowed to speak for may answer: from its
 * route snapshot, or for rows from before the snapshot had it, from its route now.
 */
export function partySentTo(
  message: { interactionId: string; route?: unknown },
  routes: RouteTable,
): string | undefined {
  return (
    (message.route as RouteSnapshot | undefined)?.toPartyKey ??
    (routes.isRouted(message.interactionId) ? routes.resolve(message.interactionId).toPartyKey : undefined)
  );
}

/** Whether moving `message` must wake a caller that may be waiting on it (see RouteSnapshot.awaited). */
export function mayBeAwaited(message: { route?: unknown }): boolean {
  return (message.route as RouteSnapshot | undefined)?.awaited !== false;
}

/** Wakes whoever may wait on `message` after it moved; nothing for a message no caller waits on. */
export async function wakeWaiters(
  bus: Pick<EventBus, 'publishEvent'>,
  message: { messageId: string; route?: unknown },
  status: string,
): Promise<void> {
  if (mayBeAwaited(message)) await publishWakeUp(bus, message.messageId, status);
}

export interface SubmitRequest {
  interactionId: string;
  payloadXml: string;
  messageId?: string;
  conversationId?: string;
  refToMessageId?: string;
  /** The HL7 wrapper's id, when the caller built the wrapper; otherwise read from payloadXml. */
  hl7MessageId?: string;
  /** The PAS's JSON, kept for the record and the dashboard. */
  data?: unknown;
  /** Sender ASID for the sync SOAP header (MHS `from-asid`); defaults to ours. */
  fromAsid?: string;
  attachments?: Attachment[];
  externalAttachments?: ExternalAttachment[];
  /** A caller will wait on this request for the outcome (default: no one waits). */
  awaited?: boolean;
}

export interface Submitted {
  messageId: string;
  conversationId: string;
  status: 'ACCEPTED';
}

export interface OutboundDependencies {
  partyKey: string;
  asid: string;
  routes: RouteTable;
  store: MessageStore;
  broker: QueuePublisher;
  /** The signing identity, or undefined when signing is off for the whole gateway. */
  signingIdentity: () => SigningIdentity | undefined;
  signatureAlgorithm: 'rsa-sha256' | 'rsa-sha1';
  /** Signs off the event loop (a SigningPool); default: on this thread. */
  sign?: EnvelopeSigner;
  clock?: () => Date;
}

/** The request cannot be sent as asked (e.g. attachments on a sync interaction). */
export class InvalidSubmissionError extends createError('INVALID_SUBMISSION', 400, 'Invalid request') {}

/** Raised when the message could not be made durable; the PAS should retry later. */
export class NotAcceptedError extends createError('NOT_ACCEPTED', 503, 'Not accepted: try again later', {
  retryAfterSeconds: 5,
}) {}

/**
 * Accepts a message for Spine: builds and signs the exact bytes once (so every resend is identical),
 * stores them, and queues the message with a publisher confirm. Only then is it "accepted".
 */
export class OutboundSubmission {
  constructor(private readonly deps: OutboundDependencies) {}

  async submit(request: SubmitRequest): Promise<Submitted> {
    const route = this.deps.routes.resolve(request.interactionId);
    const now = (this.deps.clock ?? (() => new Date()))();
    const messageId = request.messageId ?? randomUUID().toUpperCase();
    const conversationId = request.conversationId ?? randomUUID().toUpperCase();
    const header: MessageHeader = {
      from: { id: this.deps.partyKey, type: PARTY_TYPE },
      to: { id: route.toPartyKey, type: PARTY_TYPE },
      cpaId: route.cpaId,
      conversationId,
      service: route.service,
      action: route.action,
      messageId,
      timestamp: formatTimestamp(now),
    };
    if (request.refToMessageId) header.refToMessageId = request.refToMessageId;
    if (route.workflow === 'sync')
      return this.store(
        request,
        route,
        messageId,
        conversationId,
        this.syncMessage(request, route, messageId),
        'sync SOAP',
      );
    const built = buildMessage({
      header,
      reliability: reliabilityFlags(route),
      payloadXml: request.payloadXml,
      attachments: request.attachments ?? [],
      externalAttachments: request.externalAttachments ?? [],
    });
    const identity = route.sign ? this.deps.signingIdentity() : undefined;
    const envelopeXml = identity
      ? await (this.deps.sign ?? signOnThisThread)(built.envelopeXml, built.parts, identity, {
          algorithm: this.deps.signatureAlgorithm,
        })
      : built.envelopeXml;
    const http = toHttpMessage({ envelopeXml, parts: built.parts }, header);
    return this.store(
      request,
      route,
      messageId,
      conversationId,
      http,
      identity ? `signed ${this.deps.signatureAlgorithm}` : 'unsigned (route or gateway setting)',
    );
  }

  /** Sync SOAP: WS-Addressing, one part, never attachments (silently dropping them would lose data). */
  private syncMessage(request: SubmitRequest, route: Route, messageId: string): HttpMessage {
    if ((request.attachments?.length ?? 0) > 0 || (request.externalAttachments?.length ?? 0) > 0) {
      throw new InvalidSubmissionError(`${route.interactionId} is synchronous and cannot carry attachments`);
    }
    return buildSyncRequest({
      messageId,
      service: route.service,
      interactionId: route.interactionId,
      toAsid: route.toAsid!,
      fromAsid: request.fromAsid ?? this.deps.asid,
      payloadXml: request.payloadXml,
    });
  }

  private async store(
    request: SubmitRequest,
    route: Route,
    messageId: string,
    conversationId: string,
    http: HttpMessage,
    detail: string,
  ): Promise<Submitted> {
    try {
      await this.deps.store.insert({
        messageId,
        direction: 'outbound',
        interactionId: request.interactionId,
        conversationId,
        refToMessageId: request.refToMessageId,
        hl7MessageId: request.hl7MessageId ?? hl7MessageIdOf(request.payloadXml),
        status: 'ACCEPTED',
        route: { ...snapshot(route), awaited: request.awaited ?? false },
        http,
        data: request.data,
        hl7: request.payloadXml,
        detail,
      });
    } catch (error) {
      // The PAS was told 503 and retries with the same Message-Id, as told: queue it this time.
      if (!(error instanceof DuplicateMessageError) || !(await this.reopenUnqueued(messageId))) throw error;
    }
    try {
      await queueOutboundWork(this.deps.broker, {
        messageId,
        conversationId,
        interactionId: request.interactionId,
      });
    } catch (error) {
      // Not queued, so not accepted: say so durably and let the PAS retry with the same Message-Id later.
      // Only from ACCEPTED: a message a worker already moved on was queued after all.
      await this.deps.store.transition(messageId, 'FAILED', {
        from: ['ACCEPTED'],
        detail: `not queued: ${(error as Error).message}`,
      });
      throw new NotAcceptedError(
        error instanceof BrokerUnavailableError
          ? error.message
          : `queueing failed: ${(error as Error).message}`,
      );
    }
    return { messageId, conversationId, status: 'ACCEPTED' };
  }

  /** A message stored but never queued (answered 503, never sent) is ACCEPTED again; any other stays a duplicate (409). */
  private async reopenUnqueued(messageId: string): Promise<boolean> {
    const existing = await this.deps.store.get(messageId);
    if (
      existing?.direction !== 'outbound' ||
      existing.status !== 'FAILED' ||
      existing.attempts > 0 ||
      existing.resolution
    )
      return false;
    return this.deps.store.transition(messageId, 'ACCEPTED', {
      from: ['FAILED'],
      ifAttempts: 0,
      detail: 'submitted again with the same Message-Id after it was not queued',
    });
  }
}

/**
 * The HL7 wrapper's id: Spine's application acknowledgements name it (acknowledgement/messageRef/id),
 * and a PAS may give its ebXML Message-Id another value. Undefined when the payload is not a wrapper.
 */
function hl7MessageIdOf(payloadXml: string): string | undefined {
  try {
    return parseWrapper(payloadXml).messageId;
  } catch {
    return undefined;
  }
}

export function snapshot(route: Route): RouteSnapshot {
  return {
    endpoint: route.endpoint,
    workflow: route.workflow,
    retries: route.reliability.retries,
    retryIntervalMs: route.retryIntervalMs,
    persistDurationMs: route.persistDurationMs,
    toPartyKey: route.toPartyKey,
    replyTimeoutMs: route.replyTimeoutMs,
  };
}
