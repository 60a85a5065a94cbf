import { randomUUID, type X509Certificate } from 'node:crypto';
import type { Signal } from '../correlation/index.js';
import {
  buildAcknowledgment,
  buildMessageError,
  buildPong,
  buildSoapFault,
  buildStatusResponse,
  contentIdOfHref,
  type EbxmlError,
  EbxmlFault,
  formatTimestamp,
  type HttpMessage,
  type MessageHeader,
  MSH_SERVICE,
  PARTY_TYPE,
  type ParsedMessage,
  parseMessage,
  parseStatusRequest,
  parseTimestamp,
  type ReadEnvelope,
  SPINE_ERRORS,
  soapActionMismatch,
} from '../ebxml/index.js';
import {
  APPLICATION_ACKNOWLEDGEMENT,
  type ParsedWrapper,
  parseApplicationAcknowledgement,
  parseWrapper,
} from '../hl7/index.js';
import type { Logger } from '../ops/index.js';
import { type Broker, publishToPas, QUEUES } from '../queue/index.js';
import type { RouteTable } from '../routing/index.js';
import { validateEnvelope } from '../schemas/index.js';
import {
  type SigningIdentity,
  signEnvelope,
  signedReferences,
  verifyEnvelope,
} from '../security/xmldsig/index.js';
import { DuplicateMessageError, type MessageStore } from '../store/index.js';
import { ANY_SENDER, type InboundSender, mayActFor, signerProblem } from './clients.js';
import { mapInboundRequest } from './requests.js';

/** The HTTP answer to one inbound POST. */
export interface InboundAnswer {
  status: number;
  contentType?: string;
  soapAction?: string;
  body: Buffer;
}

export interface InboundDependencies {
  partyKey: string;
  routes: RouteTable;
  store: MessageStore;
  broker: Broker;
  logger: Logger;
  trusted: () => X509Certificate[];
  /** Signs acknowledgments a sender asked to be signed. */
  signingIdentity: () => SigningIdentity;
  requireSignature: boolean;
  validateSchema: boolean;
  maxParts: number;
  /** Counts a duplicate answered with the stored acknowledgment (metrics). */
  onDuplicate?: () => void;
  clock?: () => Date;
}

/** MSH-service requests we answer on the same connection (conformance X1); other MSH actions are NotSupported. */
const MSH_REQUESTS = ['Ping', 'StatusRequest'];

/**
 * The receive pipeline: parse, validate, sign-check, de-duplicate, store, queue (confirmed), and only
 * then acknowledge. Transient failures answer 500 with no ack so the sender retries.
 */
export class InboundPipeline {
  constructor(private readonly deps: InboundDependencies) {}

  /**
   * @param sender the From parties the caller's certificate may speak for (`*` = any) and the
   *   certificates it may sign with; the server works them out from the TLS client certificate.
   */
  async receive(
    contentType: string | undefined,
    soapAction: string | undefined,
    body: Buffer,
    sender: InboundSender = ANY_SENDER,
  ): Promise<InboundAnswer> {
    let parsed: ParsedMessage;
    let signatureProblem: EbxmlError | undefined;
    try {
      // The signature is checked on the parser's own document, against the nodes it read.
      parsed = parseMessage(
        contentType,
        body,
        soapAction,
        { maxParts: this.deps.maxParts },
        (read, envelope) => {
          signatureProblem = this.checkSignature(read, envelope, sender);
        },
      );
    } catch (error) {
      if (error instanceof EbxmlFault) return this.answerFault(error);
      return this.serverFault(error);
    }
    const log = this.deps.logger.child({
      messageId: parsed.header.messageId,
      conversationId: parsed.header.conversationId,
      interactionId: parsed.header.action,
    });
    const problem = this.schemaProblem(parsed) ?? this.validate(parsed, sender.parties) ?? signatureProblem;
    if (problem) {
      log.warn(
        { audit: 'refused', errorCode: problem.errorCode, description: problem.description },
        'inbound message refused',
      );
      return this.messageError(parsed.header, [problem]);
    }
    try {
      if (parsed.kind === 'acknowledgment' || parsed.kind === 'error')
        return await this.receiveSignal(parsed, log, sender);
      if (parsed.header.service === MSH_SERVICE) return await this.answerMshRequest(parsed, log);
      return await this.receiveBusinessMessage(parsed, log);
    } catch (error) {
      log.error(
        { err: (error as Error).message },
        'inbound message not processed; answering 500 so the sender retries',
      );
      return this.serverFault(error);
    }
  }

