export { type ApplicationAckReply, CorrelationConsumer, mapApplicationAck } from './consumer.js';
export { Waiters } from './waiters.js';
