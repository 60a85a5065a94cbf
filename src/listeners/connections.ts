import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RefusalLog } from './refusal-log.js';

export interface ConnectionLimits {
  /** Open connections on this listener; one more is closed at once. */
  max: number;
  /** Open connections from one remote address; one more is closed at once. */
  maxPerAddress: number;
}

/** Sockets this guard closed, so the TLS layer's own "client hung up" error is not reported twice. */
const refusedSockets = new WeakSet<Socket>();

/**
 * Caps the connections a listener holds, in total and per remote address, so idle or slow
 * sockets from one peer cannot use up the process's file descriptors (issue 13). Runs before
 * anything else sees the socket (before the TLS handshake on an https server).
 */
export function guardConnections(server: Server, limits: ConnectionLimits, log: RefusalLog): void {
  let open = 0;
  const perAddress = new Map<string, number>();
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = perAddress.get(address) ?? 0;
    const reason =
      open >= limits.max
        ? `the listener already holds ${limits.max} connections`
        : fromAddress >= limits.maxPerAddress
          ? `the address already holds ${limits.maxPerAddress} connections`
          : undefined;
    if (reason) {
      refusedSockets.add(socket);
      socket.destroy();
      log.note(reason, address);
      return;
    }
    open += 1;
    perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      open -= 1;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });
}

/** Whether the guard closed this socket (or the raw socket under a TLS socket). */
export function refusedByGuard(socket: Socket): boolean {
  const parent = (socket as Socket & { _parent?: Socket })._parent;
  return refusedSockets.has(socket) || (parent !== undefined && refusedSockets.has(parent));
}
