import { createHash } from 'node:crypto';
import type { Logger } from '../ops/index.js';
import type { ReferralStore } from '../store/index.js';
import { type ActionAnswer, type FinalAnswer, problem } from './problems.js';

/** An action the PAS asked for, under its Idempotency-Key. */
export interface KeyedRequest {
  idempotencyKey: string;
  ubrn: string;
  /** The action's name as stored with the key (accept, ag-respond…). */
  action: string;
  body: unknown;
}

/**
 * A claim older than this was left by a gateway that stopped mid-action: it is taken over. Safe,
 * because every action carries the version it was decided on (If-Match, or A027's createFrom);
 * had the first attempt reached e-RS, the version has moved and e-RS refuses instead of acting twice.
 */
export const ABANDONED_CLAIM_MS = 5 * 60_000;

/**
 * Runs `act` at most once per Idempotency-Key: the key is claimed in the store first; a retry with
 * the same key and body gets the first answer again, another body is refused (422), a key still in
 * progress answers 409. A final answer is kept; otherwise the key is freed for a retry.
 */
export async function onceOnly(
  store: ReferralStore,
  logger: Logger,
  clock: () => Date,
  request: KeyedRequest,
  act: () => Promise<FinalAnswer>,
): Promise<ActionAnswer> {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([request.action, request.ubrn, request.body]))
    .digest('hex');
  const decision = {
    idempotencyKey: request.idempotencyKey,
    ubrn: request.ubrn,
    action: request.action,
    fingerprint,
  };
  let claim = await store.claimDecision(decision);
  if (
    !claim.claimed &&
    claim.existing.status === 'IN_PROGRESS' &&
    claim.existing.fingerprint === fingerprint &&
    clock().getTime() - Date.parse(claim.existing.updatedAt) > ABANDONED_CLAIM_MS
  ) {
    logger.warn({ ubrn: request.ubrn, action: request.action }, 'taking over an abandoned decision');
    await store.releaseDecision(request.idempotencyKey);
    claim = await store.claimDecision(decision);
  }
  if (!claim.claimed) {
    const existing = claim.existing;
    if (existing.fingerprint !== fingerprint)
      return problem(
        422,
        'Idempotency-Key reused',
        'this Idempotency-Key was used for a different request; use a new key for a new decision',
        'idempotency-key-reused',
      );
    if (existing.status === 'IN_PROGRESS')
      return {
        ...problem(
          409,
          'Decision in progress',
          'a request with this Idempotency-Key is still being processed',
          'in-progress',
        ),
        retryAfterSeconds: 5,
      };
    return {
      status: existing.outcome!.status,
      body: existing.outcome!.body as Record<string, unknown>,
      replayed: true,
    };
  }
  let answer: FinalAnswer;
  try {
    answer = await act();
  } catch (error) {
    await store.releaseDecision(request.idempotencyKey).catch(() => undefined);
    throw error;
  }
  if (answer.final)
    await store.finishDecision(request.idempotencyKey, { status: answer.status, body: answer.body });
  else await store.releaseDecision(request.idempotencyKey);
  const { final: _final, ...rest } = answer;
  return rest;
}