  /** Conformance V1: the envelope against our own XSDs (SOAP 1.1, ebMS 2.0, XMLDSig). */
  private schemaProblem(parsed: ParsedMessage): EbxmlError | undefined {
    if (!this.deps.validateSchema) return undefined;
    let result: ReturnType<typeof validateEnvelope>;
    try {
      result = validateEnvelope(parsed.envelopeXml);
    } catch (error) {
      // The same envelope would fail the same way on every resend: an error, never a 500 (issue 13).
      return {
        errorCode: 'OtherXml',
        severity: 'Error',
        description: `envelope could not be checked against the ebMS 2.0 schema: ${(error as Error).message.split('\n')[0]}`,
      };
    }
    if (result.valid) return undefined;
    const first = result.errors[0]!;
    return {
      errorCode: 'OtherXml',
      severity: 'Error',
      description: `envelope not valid against the ebMS 2.0 schema: ${first.message}${first.line ? ` (line ${first.line})` : ''}`,
    };
  }

  /** Header checks that make a MessageError (spine-ebxml.md §8); undefined when all pass. */
  private validate(parsed: ParsedMessage, senderParties: string[]): EbxmlError | undefined {
    const { header } = parsed;
    if (!senderParties.includes('*') && !senderParties.includes(header.from.id)) {
      return {
        errorCode: 'SecurityFailure',
        severity: 'Error',
        description: `the client certificate is not allowed to send for party ${header.from.id}`,
        location: 'eb:MessageHeader/eb:From/eb:PartyId',
      };
    }
    if (header.to.id !== this.deps.partyKey)
      return { ...SPINE_ERRORS.toPartyNotUs, location: 'eb:MessageHeader/eb:To/eb:PartyId' };
    if (!this.deps.routes.findByCpaId(header.cpaId))
      return { ...SPINE_ERRORS.unknownCpaId, location: 'eb:MessageHeader/eb:CPAId' };
    if (header.service !== MSH_SERVICE) {
      if (!this.deps.routes.has(header.action)) {
        return {
          errorCode: 'ValueNotRecognized',
          severity: 'Error',
          description: `unknown action ${header.action}`,
          location: 'eb:MessageHeader/eb:Action',
        };
      }
      // An interaction may belong to several services (an application acknowledgement comes under
      // the service of whatever it answers), so the check is against all of them.
      if (!this.deps.routes.servicesOf(header.action).includes(header.service)) {
        return {
          errorCode: 'ValueNotRecognized',
          severity: 'Error',
          description: `action ${header.action} is not part of service ${header.service}`,
          location: 'eb:MessageHeader/eb:Service',
        };
      }
    }
    const mismatch = soapActionMismatch(parsed.soapAction, header);
    if (mismatch)
      return { errorCode: 'Inconsistent', severity: 'Error', description: mismatch, location: 'SOAPAction' };
    if (
      header.service === MSH_SERVICE &&
      parsed.kind === 'message' &&
      !MSH_REQUESTS.includes(header.action)
    ) {
      return {
        errorCode: 'NotSupported',
        severity: 'Error',
        description: `${header.action} is not supported by this MSH`,
        location: 'eb:MessageHeader/eb:Action',
      };
    }
    if (header.timeToLive) {
      const ttl = parseTimestamp(header.timeToLive);
      if (ttl && ttl.getTime() < this.now().getTime()) {
        return {
          errorCode: 'TimeToLiveExpired',
          severity: 'Error',
          description: `TimeToLive ${header.timeToLive} has passed`,
          location: 'eb:MessageHeader/eb:MessageData/eb:TimeToLive',
        };
      }
    }
    return undefined;
  }

