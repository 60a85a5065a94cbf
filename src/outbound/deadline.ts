import { DEFAULT_REPLY_TIMEOUT, parseDuration } from '../routing/index.js';
import type { RouteSnapshot } from './submission.js';

/**
 * The last moment a message may still be resent under the same MessageId (conformance T1): the
 * first attempt + RetryInterval × (Retries + 1), never later than the receiver's PersistDuration
 * (past that it may have forgotten the id and deliver a resend twice), and never less than one
 * RetryInterval, so the first retry is always possible.
 */
export function resendDeadline(
  route: Pick<RouteSnapshot, 'retryIntervalMs' | 'retries' | 'persistDurationMs'>,
  firstAttemptAt: string,
): number {
  const window = Math.min(route.retryIntervalMs * (route.retries + 1), route.persistDurationMs);
  return Date.parse(firstAttemptAt) + Math.max(window, route.retryIntervalMs);
}

/**
 * The last moment a sent message may wait for Spine's answer (its ebXML Acknowledgment, then its
 * application acknowledgement) in SENT or ACKED: acceptance + the route's `replyTimeout`, and never
 * before the resend window from acceptance has closed, so a message still being resent is not given up.
 */
export function replyDeadline(
  route:
    | Partial<Pick<RouteSnapshot, 'retryIntervalMs' | 'retries' | 'persistDurationMs' | 'replyTimeoutMs'>>
    | undefined,
  acceptedAt: string,
): number {
  const timeout = route?.replyTimeoutMs ?? parseDuration(DEFAULT_REPLY_TIMEOUT)!;
  const { retryIntervalMs, retries, persistDurationMs } = route ?? {};
  // A snapshot without reliability (never the case for messages we accept) has no resend window.
  const resendUntil =
    retryIntervalMs !== undefined && retries !== undefined && persistDurationMs !== undefined
      ? resendDeadline({ retryIntervalMs, retries, persistDurationMs }, acceptedAt)
      : 0;
  return Math.max(Date.parse(acceptedAt) + timeout, resendUntil);
}
