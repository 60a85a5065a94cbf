import { randomUUID } from 'node:crypto';
import {
  type Attachment,
  buildMessage,
  type ExternalAttachment,
  formatTimestamp,
  type MessageHeader,
  PARTY_TYPE,
  toHttpMessage,
} from '../ebxml/index.js';
import { type Broker, BrokerUnavailableError, QUEUES } from '../queue/index.js';
import { type Route, type RouteTable, reliabilityFlags } from '../routing/index.js';
import { type SigningIdentity, signEnvelope } from '../security/xmldsig/index.js';
import type { MessageStore } from '../store/index.js';

/** The route facts a queued message keeps, so retries follow the agreement it was accepted under. */
export interface RouteSnapshot {
  endpoint: string;
  workflow: string;
  retries: number;
  retryIntervalMs: number;
  persistDurationMs: number;
}

export interface SubmitRequest {
  interactionId: string;
  payloadXml: string;
  messageId?: string;
  conversationId?: string;
  refToMessageId?: string;
  /** The PAS's JSON, kept for the record and the dashboard. */
  data?: unknown;
  attachments?: Attachment[];
  externalAttachments?: ExternalAttachment[];
}

export interface Submitted {
  messageId: string;
  conversationId: string;
  status: 'ACCEPTED';
}

export interface OutboundDependencies {
  partyKey: string;
  routes: RouteTable;
  store: MessageStore;
  broker: Broker;
  /** The signing identity, or undefined when signing is off for the whole gateway. */
  signingIdentity: () => SigningIdentity | undefined;
  signatureAlgorithm: 'rsa-sha256' | 'rsa-sha1';
  clock?: () => Date;
}

/** Raised when the message could not be made durable; the PAS should retry later. */
export class NotAcceptedError extends Error {
  override readonly name = 'NotAcceptedError';
}

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
    const built = buildMessage({
      header,
      reliability: reliabilityFlags(route),
      payloadXml: request.payloadXml,
      attachments: request.attachments ?? [],
      externalAttachments: request.externalAttachments ?? [],
    });
    const identity = route.sign ? this.deps.signingIdentity() : undefined;
    const envelopeXml = identity
      ? signEnvelope(built.envelopeXml, built.parts, identity, { algorithm: this.deps.signatureAlgorithm })
      : built.envelopeXml;
    const http = toHttpMessage({ envelopeXml, parts: built.parts }, header);
    await this.deps.store.insert({
      messageId,
      direction: 'outbound',
      interactionId: request.interactionId,
      conversationId,
      refToMessageId: request.refToMessageId,
      status: 'ACCEPTED',
      route: snapshot(route),
      http,
      data: request.data,
      hl7: request.payloadXml,
      detail: identity ? `signed ${this.deps.signatureAlgorithm}` : 'unsigned (route or gateway setting)',
    });
    try {
      await this.deps.broker.publish(QUEUES.outbound, Buffer.from(JSON.stringify({ messageId })), {
        messageId,
        correlationId: conversationId,
        type: request.interactionId,
      });
    } catch (error) {
      // Not queued, so not accepted: say so durably and let the PAS retry with the same Message-Id later.
      await this.deps.store.transition(messageId, 'FAILED', {
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
}

export function snapshot(route: Route): RouteSnapshot {
  return {
    endpoint: route.endpoint,
    workflow: route.workflow,
    retries: route.reliability.retries,
    retryIntervalMs: route.retryIntervalMs,
    persistDurationMs: route.persistDurationMs,
  };
}
