export { type ApplicationAckReply, CorrelationConsumer, mapApplicationAck } from './consumer.js';
export type { Signal } from './signal.js';
export { Waiters } from './waiters.js';
