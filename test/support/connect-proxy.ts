// A small HTTP CONNECT proxy on 127.0.0.1 for tests: it records what it was asked and relays
// bytes, as a site's forward proxy does. It never sees inside the TLS it relays.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ConnectProxyOptions {
  /** The Proxy-Authorization value it insists on; anything else gets 407. */
  requireAuthorization?: string;
  /** Answer every CONNECT with this status instead of opening a tunnel (e.g. 403, 502). */
  refuseWith?: number;
  /** Where the proxy resolves a target host (the proxy, not the client, does DNS); default: the host itself. */
  resolve?: (host: string) => string;
}

export interface ConnectProxy {
  url: string;
  port: number;
  /** Every CONNECT target, in order, e.g. `localhost:9443`. */
  targets: string[];
  /** The Proxy-Authorization header of each CONNECT (undefined when none was sent). */
  authorizations: (string | undefined)[];
  /** Requests that were not CONNECT (a client wrongly sending plain HTTP through the proxy). */
  plainRequests: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const targets: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const plainRequests: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = http.createServer((request, response) => {
    plainRequests.push(`${request.method} ${request.url}`);
    response.writeHead(405).end();
  });
  server.on('connection', track);
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = request.url ?? '';
    targets.push(target);
    authorizations.push(request.headers['proxy-authorization']);
    client.on('error', () => undefined);
    if (
      options.requireAuthorization !== undefined &&
      request.headers['proxy-authorization'] !== options.requireAuthorization
    ) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    if (options.refuseWith !== undefined) {
      const reason = http.STATUS_CODES[options.refuseWith] ?? 'Refused';
      client.end(`HTTP/1.1 ${options.refuseWith} ${reason}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const match = /^(.+):(\d+)$/.exec(target);
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const host = match[1]!.replace(/^\[|\]$/g, '');
    const upstream = net.connect(Number(match[2]), options.resolve?.(host) ?? host);
    track(upstream);
    let open = false;
    upstream.once('connect', () => {
      open = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!open) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      else client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    targets,
    authorizations,
    plainRequests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
