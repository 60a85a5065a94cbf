// The one error type the parsers throw: an ebXML error ready to go into a MessageError, plus
// as much of the header as was read, so the receiver knows whether it can address one.
import { createError } from '../errors/index.js';
import type { EbxmlError, MessageHeader } from './model.js';

export class EbxmlFault extends createError('EBXML_FAULT', 400, 'Invalid ebXML message') {
  readonly error: EbxmlError;
  readonly header?: Partial<MessageHeader>;
  /** True when From and MessageId are known, so a MessageError can be addressed. */
  readonly headerParsed: boolean;

  constructor(error: EbxmlError, header?: Partial<MessageHeader>) {
    const where = error.location ? ` at ${error.location}` : '';
    super(`${error.errorCode}${where}: ${error.description ?? 'ebXML message rejected'}`);
    this.error = error;
    if (header !== undefined) this.header = header;
    this.headerParsed = Boolean(header?.from?.id && header.messageId);
  }
}

export function fault(
  errorCode: EbxmlError['errorCode'],
  description: string,
  location?: string,
  header?: Partial<MessageHeader>,
): EbxmlFault {
  const error: EbxmlError = { errorCode, severity: 'Error', description };
  if (location !== undefined) error.location = location;
  return new EbxmlFault(error, header);
}

export function mimeFault(description: string): EbxmlFault {
  return fault('MimeProblem', description);
}
