// Reading MSH signals from an inbound SOAP header: eb:Acknowledgment and eb:ErrorList, and the
// message kind they make. Spine's numeric description prefix is split off, the raw text kept.
import { attribute, element, elements, NS, text, type XmlElement } from '../xml/index.js';
import { fault } from './fault.js';
import { readParty } from './header-parse.js';
import type { EbxmlError, MessageHeader, MessageKind, ParsedAcknowledgment } from './model.js';
import { ERROR_CODE_CONTEXT } from './model.js';

const SPINE_CODE = /^\s*(\d+)\s*:\s*(.*)$/s;

/** The eb:Acknowledgment element the message parser chose (the only one). */
export function readAcknowledgment(ack: XmlElement, header: MessageHeader): ParsedAcknowledgment {
  const refToMessageId = text(ack, 'eb:RefToMessageId');
  if (!refToMessageId) {
    throw fault(
      'OtherXml',
      'eb:Acknowledgment has no eb:RefToMessageId',
      'eb:Acknowledgment/eb:RefToMessageId',
      header,
    );
  }
  const parsed: ParsedAcknowledgment = { refToMessageId };
  const timestamp = text(ack, 'eb:Timestamp');
  const actor = attribute(ack, 'actor', NS.soap)?.trim();
  const from = readParty(ack, 'eb:From');
  if (timestamp) parsed.timestamp = timestamp;
  if (actor) parsed.actor = actor;
  if (from) parsed.from = from;
  return parsed;
}

export interface ErrorList {
  highestSeverity?: string;
  errors: EbxmlError[];
}

/** The eb:ErrorList element the message parser chose (the only one). */
export function readErrorList(list: XmlElement, header: MessageHeader): ErrorList {
  const errors = elements(list, 'eb:Error').map((error) => readError(error, header));
  if (errors.length === 0) throw fault('OtherXml', 'eb:ErrorList has no eb:Error', 'eb:ErrorList', header);
  const highestSeverity = attribute(list, 'highestSeverity', NS.eb)?.trim();
  return highestSeverity ? { highestSeverity, errors } : { errors };
}

function readError(error: XmlElement, header: MessageHeader): EbxmlError {
  const errorCode = attribute(error, 'errorCode', NS.eb)?.trim();
  if (!errorCode) throw fault('OtherXml', 'eb:Error has no eb:errorCode', 'eb:Error/@eb:errorCode', header);
  // The schema's default severity is Warning; kindOf() also honours eb:highestSeverity.
  const severity = attribute(error, 'severity', NS.eb)?.trim() === 'Error' ? 'Error' : 'Warning';
  const parsed: EbxmlError = {
    errorCode,
    severity,
    codeContext: attribute(error, 'codeContext', NS.eb)?.trim() || ERROR_CODE_CONTEXT,
  };
  const location = attribute(error, 'location', NS.eb);
  const description = element(error, 'eb:Description')?.content;
  if (location !== undefined) parsed.location = location;
  if (description !== undefined) {
    parsed.description = description;
    const spineCode = SPINE_CODE.exec(description)?.[1];
    if (spineCode) parsed.spineCode = spineCode;
  }
  return parsed;
}

export function kindOf(
  acknowledgment: ParsedAcknowledgment | undefined,
  errorList: ErrorList | undefined,
): MessageKind {
  const failed =
    errorList &&
    (errorList.highestSeverity === 'Error' || errorList.errors.some((e) => e.severity === 'Error'));
  if (failed) return 'error';
  if (acknowledgment) return 'acknowledgment';
  return errorList ? 'error' : 'message';
}
