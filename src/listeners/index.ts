// What every listening socket of the gateway enforces, the same way on the mTLS inbound endpoint
// and the REST API: connection caps, deadlines, one budget for bodies in memory, and refusals
// logged at a bounded rate.
import type { Server } from 'node:http';
import { type ConnectionLimits, guardConnections } from './connections.js';
import type { RefusalLog } from './refusal-log.js';
import { httpServerOptions, type ListenerTimeouts } from './timeouts.js';

export { BodyBudget, bodyReservation } from './body-budget.js';
export {
  answerClientErrors,
  type ClientErrorBody,
  type ClientErrorProblem,
  describeClientError,
  MAX_HEADER_BYTES,
} from './client-errors.js';
export { type ConnectionLimits, closedByGuard, guardConnections } from './connections.js';
export { RefusalLog } from './refusal-log.js';
export { httpServerOptions, type ListenerTimeouts } from './timeouts.js';

export type ListenerSettings = ConnectionLimits & ListenerTimeouts;

/**
 * Applies caps and deadlines to a server built with `httpServerOptions(settings)`. Call it right
 * after creating the server. A connection proves itself by finishing its TLS handshake (`tls`)
 * or by sending a request (plain HTTP).
 */
export function protectListener(
  server: Server,
  settings: ListenerSettings,
  log: RefusalLog,
  proof: { tls: boolean },
): void {
  const options = httpServerOptions(settings);
  // Set again as properties: older Node versions read some of these only from the instance.
  server.headersTimeout = options.headersTimeout;
  server.requestTimeout = options.requestTimeout;
  server.keepAliveTimeout = options.keepAliveTimeout;
  guardConnections(server, settings, log, proof.tls ? 'secureConnection' : 'request');
  server.once('close', () => log.close());
}
