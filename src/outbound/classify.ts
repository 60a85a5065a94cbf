import {
  type EbxmlError,
  EbxmlFault,
  isRetriableSoapFault,
  parseMessage,
  parseSoapFault,
  parseSyncMessage,
  type SoapFault,
} from '../ebxml/index.js';
import type { TransportResponse } from '../transport/index.js';

/** What one transport answer means for the message (ebms2-reliability-and-signing.md §2). */
export type SendOutcome =
  | { kind: 'accepted'; detail: string }
  | { kind: 'acknowledged'; detail: string }
  | { kind: 'replied'; detail: string; interactionId?: string; hl7: string }
  | { kind: 'rejected'; detail: string; errors: SpineError[] }
  /** `errors`: Spine's own codes when it sent a retriable fault, kept for the PAS if retries run out. */
  | { kind: 'retry'; detail: string; errors?: SpineError[] };

/** An error as the PAS sees it: MHS adaptor field names, so existing clients keep working. */
export interface SpineError {
  errorType: 'ebxml_error' | 'soap_fault';
  codeContext?: string;
  errorCode: string;
  severity?: string;
  description?: string;
  location?: string;
}

export function classifyResponse(
  response: TransportResponse,
  messageId: string,
  workflow = 'forward-reliable',
): SendOutcome {
  const { status, body } = response;
  if (status >= 200 && status < 300) {
    if (body.byteLength === 0 || body.toString('utf8').trim() === '')
      return { kind: 'accepted', detail: `HTTP ${status}` };
    if (workflow === 'sync') return classifySyncBody(response);
    return classifyEbxmlBody(response, messageId);
  }
  const fault = safeSoapFault(body);
  if (fault) {
    const errors = fault.errors.map(soapError);
    const codes = fault.errors.map((e) => e.errorCode).join(', ') || 'none';
    if (isRetriableSoapFault(fault))
      return { kind: 'retry', detail: `HTTP ${status} SOAP fault, retriable codes ${codes}`, errors };
    return {
      kind: 'rejected',
      detail: `HTTP ${status} SOAP fault ${fault.faultstring} (codes ${codes})`,
      errors,
    };
  }
  // A MessageError is Spine's final word whatever the status: its MHS answers with 200, the MHS
  // adaptor's fake Spine with 500. Only a transport failure without one is worth a retry.
  const refused = messageError(response);
  if (refused) return refused;
  if (status >= 500 || status === 429 || status === 408)
    return { kind: 'retry', detail: `HTTP ${status} without a SOAP fault or MessageError` };
  return {
    kind: 'rejected',
    detail: `HTTP ${status}`,
    errors: [
      {
        errorType: 'soap_fault',
        errorCode: String(status),
        description: body.toString('utf8').slice(0, 200),
      },
    ],
  };
}

/** A fatal ebXML MessageError in a non-2xx answer, or undefined when the body is anything else. */
function messageError(response: TransportResponse): SendOutcome | undefined {
  if (response.body.byteLength === 0) return undefined;
  try {
    const parsed = parseMessage(response.contentType, response.body);
    const errors = parsed.errors ?? [];
    if (parsed.kind !== 'error' || !errors.some((e) => e.severity === 'Error')) return undefined;
    return {
      kind: 'rejected',
      detail: `HTTP ${response.status} MessageError ${describe(errors)}`,
      errors: errors.map(ebxmlError),
    };
  } catch {
    return undefined;
  }
}

function classifyEbxmlBody(response: TransportResponse, messageId: string): SendOutcome {
  try {
    const parsed = parseMessage(response.contentType, response.body);
    if (parsed.kind === 'error') {
      const errors = (parsed.errors ?? []).map(ebxmlError);
      const fatal = (parsed.errors ?? []).some((e) => e.severity === 'Error');
      if (fatal) return { kind: 'rejected', detail: `MessageError ${describe(parsed.errors ?? [])}`, errors };
      return {
        kind: 'accepted',
        detail: `HTTP ${response.status} with warnings ${describe(parsed.errors ?? [])}`,
      };
    }
    if (parsed.kind === 'acknowledgment') {
      const ref = parsed.acknowledgment?.refToMessageId ?? parsed.header.refToMessageId;
      if (ref === messageId)
        return {
          kind: 'acknowledged',
          detail: `Acknowledgment ${parsed.header.messageId} in HTTP ${response.status}`,
        };
      return {
        kind: 'accepted',
        detail: `HTTP ${response.status} with an Acknowledgment for another message (${ref})`,
      };
    }
    return { kind: 'accepted', detail: `HTTP ${response.status} with an ebXML ${parsed.header.action}` };
  } catch (error) {
    const reason = error instanceof EbxmlFault ? error.error.description : (error as Error).message;
    return { kind: 'accepted', detail: `HTTP ${response.status} with an unreadable body (${reason})` };
  }
}

/** A sync answer is the business reply itself: the first HL7 element under the Body, whatever wraps it. */
function classifySyncBody(response: TransportResponse): SendOutcome {
  let reply: ReturnType<typeof parseSyncMessage>;
  try {
    reply = parseSyncMessage(response.body);
  } catch (error) {
    return {
      kind: 'rejected',
      detail: `HTTP ${response.status} with an unreadable sync response`,
      errors: [
        { errorType: 'soap_fault', errorCode: 'InvalidResponse', description: (error as Error).message },
      ],
    };
  }
  if (!reply?.hl7) {
    return {
      kind: 'rejected',
      detail: `HTTP ${response.status} sync response without an HL7 payload`,
      errors: [
        {
          errorType: 'soap_fault',
          errorCode: 'InvalidResponse',
          description: 'no HL7 element in the SOAP Body',
        },
      ],
    };
  }
  return {
    kind: 'replied',
    detail: `HTTP ${response.status} sync response ${reply.hl7Root ?? ''}`.trim(),
    interactionId: reply.hl7Root,
    hl7: reply.hl7,
  };
}

function safeSoapFault(body: Buffer): SoapFault | undefined {
  try {
    return parseSoapFault(body);
  } catch {
    return undefined;
  }
}

function soapError(error: SoapFault['errors'][number]): SpineError {
  return { errorType: 'soap_fault', ...error };
}

function ebxmlError(error: EbxmlError): SpineError {
  const out: SpineError = { errorType: 'ebxml_error', errorCode: error.errorCode, severity: error.severity };
  if (error.codeContext) out.codeContext = error.codeContext;
  if (error.description) out.description = error.description;
  if (error.location) out.location = error.location;
  return out;
}

function describe(errors: EbxmlError[]): string {
  return errors.map((e) => `${e.errorCode}${e.description ? ` "${e.description}"` : ''}`).join('; ');
}
