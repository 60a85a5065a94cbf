// The message lifecycle: every state, which are final, which await Spine's signal, and which moves
// are allowed. The stores refuse any other move; nothing else keeps a list of states.
export { lifecycleDiagram } from './diagram.js';
export {
  ANSWERABLE_STATES,
  AWAITING_SIGNAL_STATES,
  DEAD_LETTER_STATES,
  type Direction,
  ERROR_OUTCOME_STATES,
  FINAL,
  FINAL_INBOUND_STATES,
  FINAL_OUTBOUND_STATES,
  IN_FLIGHT_OUTBOUND_STATES,
  INBOUND_STATES,
  INITIAL_STATE,
  type InboundState,
  isFinal,
  MESSAGE_STATES,
  type MessageState,
  OUTBOUND_STATES,
  type OutboundState,
  UNSUCCESSFUL_STATES,
} from './states.js';
export {
  ALLOWED_FROM,
  checkTransition,
  IllegalTransitionError,
  mayMove,
  TRANSITIONS,
} from './transitions.js';
