// The transport floor's stand-in for Spine: an HTTPS server with the gateway's own mutual-TLS
// policy that reads each POST fully and answers 202 with nothing else. It runs as a child process
// (see floor-child.ts) because the simulator is a separate process in the gateway run too, so both
// measurements pay the same cross-process cost.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { loadTls, serverOptions, type TlsFiles } from '#src/security/tls/index.js';

export interface FloorServer {
  port: number;
  /** POSTs read to the end and answered 202 so far. */
  received(): number;
  close(): Promise<void>;
}

/** Messages between floor-child.ts (parent) and this file (child) over the IPC channel. */
export type FloorServerMessage =
  | { type: 'listening'; port: number }
  | { type: 'count'; received: number }
  | { type: 'failed'; error: string };

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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would otherwise hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}

/** Child-process entry: TLS file paths arrive as one JSON argument; the port goes back over IPC. */
async function runAsChild(): Promise<void> {
  const send = (message: FloorServerMessage) => process.send?.(message);
  try {
    const server = await startFloorServer(JSON.parse(process.argv[2] ?? '') as TlsFiles);
    process.on('message', (message: { type?: string }) => {
      if (message.type === 'count') send({ type: 'count', received: server.received() });
    });
    // A parent that dies without stopping us must not leave an orphan server behind.
    process.on('disconnect', () => void server.close().then(() => process.exit(0)));
    send({ type: 'listening', port: server.port });
  } catch (error) {
    send({ type: 'failed', error: (error as Error).message });
    process.exitCode = 1;
    process.disconnect?.();
  }
}

const entry = process.argv[1];
if (process.send && entry && import.meta.url === pathToFileURL(entry).href) void runAsChild();
