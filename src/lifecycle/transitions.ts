import { createError } from '../errors/index.js';
import { ANSWERABLE_STATES, AWAITING_SIGNAL_STATES, type MessageState } from './states.js';

/**
 * For each state, the states a message may enter it from, and why (the edge's label in the
 * diagram). A message is only ever stored in its INITIAL_STATE; every later move is one of these.
 */
export const TRANSITIONS: Readonly<Record<MessageState, Readonly<Partial<Record<MessageState, string>>>>> = {
  // The PAS resubmits, with the same Message-Id, a message answered 503 and never queued.
  ACCEPTED: { FAILED: 'resubmitted, never queued' },
  // SENDING again: a send interrupted (its worker died) is claimed again.
  SENDING: { ACCEPTED: 'claimed', RETRYING: 'claimed', SENDING: 'interrupted send claimed again' },
  SENT: { SENDING: 'HTTP 202' },
  // An answer may overtake the HTTP response, or come after it was lost.
  ACKED: { SENDING: 'Acknowledgment', SENT: 'Acknowledgment', RETRYING: 'Acknowledgment' },
  // An operator replays a FAILED message with the same MessageId while the receiver remembers it.
  RETRYING: { SENDING: 'retriable fault', FAILED: 'replayed, same MessageId' },
  COMPLETED: answerable('reply or AA'),
  NACKED: answerable('MessageError'),
  REJECTED: answerable('AE or AR'),
  FAILED: {
    ACCEPTED: 'not queued, or resend deadline passed',
    SENDING: 'retries spent, or resend deadline passed',
    RETRYING: 'resend deadline passed, or replay not queued',
  },
  UNANSWERED: Object.fromEntries(AWAITING_SIGNAL_STATES.map((state) => [state, 'reply deadline passed'])),
  RECEIVED: {},
  DELIVERED: { RECEIVED: 'queued for the PAS' },
};

function answerable(label: string): Partial<Record<MessageState, string>> {
  return Object.fromEntries(ANSWERABLE_STATES.map((state) => [state, label]));
}

/** For each target state, the states it may be entered from. */
export const ALLOWED_FROM: Readonly<Record<MessageState, readonly MessageState[]>> = allowedFrom();

function allowedFrom(): Record<MessageState, readonly MessageState[]> {
  const allowed = {} as Record<MessageState, readonly MessageState[]>;
  for (const to of Object.keys(TRANSITIONS) as MessageState[])
    allowed[to] = Object.keys(TRANSITIONS[to]) as MessageState[];
  return allowed;
}

export function mayMove(from: MessageState, to: MessageState): boolean {
  return ALLOWED_FROM[to].includes(from);
}

/** A move the lifecycle does not allow was asked for: a fault in the caller, never in the message. */
export class IllegalTransitionError extends createError('ILLEGAL_TRANSITION', 500, 'Internal error') {
  constructor(
    readonly to: MessageState,
    readonly from: readonly MessageState[],
  ) {
    const allowed = ALLOWED_FROM[to];
    super(
      `a message cannot move to ${to} from ${from.join(' or ')}: ${to} is entered only from ${
        allowed.length ? allowed.join(', ') : 'nowhere (it is the state a message is stored in)'
      }`,
    );
  }
}

/**
 * The stores' check on a move of a message in `current` to `to`. With `from` (the caller's
 * compare-and-set: "only if it is still one of these"), every state in it must be allowed to move
 * to `to`, and false means the message is in none of them now. Without `from`, `current` itself
 * must be allowed. Anything else is refused with IllegalTransitionError.
 */
export function checkTransition(
  current: MessageState,
  to: MessageState,
  from?: readonly MessageState[],
): boolean {
  const refused = (from ?? [current]).filter((state) => !mayMove(state, to));
  if (refused.length > 0) throw new IllegalTransitionError(to, refused);
  return from === undefined || from.includes(current);
}
