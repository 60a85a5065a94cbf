// Outbound HTTPS through a site's HTTP proxy (HTTP CONNECT, RFC 9110 §9.3.6). The proxy only
// relays bytes: TLS runs end to end inside the tunnel, so the origin still sees our client
// certificate and we still verify the origin's certificate and name, exactly as without a proxy.
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TransportError } from './transport-error.js';

/** `outbound.proxy` as configured: an empty url means no proxy. */
export interface ProxyConfig {
  url: string;
  noProxy: readonly string[];
}

/** A proxy ready to use. Only `display` may be logged: `authorization` carries the password. */
export interface OutboundProxy {
  host: string;
  port: number;
  /** `Basic …` from the URL's userinfo, sent as Proxy-Authorization; a secret. */
  authorization?: string;
  /** The proxy URL without its userinfo, for logs and error messages. */
  display: string;
  noProxy: readonly string[];
}

/** The proxy the configuration names, or undefined for direct connections. */
export function parseProxy(config: ProxyConfig): OutboundProxy | undefined {
  if (!config.url) return undefined;
  const url = new URL(config.url);
  if (url.protocol !== 'http:') throw new TypeError('outbound proxy URL must start with http://');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const display = `http://${url.host}`;
  const port = url.port ? Number(url.port) : 80;
  if (!url.username && !url.password) return { host, port, display, noProxy: config.noProxy };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return {
    host,
    port,
    authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`,
    display,
    noProxy: config.noProxy,
  };
}

/** A proxy URL with any userinfo removed, for messages about configuration. */
export function redactProxyUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//');
}

/**
 * True when `host` is reached directly. An entry `example.nhs.uk` or `.example.nhs.uk` matches
 * that domain and every name under it (as curl's NO_PROXY does); an IP address matches only
 * itself; `*` matches everything.
 */
export function bypassesProxy(host: string, noProxy: readonly string[]): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return noProxy.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/\.$/, '');
    if (entry === '*') return true;
    const domain = entry.replace(/^\./, '');
    if (isIP(name) || isIP(domain)) return name === domain;
    return name === domain || name.endsWith(`.${domain}`);
  });
}

/**
 * An https.Agent that reaches hosts through the proxy unless noProxy names them. Sockets are
 * pooled per origin as by any https.Agent, so one tunnel carries many requests (keep-alive).
 * With no proxy it is a plain https.Agent.
 */
export class ProxyTunnelAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly proxy: OutboundProxy | undefined,
    /** Bounds the CONNECT exchange; the request's own timeout only starts once it has a socket. */
    private readonly connectTimeoutMs: number,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    if (!this.proxy || bypassesProxy(host, this.proxy.noProxy))
      return super.createConnection(options, callback);
    const done = callback ?? (() => undefined);
    openTunnel(this.proxy, host, port, this.connectTimeoutMs).then(
      (socket) => {
        let tlsSocket: Duplex | null | undefined;
        try {
          // The origin's name, not the proxy's: servername and the identity check stay the origin's.
          tlsSocket = super.createConnection({ ...options, socket } as https.RequestOptions);
        } catch (error) {
          socket.destroy();
          done(error as Error, undefined as unknown as Duplex);
          return;
        }
        done(null, tlsSocket!);
      },
      (error: Error) => done(error, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** Asks the proxy for a tunnel to host:port; resolves with the raw socket once it answers 200. */
function openTunnel(proxy: OutboundProxy, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      agent: false,
      headers: {
        Host: target,
        ...(proxy.authorization ? { 'Proxy-Authorization': proxy.authorization } : {}),
      },
    });
    const timer = setTimeout(
      () =>
        request.destroy(
          new TransportError(
            `proxy ${proxy.display} did not answer CONNECT ${target} within ${timeoutMs} ms`,
            false,
          ),
        ),
      timeoutMs,
    );
    // Node hands every answer to CONNECT, whatever its status, to 'connect' with the raw socket.
    request.once('connect', (response, socket, head) => {
      clearTimeout(timer);
      if (response.statusCode !== 200) {
        socket.destroy();
        const reason = response.statusMessage ? ` ${response.statusMessage}` : '';
        reject(
          new TransportError(
            `proxy ${proxy.display} refused CONNECT ${target}: ${response.statusCode}${reason}`,
            false,
          ),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error instanceof TransportError) return reject(error);
      const code = error.code && !error.message.includes(error.code) ? `${error.code} ` : '';
      reject(
        new TransportError(
          `proxy ${proxy.display} cannot be reached for CONNECT ${target}: ${code}${error.message}`,
          false,
        ),
      );
    });
    request.end();
  });
}
