import net from 'node:net';

/**
 * A TCP load balancer on loopback in front of the gateways' inbound (mTLS) ports, as a deployment
 * would have: the simulator sends to one address, and each new connection goes to the next live
 * instance (TLS passes through untouched). A backend that refuses is skipped.
 */
export class Balancer {
  private server?: net.Server;
  private next = 0;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly backends: () => number[]) {}

  async listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  private accept(client: net.Socket, tried = 0): void {
    this.track(client);
    const live = this.backends();
    if (live.length === 0 || tried >= live.length) {
      client.destroy();
      return;
    }
    const port = live[this.next++ % live.length]!;
    const backend = net.connect(port, '127.0.0.1');
    this.track(backend);
    let connected = false;
    backend.once('connect', () => {
      connected = true;
      client.pipe(backend);
      backend.pipe(client);
    });
    backend.on('error', () => {
      if (!connected) {
        backend.destroy();
        this.accept(client, tried + 1);
        return;
      }
      client.destroy();
    });
    client.on('error', () => backend.destroy());
    client.on('close', () => backend.destroy());
    backend.on('close', () => {
      if (connected) client.destroy();
    });
  }

  private track(socket: net.Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
