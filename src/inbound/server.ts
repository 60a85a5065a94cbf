import { X509Certificate } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { buildSoapFault } from '../ebxml/index.js';
import {
  answerClientErrors,
  type BodyBudget,
  bodyReservation,
  closedByGuard,
  httpServerOptions,
  type ListenerSettings,
  MAX_HEADER_BYTES,
  protectListener,
  RefusalLog,
} from '../listeners/index.js';
import type { Logger } from '../ops/index.js';
import { serverOptions, type TlsContext, weakKeyProblem } from '../security/tls/index.js';
import { type AllowedClient, type ClientIdentity, describeClient, senderFor } from './clients.js';
import type { InboundPipeline } from './pipeline.js';

/** Seconds a sender refused for the memory budget is asked to wait (Spine retries 5xx anyway). */
const BUSY_RETRY_AFTER_SECONDS = 5;

/** The mTLS endpoint Spine calls: a client certificate from the configured CAs is required at TLS. */
export function createInboundServer(deps: {
  allowedClients: AllowedClient[];
  tls: TlsContext;
  pipeline: InboundPipeline;
  maxBodyBytes: number;
  /** Connection caps and deadlines (`inbound.connections`). */
  connections: ListenerSettings & { handshakeTimeoutMs: number };
  /** Shared with the REST API: bodies held in memory at once. */
  bodyBudget: BodyBudget;
  /** Interval of the refused-connection summary line. */
  refusalIntervalMs: number;
  logger: Logger;
}): https.Server {
  // A keep-alive connection carries many requests from one certificate: read it once per socket.
  const identities = new WeakMap<TLSSocket, ClientIdentity>();
  const identify = (socket: TLSSocket): ClientIdentity | undefined => {
    let client = identities.get(socket);
    if (!client) {
      // Null once the socket is closing (e.g. refused for a weak key while a request was parsed).
      const peer = socket.getPeerCertificate() as Partial<ReturnType<TLSSocket['getPeerCertificate']>> | null;
      if (!peer?.raw) return undefined;
      client = { commonName: firstValue(peer.subject?.CN), fingerprint256: peer.fingerprint256 };
      identities.set(socket, client);
    }
    return client;
  };
  const refusals = new RefusalLog(deps.logger, 'inbound', deps.refusalIntervalMs);
  const server = https.createServer(
    {
      ...serverOptions(deps.tls.current),
      ...httpServerOptions(deps.connections),
      handshakeTimeout: deps.connections.handshakeTimeoutMs,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    (request, response) => {
      const client = identify(request.socket as TLSSocket);
      if (!client) {
        request.destroy();
        return;
      }
      const sender = senderFor(client, deps.allowedClients);
      if (!sender) {
        deps.logger.warn(
          { audit: 'refused', client: describeClient(client) },
          'inbound client certificate not allowed',
        );
        response
          .writeHead(403, { 'Content-Type': 'text/plain', Connection: 'close' })
          .end(`client certificate ${describeClient(client)} is not allowed to send to this endpoint\n`);
        request.destroy();
        return;
      }
      if (request.method !== 'POST') {
        response
          .writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' })
          .end('only POST is accepted here\n');
        return;
      }
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > deps.maxBodyBytes) {
        response
          .writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' })
          .end(`body over ${deps.maxBodyBytes} bytes\n`);
        request.destroy();
        return;
      }
      // Reserved before a byte of the body is read, given back when the answer is finished or the
      // connection dies (a slow upload cut by requestTimeoutMs included).
      const reserved = bodyReservation(request.headers, deps.maxBodyBytes);
      if (!deps.bodyBudget.reserve(reserved)) {
        refusals.note('request bodies in memory are at maxBufferedBodyBytes', request.socket.remoteAddress);
        sendSoapFault(
          response,
          503,
          'SOAP:Server',
          'gateway busy: too many request bodies in progress; retry later',
          BUSY_RETRY_AFTER_SECONDS,
        );
        // The body is read and dropped, not kept: closing a socket with unread data would reset
        // it and the sender might never read the 503. requestTimeoutMs still bounds a slow one.
        request.resume();
        return;
      }
      response.once('close', () => deps.bodyBudget.release(reserved));
      const chunks: Buffer[] = [];
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > deps.maxBodyBytes) {
          response
            .writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' })
            .end(`body over ${deps.maxBodyBytes} bytes\n`);
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      request.on('end', () => {
        if (response.headersSent) return;
        const soapAction = headerValue(request.headers.soapaction);
        deps.pipeline
          .receive(request.headers['content-type'], soapAction, Buffer.concat(chunks), sender)
          .then((answer) => {
            const headers: Record<string, string | number> = { 'Content-Length': answer.body.byteLength };
            if (answer.contentType) headers['Content-Type'] = answer.contentType;
            if (answer.soapAction) headers.SOAPAction = answer.soapAction;
            response.writeHead(answer.status, headers).end(answer.body);
          })
          .catch((error) => {
            deps.logger.error({ err: String(error) }, 'inbound pipeline crashed');
            // Still a SOAP fault, never a bare 500: the sender's MHS can read why and retries.
            if (!response.headersSent)
              sendSoapFault(response, 500, 'SOAP:Server', 'temporary failure; retry later');
          });
      });
    },
  );
  protectListener(server, deps.connections, refusals, { tls: true });
  // Spine gets a SOAP fault for HTTP it sent that cannot be parsed, never an empty 400.
  answerClientErrors(server, ({ title, detail }) => ({
    contentType: 'text/xml; charset=UTF-8',
    body: buildSoapFault('SOAP:Client', title, detail),
  }));
  // A client certificate with a weak key is refused right after the handshake, before any request.
  server.on('secureConnection', (socket: TLSSocket) => {
    const peer = socket.getPeerCertificate() as Partial<ReturnType<TLSSocket['getPeerCertificate']>> | null;
    if (!peer?.raw) return;
    const problem = weakKeyProblem(new X509Certificate(peer.raw));
    if (!problem) return;
    refusals.note('client certificate key too weak', socket.remoteAddress, {
      client: describeClient({
        commonName: firstValue(peer.subject?.CN),
        fingerprint256: peer.fingerprint256,
      }),
      key: problem,
    });
    socket.destroy();
  });
  deps.tls.onReload((tls) => server.setSecureContext(serverOptions(tls)));
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    if (closedByGuard(socket)) return;
    refusals.note(
      error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT'
        ? 'TLS handshake not finished in time'
        : `TLS handshake refused: ${error.message.split('\n')[0]}`,
      socket.remoteAddress,
    );
  });
  return server;
}

function sendSoapFault(
  response: ServerResponse,
  status: number,
  faultcode: 'SOAP:Client' | 'SOAP:Server',
  faultstring: string,
  retryAfterSeconds?: number,
): void {
  const body = Buffer.from(buildSoapFault(faultcode, faultstring));
  const headers: Record<string, string | number> = {
    'Content-Type': 'text/xml; charset=UTF-8',
    'Content-Length': body.byteLength,
  };
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = retryAfterSeconds;
  response.writeHead(status, headers).end(body);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
