export {
  Broker,
  type BrokerLogger,
  BrokerUnavailableError,
  type Delivery,
  type Disposition,
  type Handler,
  type PublishProperties,
} from './broker.js';
export { QueueContractError } from './contract.js';
export { type PasMessage, publishToPas } from './pas.js';
export type { EventBus, QueueConsumer, QueuePublisher, RetryPublisher } from './ports.js';
export { encodeSignal, parseSignal, type Signal } from './signal.js';
export { EVENTS_EXCHANGE, eventQueueName, QUEUES, type QueueName, retryQueueName } from './topology.js';
