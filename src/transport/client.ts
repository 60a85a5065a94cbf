import https from 'node:https';
import type { HttpMessage } from '../ebxml/index.js';
import { clientOptions, type TlsContext } from '../security/tls/index.js';
import { type OutboundProxy, ProxyTunnelAgent } from './proxy.js';
import { TransportError } from './transport-error.js';

export interface TransportResponse {
  status: number;
  contentType?: string;
  body: Buffer;
}

const CERTIFICATE_ERRORS =
  /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS_CERT|HOSTNAME|ALTNAME|alert certificate|handshake/i;
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/**
 * POSTs over mutual TLS with keep-alive; server certificate and name always verified. With a
 * proxy, each connection is a CONNECT tunnel carrying the same end-to-end TLS.
 */
export class MtlsClient {
  private agent: https.Agent;

  constructor(
    private readonly tls: TlsContext,
    private readonly timeoutMs: number,
    private readonly proxy?: OutboundProxy,
  ) {
    this.agent = this.createAgent();
    tls.onReload(() => {
      const old = this.agent;
      this.agent = this.createAgent();
      old.destroy();
    });
  }

  /**
   * POSTs `message`. A kept-alive socket the server closed just as it was reused fails with
   * ECONNRESET or EPIPE before any answer: that one POST is sent again at once on a new
   * connection (the same bytes; ebXML duplicate elimination makes a resend safe), rather than
   * waiting a whole retry interval for a fault of the connection pool, not of the peer.
   */
  async post(url: string, message: HttpMessage): Promise<TransportResponse> {
    try {
      return await this.attempt(url, message);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      return this.attempt(url, message);
    }
  }

  private attempt(url: string, message: HttpMessage): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      let answered = false;
      const request = https.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            'Content-Type': message.contentType,
            SOAPAction: message.soapAction,
            'Content-Length': message.body.byteLength,
          },
        },
        (response) => {
          answered = true;
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > MAX_RESPONSE_BYTES) {
              response.destroy(
                new TransportError(`response from ${url} exceeds ${MAX_RESPONSE_BYTES} bytes`, false),
              );
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              contentType: response.headers['content-type'],
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', (error) => reject(toTransportError(error, url)));
        },
      );
      request.on('timeout', () =>
        request.destroy(new TransportError(`no answer from ${url} within ${this.timeoutMs} ms`, false)),
      );
      request.on('error', (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE') && !answered)
          return reject(new StaleSocketError(error.message));
        reject(toTransportError(error, url));
      });
      request.end(message.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private createAgent(): https.Agent {
    return new ProxyTunnelAgent(
      { ...clientOptions(this.tls.current), keepAlive: true, maxSockets: 64 },
      this.proxy,
      this.timeoutMs,
    );
  }
}

function toTransportError(error: Error, url: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const certificate = CERTIFICATE_ERRORS.test(code) || CERTIFICATE_ERRORS.test(error.message);
  return new TransportError(`POST ${url} failed: ${code ? `${code} ` : ''}${error.message}`, certificate);
}

/** A reused keep-alive socket was closed under the request before any answer: send again. */
class StaleSocketError extends Error {}