  /**
   * A required signature must be there; one that is there must verify, cover every element the
   * message was read from and every MIME part, and be made by a certificate this sender may use.
   */
  private checkSignature(
    parsed: ParsedMessage,
    envelope: ReadEnvelope,
    sender: InboundSender,
  ): EbxmlError | undefined {
    // Business messages follow their interaction's route; MSH signals the gateway-wide setting.
    const route = this.deps.routes.isRouted(parsed.header.action)
      ? this.deps.routes.resolve(parsed.header.action)
      : undefined;
    const required = route?.requireSignature ?? this.deps.requireSignature;
    if (!parsed.signaturePresent) {
      return required
        ? {
            errorCode: 'SecurityFailure',
            severity: 'Error',
            description: 'a signature is required and none is present',
          }
        : undefined;
    }
    const securityFailure = (why: string): EbxmlError => ({
      errorCode: 'SecurityFailure',
      severity: 'Error',
      description: `signature not valid: ${why}`,
    });
    const manifestHrefs = parsed.manifest.filter((r) => r.href.startsWith('cid:')).map((r) => r.href);
    const referenced = new Set(manifestHrefs.map((href) => contentIdOfHref(href)?.toLowerCase()));
    // Parts go to the PAS as attachments: one the manifest does not name has no reference.
    const unreferenced = parsed.parts.find((p) => !referenced.has(p.contentId.toLowerCase()));
    if (unreferenced) {
      return securityFailure(
        `MIME part <${unreferenced.contentId}> is not in the manifest, so no reference covers it`,
      );
    }
    let result: ReturnType<typeof verifyEnvelope>;
    try {
      result = verifyEnvelope(
        { doc: envelope.doc, text: parsed.envelopeXml },
        {
          trusted: this.deps.trusted(),
          manifestHrefs,
          parts: new Map(parsed.parts.map((p) => [p.contentId, p.content])),
          at: parseTimestamp(parsed.header.timestamp),
          now: this.now(),
          allowSha1: route?.allowSha1 ?? false,
          covering: envelope.readFrom,
        },
      );
    } catch (error) {
      // Never a 500 (Spine would resend for ever): the signature simply is not accepted.
      return securityFailure(`cannot be checked: ${(error as Error).message.split('\n')[0]}`);
    }
    if (result.present && !result.valid) return securityFailure(result.reason);
    if (result.present) {
      const why = signerProblem(result.signer, sender);
      if (why) return securityFailure(why);
    }
    return undefined;
  }

  /** Ping → Pong; StatusRequest → StatusResponse from what the store knows of the message named. */
  private async answerMshRequest(parsed: ParsedMessage, log: Logger): Promise<InboundAnswer> {
    const context = {
      ourParty: { id: this.deps.partyKey, type: PARTY_TYPE },
      messageId: randomUUID().toUpperCase(),
      timestamp: formatTimestamp(this.now()),
    };
    if (parsed.header.action === 'Ping') {
      log.info({ audit: 'received', kind: 'ping' }, 'Ping answered with Pong');
      return answer(200, buildPong(parsed.header, context));
    }
    const asked = parseStatusRequest(parsed.envelopeXml);
    if (!asked) {
      return this.messageError(parsed.header, [
        {
          errorCode: 'OtherXml',
          severity: 'Error',
          description: 'StatusRequest without eb:StatusRequest/eb:RefToMessageId in the Body',
          location: 'eb:StatusRequest',
        },
      ]);
    }
    // Only messages we received have a status here; our own outbound ones are not "received" by us.
    const message = await this.deps.store.get(asked);
    const received = message?.direction === 'inbound' ? message : undefined;
    const messageStatus = !received
      ? 'NotRecognized'
      : received.status === 'DELIVERED'
        ? 'Processed'
        : 'Received';
    log.info(
      { audit: 'received', kind: 'status-request', refToMessageId: asked, messageStatus },
      'StatusRequest answered',
    );
    return answer(
      200,
      buildStatusResponse(
        parsed.header,
        { refToMessageId: asked, messageStatus, ...(received ? { timestamp: received.createdAt } : {}) },
        context,
      ),
    );
  }

