import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../ops/index.js';
import { serverOptions, type TlsContext } from '../security/tls/index.js';
import { type AllowedClient, type ClientIdentity, describeClient, senderFor } from './clients.js';
import type { InboundPipeline } from './pipeline.js';

/** The mTLS endpoint Spine calls: a client certificate from the configured CAs is required at TLS. */
export function createInboundServer(deps: {
  allowedClients: AllowedClient[];
  tls: TlsContext;
  pipeline: InboundPipeline;
  maxBodyBytes: number;
  logger: Logger;
}): https.Server {
  // A keep-alive connection carries many requests from one certificate: read it once per socket.
  const identities = new WeakMap<TLSSocket, ClientIdentity>();
  const identify = (socket: TLSSocket): ClientIdentity => {
    let client = identities.get(socket);
    if (!client) {
      const peer = socket.getPeerCertificate();
      client = { commonName: firstValue(peer.subject?.CN), fingerprint256: peer.fingerprint256 };
      identities.set(socket, client);
    }
    return client;
  };
  const server = https.createServer(
    {
      ...serverOptions(deps.tls.current),
      headersTimeout: 20_000,
      requestTimeout: 60_000,
      maxHeaderSize: 16_384,
    },
    (request, response) => {
      const client = identify(request.socket as TLSSocket);
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
            if (!response.headersSent)
              response.writeHead(500, { 'Content-Type': 'text/plain' }).end('internal error\n');
          });
      });
    },
  );
  deps.tls.onReload((tls) => server.setSecureContext(serverOptions(tls)));
  server.on('tlsClientError', (error) =>
    deps.logger.warn({ err: error.message }, 'inbound TLS handshake refused'),
  );
  return server;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
