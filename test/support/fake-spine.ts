import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseMessage } from '../../src/ebxml/index.js';
import { parseWrapper } from '../../src/hl7/index.js';

/** Spine's recorded-style answers, written by us: test/fixtures/spine/responses. */
export const SPINE_RESPONSES = join(import.meta.dirname, '../fixtures/spine/responses');

/** One answer: an HTTP status and a body file from SPINE_RESPONSES (none: an empty body). */
export interface SpineAnswer {
  status: number;
  file?: string;
}

export interface SeenRequest {
  key?: string;
  contentType?: string;
  body: Buffer;
}

/**
 * A small Spine over mutual TLS for end-to-end tests, answering as the MHS adaptor's fake Spine
 * does: scripted answers per MessageId (ebXML or WS-Addressing), in order, the last one repeated.
 * Unscripted messages are read as Spine would: HL7 it cannot parse gets a MessageError with HTTP 500;
 * anything else `202` with an empty body (accepted; signals and replies would follow asynchronously).
 */
export class FakeSpine {
  readonly requests: SeenRequest[] = [];
  private readonly scripts = new Map<string, SpineAnswer[]>();

  private constructor(private readonly server: https.Server) {}

  static async start(tls: { cert: string; key: string; ca: string }, port = 0): Promise<FakeSpine> {
    const server = https.createServer({
      cert: readFileSync(tls.cert),
      key: readFileSync(tls.key),
      ca: readFileSync(tls.ca),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const spine = new FakeSpine(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const answer = spine.answer(request.headers['content-type'], body);
        response.writeHead(answer.status, { 'Content-Type': 'text/xml' });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return spine;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Answers for the message whose MessageId is `key`, in order; the last one repeats. */
  script(key: string, answers: SpineAnswer[]): void {
    this.scripts.set(key, [...answers]);
  }

  requestsFor(key: string): SeenRequest[] {
    return this.requests.filter((request) => request.key === key);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(contentType: string | undefined, body: Buffer): { status: number; body: string } {
    const text = body.toString('utf8');
    const key = [...this.scripts.keys()].find((id) => text.includes(id));
    this.requests.push({ ...(key ? { key } : {}), ...(contentType ? { contentType } : {}), body });
    if (key) {
      const answers = this.scripts.get(key)!;
      const next = answers.length > 1 ? answers.shift()! : answers[0]!;
      return { status: next.status, body: next.file ? fixture(next.file, key) : '' };
    }
    if (!hl7Readable(contentType, body))
      return { status: 500, body: fixture('message-error-unreadable-payload.xml', '') };
    return { status: 202, body: '' };
  }
}

function fixture(file: string, requestId: string): string {
  return readFileSync(join(SPINE_RESPONSES, file), 'utf8').replaceAll('{{REQUEST_ID}}', requestId);
}

/** Whether the HL7 part of an ebXML message is an HL7 V3 message Spine could read. */
function hl7Readable(contentType: string | undefined, body: Buffer): boolean {
  try {
    const payload = parseMessage(contentType, body).payload;
    if (!payload) return false;
    parseWrapper(payload.content);
    return true;
  } catch {
    return false;
  }
}