  /** Acknowledgments and MessageErrors are MSH signals: they change state, and are never acknowledged. */
  private async receiveSignal(
    parsed: ParsedMessage,
    log: Logger,
    sender: InboundSender,
  ): Promise<InboundAnswer> {
    const ref = parsed.acknowledgment?.refToMessageId ?? parsed.header.refToMessageId;
    const answered = ref ? await this.deps.store.get(ref) : undefined;
    if (answered?.direction !== 'outbound') {
      log.warn(
        { audit: 'refused', refToMessageId: ref, kind: parsed.kind },
        'signal for a message we never sent',
      );
      // An error is never answered with an error (no loops); an unknown Acknowledgment gets one.
      if (parsed.kind === 'error') return { status: 202, body: Buffer.alloc(0) };
      return this.messageError(parsed.header, [
        {
          errorCode: 'ValueNotRecognized',
          severity: 'Error',
          description: `RefToMessageId ${ref ?? '(none)'} names no message sent by this MSH`,
          location: 'eb:Acknowledgment/eb:RefToMessageId',
        },
      ]);
    }
    // Only a client allowed to speak for the party we sent it to may change its state.
    const sentTo =
      (answered.route as { toPartyKey?: string } | undefined)?.toPartyKey ??
      (this.deps.routes.isRouted(answered.interactionId)
        ? this.deps.routes.resolve(answered.interactionId).toPartyKey
        : undefined);
    if (!mayActFor(sender, sentTo)) {
      log.warn(
        { audit: 'refused', refToMessageId: ref, kind: parsed.kind, sentTo },
        'signal from a client not allowed to speak for the party the message was sent to',
      );
      if (parsed.kind === 'error') return { status: 202, body: Buffer.alloc(0) };
      return this.messageError(parsed.header, [
        {
          errorCode: 'SecurityFailure',
          severity: 'Error',
          description: `the client certificate may not acknowledge message ${ref}, which was sent to party ${sentTo ?? '(unknown)'}`,
          location: 'eb:Acknowledgment/eb:RefToMessageId',
        },
      ]);
    }
    const signal: Signal = {
      kind: parsed.kind === 'acknowledgment' ? 'acknowledgment' : 'message-error',
      signalId: parsed.header.messageId,
      refToMessageId: ref,
      conversationId: parsed.header.conversationId,
      receivedAt: this.now().toISOString(),
    };
    if (parsed.errors) signal.errors = parsed.errors;
    await this.publishSignal(signal, parsed.header);
    log.info({ audit: 'received', kind: signal.kind, refToMessageId: ref }, 'inbound signal');
    return { status: 202, body: Buffer.alloc(0) };
  }

