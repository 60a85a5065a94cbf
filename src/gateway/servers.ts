// The gateway's listeners: started, and stopped gracefully, and the close of everything started.
import type { Server } from 'node:http';
import type https from 'node:https';

/** Undoes one step of start-up. */
export type Closer = () => Promise<void> | void;

export function listen<T extends Server | https.Server>(server: T, port: number, host: string): Promise<T> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Stops taking connections, lets requests in progress finish (up to `graceMs`), then closes the rest. */
export function closeServer(server: Server | https.Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections?.(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections?.();
  });
}

/** Closes everything started, in the order given (newest first). */
export async function closeAll(closers: Closer[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch {
      // Closing is best effort; one failure must not keep the rest open.
    }
  }
}
