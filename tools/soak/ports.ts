import net from 'node:net';

// Ports are handed out below Linux's ephemeral range (32768–60999), so an outgoing connection
// (to RabbitMQ, say) can never be given the port between our check and the server's listen, as
// happens with a port the OS picks. Each process (each vitest worker) takes its own slice, so
// parallel test files do not hand out the same port either; a port something holds is skipped.
const FIRST = 20_000;
const LAST = 32_767;
const SLICES = 16;
const SLICE = Math.floor((LAST - FIRST + 1) / SLICES);
const slice = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? process.pid) % SLICES;
let next = Math.floor(Math.random() * SLICE);

/** A TCP port free on 127.0.0.1 right now, from this process's slice below the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < SLICE; tried += 1) {
    const port = FIRST + slice * SLICE + (next++ % SLICE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${FIRST + slice * SLICE}–${FIRST + (slice + 1) * SLICE - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
