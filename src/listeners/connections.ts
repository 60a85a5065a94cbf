import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RefusalLog } from './refusal-log.js';

export interface ConnectionLimits {
  /** Open connections on this listener. */
  max: number;
  /** Open connections from one remote address; one more is closed at once. */
  maxPerAddress: number;
}

/** The TCP socket under a TLS socket (what the guard counted), or the socket itself. */
function rawSocket(socket: Socket): Socket {
  return (socket as Socket & { _parent?: Socket })._parent ?? socket;
}

/**
 * Caps the connections a listener holds, in total and per remote address, so idle or slow
 * sockets cannot use up the process's file descriptors (issue 13). The check runs before the
 * server's own connection handling, so a refused socket costs no TLS state and no parser.
 *
 * At the total cap a connection that has not yet proved itself (finished its TLS handshake, or
 * sent a request on plain HTTP) is closed to make room, oldest first: connections held open by
 * saying nothing then cannot lock a legitimate peer out, who proves itself within milliseconds.
 * Only when every connection has proved itself is the new one refused.
 */
export function guardConnections(
  server: Server,
  limits: ConnectionLimits,
  log: RefusalLog,
  provenOn: 'secureConnection' | 'request',
): void {
  let open = 0;
  const perAddress = new Map<string, number>();
  /** Connections that have not proved themselves yet, oldest first (a Set keeps insertion order). */
  const unproven = new Set<Socket>();
  const accept = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = perAddress.get(address) ?? 0;
    if (fromAddress >= limits.maxPerAddress) {
      socket.destroy();
      log.note(`the address already holds ${limits.maxPerAddress} connections`, address);
      return;
    }
    if (open >= limits.max) {
      const oldest = unproven.values().next().value;
      if (!oldest) {
        socket.destroy();
        log.note(`the listener already holds ${limits.max} connections`, address);
        return;
      }
      unproven.delete(oldest);
      log.note(
        `the listener holds ${limits.max} connections: the oldest that had not finished a handshake or request was closed`,
        oldest.remoteAddress,
      );
      evicted.add(oldest);
      oldest.destroy();
      // Its 'close' event comes later: count it out now, so the new connection fits.
      open -= 1;
      release(oldest.remoteAddress ?? 'unknown');
      (oldest as Socket & { [COUNTED_OUT]?: true })[COUNTED_OUT] = true;
    }
    open += 1;
    perAddress.set(address, fromAddress + 1);
    unproven.add(socket);
    socket.once('close', () => {
      unproven.delete(socket);
      if ((socket as Socket & { [COUNTED_OUT]?: true })[COUNTED_OUT]) return;
      open -= 1;
      release(address);
    });
    for (const listener of accept) listener.call(server, socket);
  });
  if (provenOn === 'request') server.on('request', (request) => unproven.delete(request.socket));
  else server.on('secureConnection', (socket: Socket) => unproven.delete(rawSocket(socket)));

  function release(address: string): void {
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  }
}

const COUNTED_OUT = Symbol('counted out');
/** Sockets closed to make room, so the TLS layer's "client hung up" is not reported as well. */
const evicted = new WeakSet<Socket>();

/** Whether the guard closed this socket (or the TCP socket under this TLS socket) to make room. */
export function closedByGuard(socket: Socket): boolean {
  return evicted.has(rawSocket(socket));
}