  private async receiveBusinessMessage(parsed: ParsedMessage, log: Logger): Promise<InboundAnswer> {
    const { header } = parsed;
    const existing = await this.deps.store.get(header.messageId);
    // Stored but never acknowledged (its queueing failed, or its instance died before the ack): this
    // copy finishes the delivery, or the MessageId would be refused for ever. Queues are keyed by it.
    if (existing && (existing.ack || existing.status !== 'RECEIVED'))
      return this.answerDuplicate(existing.ack, header, log);
    // The ebXML is sound from here on. HL7 we cannot read is not an ebXML fault: the message is
    // acknowledged and parked for the PAS with its raw payload (docs/conformance.md, "Real Spine").
    const hl7 = parsed.payload?.content.toString('utf8');
    const reading = readHl7(header.action, hl7);
    const attachments = parsed.parts
      .filter((p) => p !== parsed.payload)
      .map((p) => ({
        contentId: p.contentId,
        contentType: p.contentType,
        base64: p.content.toString('base64'),
      }));
    try {
      if (!existing)
        await this.deps.store.insert({
          messageId: header.messageId,
          direction: 'inbound',
          interactionId: header.action,
          conversationId: header.conversationId,
          refToMessageId: header.refToMessageId,
          status: 'RECEIVED',
          http: {
            contentType: '',
            soapAction: parsed.soapAction ?? '',
            body: Buffer.from(parsed.envelopeXml),
          },
          data:
            'problem' in reading
              ? { unreadable: reading.problem, sender: { partyKey: header.from.id } }
              : {
                  request: reading.data,
                  sender: { partyKey: header.from.id, asid: reading.wrapper.fromAsid },
                  hl7MessageId: reading.wrapper.messageId,
                },
          ...(hl7 ? { hl7 } : {}),
          detail: `from ${header.from.id}`,
        });
    } catch (error) {
      if (error instanceof DuplicateMessageError) return this.answerDuplicate(undefined, header, log);
      throw error;
    }
    const receivedAt = this.now().toISOString();
    let queued: string;
    if ('problem' in reading) {
      log.warn(
        { audit: 'unreadable-hl7', problem: reading.problem },
        'HL7 payload unreadable; parked for the PAS',
      );
      await publishToPas(this.deps.broker, {
        kind: 'error',
        interactionId: header.action,
        messageId: header.messageId,
        conversationId: header.conversationId,
        refToMessageId: header.refToMessageId,
        receivedAt,
        data: { status: 'UNREADABLE_HL7', detail: reading.problem, from: header.from.id },
        ...(hl7 ? { hl7 } : {}),
        attachments,
      });
      queued = `HL7 unreadable (${reading.problem}); parked for the PAS on mhs.inbound`;
    } else if (header.action === APPLICATION_ACKNOWLEDGEMENT) {
      const applicationAck = reading.data as ReturnType<typeof parseApplicationAcknowledgement>;
      await this.publishSignal(
        {
          kind: 'application-ack',
          signalId: header.messageId,
          refToMessageId: header.refToMessageId,
          conversationId: header.conversationId,
          receivedAt,
          applicationAck,
          hl7: hl7!,
        },
        header,
      );
      queued = 'queued on mhs.signals';
    } else {
      // A business message naming the message it answers is a reply (e.g. QUPC_IN160102UK05);
      // one that names nothing we sent is still delivered, marked unmatched.
      const answered = header.refToMessageId ? await this.deps.store.get(header.refToMessageId) : undefined;
      await publishToPas(this.deps.broker, {
        kind: header.refToMessageId ? 'reply' : 'request',
        interactionId: header.action,
        messageId: header.messageId,
        conversationId: header.conversationId,
        refToMessageId: header.refToMessageId,
        receivedAt,
        data: reading.data ?? {},
        hl7: hl7!,
        attachments,
        ...(header.refToMessageId && answered?.direction !== 'outbound' ? { unmatched: true } : {}),
      });
      queued = 'queued on mhs.inbound';
      // The request it answers is complete: correlation moves it (a caller waiting on POST / wakes).
      if (answered?.direction === 'outbound')
        await this.publishSignal(
          {
            kind: 'reply',
            signalId: header.messageId,
            refToMessageId: answered.messageId,
            conversationId: header.conversationId,
            receivedAt,
            interactionId: header.action,
          },
          header,
        );
    }
    const ack = this.acknowledgment(parsed);
    const delivered = await this.deps.store.transition(header.messageId, 'DELIVERED', {
      from: ['RECEIVED'],
      detail: queued,
      patch: { ack },
    });
    // A copy processed at the same moment acknowledged first: every copy gets that one acknowledgment.
    const first = delivered ? undefined : (await this.deps.store.get(header.messageId))?.ack;
    log.info({ audit: 'received', kind: 'message' }, 'inbound message delivered and acknowledged');
    return answer(200, first ?? ack);
  }

