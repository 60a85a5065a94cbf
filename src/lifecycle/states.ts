// The message states, in the order people read them (the dashboard, the OpenAPI enum, the diagram).

export const OUTBOUND_STATES = [
  'ACCEPTED',
  'SENDING',
  'SENT',
  'RETRYING',
  'ACKED',
  'COMPLETED',
  'NACKED',
  'REJECTED',
  'FAILED',
  'UNANSWERED',
] as const;
export const INBOUND_STATES = ['RECEIVED', 'DELIVERED'] as const;
/** Every state, outbound then inbound. */
export const MESSAGE_STATES: readonly MessageState[] = [...OUTBOUND_STATES, ...INBOUND_STATES];
export type OutboundState = (typeof OUTBOUND_STATES)[number];
export type InboundState = (typeof INBOUND_STATES)[number];
export type MessageState = OutboundState | InboundState;
export type Direction = 'outbound' | 'inbound';

/** The state a new message is stored in: the PAS handed it over, or Spine sent it. */
export const INITIAL_STATE: Readonly<Record<Direction, MessageState>> = {
  outbound: 'ACCEPTED',
  inbound: 'RECEIVED',
};

/**
 * Outbound states a message never leaves by itself: nothing more will be sent or received for it.
 * UNANSWERED: sent (and perhaps acknowledged by Spine's MSH), but the answer it waited for — the
 * ebXML Acknowledgment or the application acknowledgement — did not come by its reply deadline.
 * Only a replay (see ALLOWED_FROM) takes a FAILED message out again.
 */
export const FINAL_OUTBOUND_STATES = ['COMPLETED', 'NACKED', 'REJECTED', 'FAILED', 'UNANSWERED'] as const;
export const FINAL_INBOUND_STATES = ['DELIVERED'] as const;
/** Every final state, both directions. */
export const FINAL: readonly MessageState[] = [...FINAL_OUTBOUND_STATES, ...FINAL_INBOUND_STATES];

/** Outbound states still waiting for something (a send, an acknowledgment, a reply). */
export const IN_FLIGHT_OUTBOUND_STATES: readonly OutboundState[] = OUTBOUND_STATES.filter(
  (state) => !(FINAL_OUTBOUND_STATES as readonly string[]).includes(state),
);

/**
 * Sent, and waiting for Spine's signal (not for us to send): SENT waits for the ebXML
 * Acknowledgment or the application acknowledgement, ACKED for the application acknowledgement.
 * Each ends at the reply deadline, UNANSWERED.
 */
export const AWAITING_SIGNAL_STATES: readonly MessageState[] = ['SENT', 'ACKED'];

/**
 * States in which Spine may have the message, so a signal for it may arrive: besides those awaiting
 * one, SENDING (the answer overtook the HTTP response) and RETRYING (the response was lost, the
 * message was not). A message still ACCEPTED was never sent: nothing can answer it.
 */
export const ANSWERABLE_STATES: readonly MessageState[] = ['SENDING', 'SENT', 'RETRYING', 'ACKED'];

/**
 * Dead letters: outbound messages the gateway gave up on — sending (FAILED) or waiting for an answer
 * (UNANSWERED) — that an operator replays or discards.
 */
export const DEAD_LETTER_STATES = ['FAILED', 'UNANSWERED'] as const;

/**
 * Final states the PAS is told of as an error (`kind: error`, `data.status`): Spine refused the
 * message (NACKED), the gateway gave up sending it (FAILED) or stopped waiting (UNANSWERED).
 * REJECTED reaches the PAS as the application acknowledgement itself.
 */
export const ERROR_OUTCOME_STATES: readonly MessageState[] = ['NACKED', 'FAILED', 'UNANSWERED'];

/** Final outbound states that are not a success (what the dashboard lists as recent errors). */
export const UNSUCCESSFUL_STATES: readonly MessageState[] = FINAL_OUTBOUND_STATES.filter(
  (state) => state !== 'COMPLETED',
);

export function isFinal(state: MessageState): boolean {
  return FINAL.includes(state);
}
