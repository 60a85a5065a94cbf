// MSH-service requests answered on the same connection (conformance X1): Ping and StatusRequest.
import { buildPong, buildStatusResponse, type ParsedMessage, parseStatusRequest } from '../ebxml/index.js';
import type { Logger } from '../ops/index.js';
import { answer, type InboundAnswer, messageErrorAnswer, ourHeader } from './answers.js';
import type { InboundDependencies } from './dependencies.js';

/** Ping → Pong; StatusRequest → StatusResponse from what the store knows of the message named. */
export async function answerMshRequest(
  deps: InboundDependencies,
  parsed: ParsedMessage,
  log: Logger,
): Promise<InboundAnswer> {
  const context = ourHeader(deps);
  if (parsed.header.action === 'Ping') {
    log.info({ audit: 'received', kind: 'ping' }, 'Ping answered with Pong');
    return answer(200, buildPong(parsed.header, context));
  }
  const asked = parseStatusRequest(parsed.envelopeXml);
  if (!asked) {
    return messageErrorAnswer(deps, parsed.header, [
      {
        errorCode: 'OtherXml',
        severity: 'Error',
        description: 'StatusRequest without eb:StatusRequest/eb:RefToMessageId in the Body',
        location: 'eb:StatusRequest',
      },
    ]);
  }
  // Only messages we received have a status here; our own outbound ones are not "received" by us.
  const message = await deps.store.get(asked);
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
