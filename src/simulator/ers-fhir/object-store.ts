// The object store A042 redirects to (307): pre-signed keys good for a minute. It refuses any request
// carrying Authorization, since a client forwarding e-RS's bearer token there is leaking it.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { sendFile } from './http.js';
import type { SimAttachment } from './resources.js';

export const OBJECT_STORE = '/object-store/';

export class ObjectStore {
  /** Requests that carried an Authorization header (and were refused). */
  authRefusals = 0;
  private readonly keys = new Map<string, { attachment: SimAttachment; expiresAt: number }>();

  /** A pre-signed URL for the file, on the given host. */
  presign(attachment: SimAttachment, host: string | undefined): string {
    const key = randomBytes(18).toString('base64url');
    this.keys.set(key, { attachment, expiresAt: Date.now() + 60_000 });
    return `http://${host}${OBJECT_STORE}${key}`;
  }

  serve(request: http.IncomingMessage, response: http.ServerResponse, key: string): void {
    // A pre-signed URL needs nothing else.
    if (request.headers.authorization !== undefined) {
      this.authRefusals += 1;
      response
        .writeHead(400, { 'Content-Type': 'text/plain' })
        .end('Authorization header not allowed on a pre-signed URL\n');
      return;
    }
    const entry = this.keys.get(key);
    if (!entry || entry.expiresAt < Date.now()) {
      response
        .writeHead(403, { 'Content-Type': 'text/plain' })
        .end('Request has expired or the signature is invalid\n');
      return;
    }
    sendFile(response, entry.attachment.contentType, entry.attachment.content);
  }
}
