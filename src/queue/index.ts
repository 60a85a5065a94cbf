export { Broker, type BrokerOptions } from './broker.js';
export { QueueContractError } from './contract.js';
export {
  type DeadLetterNotice,
  encodeDeadLetterNotice,
  parseDeadLetterNotice,
  publishDeadLetterNotice,
} from './dead-letter.js';
export {
  type BrokerLogger,
  BrokerUnavailableError,
  type Delivery,
  type Disposition,
  type Handler,
  type PublishProperties,
} from './delivery.js';
export {
  encodeOutboundWork,
  type OutboundWorkHeaders,
  type OutboundWorkItem,
  type OutboundWorkMessage,
  parseOutboundWork,
  queueOutboundRetry,
  queueOutboundWork,
} from './outbound-work.js';
export { encodePasMessage, type PasMessage, parsePasMessage, publishToPas } from './pas.js';
export type { EventBus, QueueConsumer, QueuePublisher, RetryPublisher } from './ports.js';
export {
  encodeReferralEvent,
  parseReferralEvent,
  publishReferralEvent,
  type ReferralEvent,
  type ReferralEventKind,
  referralEventId,
} from './referral-event.js';
export { encodeSignal, parseSignal, type Signal } from './signal.js';
export { EVENTS_EXCHANGE, eventQueueName, QUEUES, type QueueName, retryQueueName } from './topology.js';
export { parseWakeUp, publishWakeUp, wakeUpKey } from './wake-up.js';
