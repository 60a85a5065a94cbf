export {
  type ApplicationAckReply,
  CorrelationConsumer,
  mapApplicationAck,
  type NotificationPublisher,
} from './consumer.js';
export { Waiters } from './waiters.js';
