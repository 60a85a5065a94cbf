export interface ListenerTimeouts {
  /**
   * From a connection's first byte, or a request's first byte on a kept-alive connection, until
   * its headers are complete (a socket that never sends a request is closed after this too).
   */
  headersTimeoutMs: number;
  /** From a request's first byte until its whole body has arrived: bounds a slow upload. */
  requestTimeoutMs: number;
  /**
   * How long an idle kept-alive connection stays open. Above the usual client idle timeouts, so
   * the client, not the server, ends an idle connection and never sends on one being closed.
   */
  keepAliveTimeoutMs: number;
}

/**
 * Node's server options for these timeouts. Node checks headers and request deadlines on a
 * timer (30 s by default, which would let a slow body run 30 s past its deadline); here the
 * check runs at a quarter of the shortest deadline, at most once a second.
 */
export function httpServerOptions(timeouts: ListenerTimeouts): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    headersTimeout: timeouts.headersTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(
      25,
      Math.min(1000, Math.floor(Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs) / 4)),
    ),
  };
}
