export { classifyResponse, type SendOutcome, type SpineError } from './classify.js';
export { MtlsClient, TransportError, type TransportResponse } from './client.js';
export {
  InvalidSubmissionError,
  NotAcceptedError,
  type OutboundDependencies,
  OutboundSubmission,
  type RouteSnapshot,
  type SubmitRequest,
  type Submitted,
  snapshot,
} from './submission.js';
export { SendWorker } from './worker.js';
