export { classifyResponse, type SendOutcome, type SpineError } from './classify.js';
export {
  DeadLetterConflictError,
  type DeadLetterDependencies,
  DeadLetterNotFoundError,
  type DeadLetterPage,
  type DeadLetterSummary,
  DeadLetters,
  type ReplayResult,
} from './dead-letters.js';
export { replyDeadline, resendDeadline } from './deadline.js';
export { outcomeMessageId, replyDeadlineAt } from './outcomes.js';
export {
  InvalidSubmissionError,
  mayBeAwaited,
  NotAcceptedError,
  type OutboundDependencies,
  OutboundSubmission,
  partySentTo,
  type RouteSnapshot,
  type SubmitRequest,
  type Submitted,
  snapshot,
  wakeWaiters,
} from './submission.js';
export { DEFAULT_SWEEPER, Sweeper, type SweeperSettings } from './sweeper.js';
export { SendWorker, sendingStaleAfterMs } from './worker.js';
