import {
  type EbxmlError,
  EbxmlFault,
  MSH_SERVICE,
  type ParsedMessage,
  parseMessage,
} from '../ebxml/index.js';
import { validateEnvelopeDocument } from '../schemas/index.js';
import { faultAnswer, type InboundAnswer, messageErrorAnswer, serverFault } from './answers.js';
import { receiveBusinessMessage } from './business.js';
import {
  envelopeSchemaProblem,
  firstProblem,
  messageChecks,
  SIGNATURE_CHECKS,
  signedMessage,
} from './checks/index.js';
import { ANY_SENDER, type InboundSender } from './clients.js';
import { type InboundDependencies, now } from './dependencies.js';
import { answerMshRequest } from './msh-requests.js';
import { receiveSignal } from './signals.js';

/**
 * The receive pipeline: parse, check, then hand the message to the module for its kind. Signals go
 * to correlation, MSH requests are answered at once, business messages are de-duplicated, stored,
 * queued (confirmed) and only then acknowledged. Transient failures answer 500 with no ack so the
 * sender retries; anything wrong with the message itself is answered, never a 500.
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
    const { deps } = this;
    let parsed: ParsedMessage;
    let signatureProblem: EbxmlError | undefined;
    let envelopeSchema: { problem?: EbxmlError } | undefined;
    try {
      // The schema and the signature are checked on the parser's own document (parsed once), the
      // signature against the nodes the header was read from. The schema first: verifying may
      // consume the document.
      parsed = parseMessage(contentType, body, soapAction, { maxParts: deps.maxParts }, (read, envelope) => {
        if (deps.validateSchema) {
          const problem = envelopeSchemaProblem(() => validateEnvelopeDocument(envelope.doc));
          envelopeSchema = problem ? { problem } : {};
        }
        const signed = signedMessage(read, envelope, sender, {
          routes: deps.routes,
          requireSignature: deps.requireSignature,
          trusted: deps.trusted,
          now: now(deps),
        });
        signatureProblem = firstProblem(SIGNATURE_CHECKS, signed);
      });
    } catch (error) {
      if (error instanceof EbxmlFault) return faultAnswer(deps, error);
      return serverFault(error);
    }
    const log = deps.logger.child({
      messageId: parsed.header.messageId,
      conversationId: parsed.header.conversationId,
      interactionId: parsed.header.action,
    });
    const received = {
      message: parsed,
      sender,
      partyKey: deps.partyKey,
      routes: deps.routes,
      now: now(deps),
      ...(envelopeSchema ? { envelopeSchema } : {}),
    };
    const problem = firstProblem(messageChecks(deps.validateSchema), received) ?? signatureProblem;
    if (problem) {
      log.warn(
        { audit: 'refused', errorCode: problem.errorCode, description: problem.description },
        'inbound message refused',
      );
      return messageErrorAnswer(deps, parsed.header, [problem]);
    }
    try {
      if (parsed.kind === 'acknowledgment' || parsed.kind === 'error')
        return await receiveSignal(deps, parsed, log, sender);
      if (parsed.header.service === MSH_SERVICE) return await answerMshRequest(deps, parsed, log);
      return await receiveBusinessMessage(deps, parsed, log, sender);
    } catch (error) {
      log.error(
        { err: (error as Error).message },
        'inbound message not processed; answering 500 so the sender retries',
      );
      return serverFault(error);
    }
  }
}
