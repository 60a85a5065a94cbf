// ebMS 2.0 as Spine speaks it: envelope and MIME building, Acknowledgment and MessageError
// signals, tolerant inbound parsing, and SOAP faults. Pure functions over strings and buffers.

export { type ContentType, parseContentType } from './content-type.js';
export { buildMessage } from './envelope.js';
export { EbxmlFault } from './fault.js';
export {
  type ParsedEbxmlMessage,
  parseMessage,
  type ReadEnvelope,
  soapActionMismatch,
} from './message-parse.js';
export { frameMime, toHttpMessage } from './mime-build.js';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_PARTS, type MimeLimits, parseMime } from './mime-parse.js';
export * from './model.js';
export {
  buildAcknowledgment,
  buildMessageError,
  buildMshRequest,
  buildPong,
  buildStatusResponse,
  type MessageStatus,
  type SignalContext,
  SPINE_ERRORS,
} from './signals.js';
export { buildSoapFault, isRetriableSoapFault, parseSoapFault, type SoapFault } from './soap-fault.js';
export { type ParsedStatusResponse, parseStatusRequest, parseStatusResponse } from './status-parse.js';
export {
  buildSyncRequest,
  buildSyncResponse,
  parseSyncMessage,
  type SyncMessage,
  type SyncRequest,
} from './sync.js';
export { formatTimestamp, parseTimestamp } from './timestamp.js';
export { contentIdOfHref } from './values.js';