  /** The Acknowledgment for an accepted message; signed, with the message's references, when asked (NRR). */
  private acknowledgment(parsed: ParsedMessage): HttpMessage {
    const requested = parsed.reliability.ackRequested;
    const signed = requested?.signed === true && parsed.signaturePresent;
    const ack = buildAcknowledgment(
      parsed.header,
      requested?.actor,
      {
        ourParty: { id: this.deps.partyKey, type: PARTY_TYPE },
        messageId: randomUUID().toUpperCase(),
        timestamp: formatTimestamp(this.now()),
      },
      signed ? signedReferences(parsed.envelopeXml) : [],
    );
    if (!requested?.signed) return ack;
    const identity = this.deps.signingIdentity();
    return { ...ack, body: Buffer.from(signEnvelope(ack.body.toString('utf8'), [], identity)) };
  }

  /** A MessageId seen before gets the stored original acknowledgment, byte for byte, and no delivery. */
  private answerDuplicate(ack: HttpMessage | undefined, header: MessageHeader, log: Logger): InboundAnswer {
    if (!ack) {
      log.warn(
        {},
        'duplicate arrived while the first copy is still in process; answering 500 so it is retried',
      );
      return this.serverFault(new Error('message is still being processed'));
    }
    log.info(
      { audit: 'duplicate', refToMessageId: header.refToMessageId },
      'duplicate message: original acknowledgment re-sent',
    );
    this.deps.onDuplicate?.();
    return answer(200, ack);
  }

  private async publishSignal(signal: Signal, header: MessageHeader): Promise<void> {
    await this.deps.broker.publish(QUEUES.signals, Buffer.from(JSON.stringify(signal)), {
      messageId: signal.signalId,
      correlationId: header.conversationId,
      type: signal.kind === 'application-ack' ? APPLICATION_ACKNOWLEDGEMENT : header.action,
      headers: { kind: signal.kind, refToMessageId: signal.refToMessageId },
    });
  }

  private messageError(
    received: Partial<MessageHeader> & { messageId: string },
    errors: EbxmlError[],
  ): InboundAnswer {
    const message = buildMessageError(received, errors, {
      ourParty: { id: this.deps.partyKey, type: PARTY_TYPE },
      messageId: randomUUID().toUpperCase(),
      timestamp: formatTimestamp(this.now()),
    });
    return answer(200, message);
  }

  private answerFault(fault: EbxmlFault): InboundAnswer {
    if (fault.headerParsed && fault.header?.messageId) {
      return this.messageError(fault.header as Partial<MessageHeader> & { messageId: string }, [fault.error]);
    }
    this.deps.logger.warn(
      { errorCode: fault.error.errorCode, description: fault.error.description },
      'unparsable inbound message',
    );
    return {
      status: 400,
      contentType: 'text/xml; charset=UTF-8',
      body: Buffer.from(buildSoapFault('SOAP:Client', fault.error.description ?? fault.message)),
    };
  }

  private serverFault(error: unknown): InboundAnswer {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      status: 500,
      contentType: 'text/xml; charset=UTF-8',
      body: Buffer.from(
        buildSoapFault('SOAP:Server', 'temporary failure; retry later', reason.split('\n')[0]),
      ),
    };
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }
}

/** The HL7 payload read and mapped, or why it cannot be: a missing part, unparsable XML, a bad wrapper. */
function readHl7(
  action: string,
  hl7: string | undefined,
): { wrapper: ParsedWrapper; data: unknown } | { problem: string } {
  if (!hl7) return { problem: 'no HL7 payload part' };
  try {
    const wrapper = parseWrapper(hl7);
    if (wrapper.interactionId !== action)
      return { problem: `HL7 payload is ${wrapper.interactionId}, but eb:Action is ${action}` };
    const data =
      action === APPLICATION_ACKNOWLEDGEMENT
        ? parseApplicationAcknowledgement(wrapper)
        : mapInboundRequest(action, wrapper);
    return { wrapper, data };
  } catch (error) {
    return { problem: `HL7 payload: ${(error as Error).message.split('\n')[0]}` };
  }
}

function answer(status: number, message: HttpMessage): InboundAnswer {
  return { status, contentType: message.contentType, soapAction: message.soapAction, body: message.body };
}
