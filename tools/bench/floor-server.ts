// The transport floor's stand-in for Spine: an HTTPS server with the gateway's own mutual-TLS
// policy that reads each POST fully and answers 202 with nothing else. It runs as a child process
// (see floor-child.ts) because the simulator is a separate process in the gateway run too, so both
// measurements pay the same cross-process cost.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadTls, serverOptions, type TlsFiles } from '#src/security/tls/index.js';
import { childArgument, failToParent, isForkedEntry, serveParent } from './floor-ipc.js';

export interface FloorServer {
  port: number;
  /** POSTs read to the end and answered 202 so far. */
  received(): number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 at a free port; a client certificate from `files.ca` is required. */
export async function startFloorServer(files: TlsFiles): Promise<FloorServer> {
  let received = 0;
  const server = https.createServer(serverOptions(loadTls(files)), (request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405, { 'content-length': '0' }).end();
      return;
    }
    // Consume the whole body before answering, as Spine (and the simulator) must.
    request.on('data', () => undefined);
    request.on('end', () => {
      received += 1;
      response.writeHead(202, { 'content-length': '0' }).end();
    });
  });
  await listen(server);
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () => closeServer(server),
  };
}

/** Listens on 127.0.0.1 at a port the system picks. */
export function listen(server: https.Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: https.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets would otherwise hold close() open until they time out.
    server.closeAllConnections();
  });
}

/** Child-process entry: TLS file paths arrive as the JSON argument; the port goes back over IPC. */
async function runAsChild(): Promise<void> {
  try {
    const server = await startFloorServer(childArgument<TlsFiles>());
    serveParent(server.port, { count: () => server.received() }, () => server.close());
  } catch (error) {
    failToParent(error);
    process.exitCode = 1;
    process.disconnect?.();
  }
}

if (isForkedEntry(import.meta.url)) void runAsChild();
