import { attribute, element, text, withXml } from '../xml/index.js';
import type { MessageStatus } from './signals.js';

/** The MessageId a StatusRequest asks about (eb:StatusRequest/eb:RefToMessageId in the Body), if any. */
export function parseStatusRequest(envelopeXml: string): string | undefined {
  return withXml(
    envelopeXml,
    (doc) => text(doc.root, '/soap:Envelope/soap:Body/eb:StatusRequest/eb:RefToMessageId') || undefined,
  );
}

export interface ParsedStatusResponse {
  refToMessageId: string;
  messageStatus: MessageStatus;
  timestamp?: string;
}

export function parseStatusResponse(envelopeXml: string): ParsedStatusResponse | undefined {
  return withXml(envelopeXml, (doc) => {
    const response = element(doc.root, '/soap:Envelope/soap:Body/eb:StatusResponse');
    if (!response) return undefined;
    const parsed: ParsedStatusResponse = {
      refToMessageId: text(response, 'eb:RefToMessageId') ?? '',
      messageStatus: (attribute(
        response,
        'messageStatus',
        'http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd',
      ) ?? '') as MessageStatus,
    };
    const timestamp = text(response, 'eb:Timestamp');
    if (timestamp) parsed.timestamp = timestamp;
    return parsed;
  });
}
