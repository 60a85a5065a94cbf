// HTTP a server cannot parse never reaches a request handler: Node answers it itself, with an
// empty body. Ours says what was wrong, in the listener's own language (a SOAP fault for Spine, a
// problem body for the PAS), with the status Node would have used.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** A request the server could not take: Node's status, a title, and what was wrong. */
export interface ClientErrorProblem {
  status: number;
  title: string;
  detail: string;
}

/** What a listener says about one malformed request. */
export type ClientErrorBody = (problem: ClientErrorProblem) => { contentType: string; body: string };

/** Request headers both listeners take (`maxHeaderSize`); more is answered 431. */
export const MAX_HEADER_BYTES = 16_384;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** The status Node gives a parse error, and words for it that name the problem (never the bytes sent). */
export function describeClientError(error: Error & { code?: string }): ClientErrorProblem {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        title: 'Request headers too large',
        detail: `the request headers are over ${MAX_HEADER_BYTES / 1024} KB`,
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, title: 'Request timeout', detail: 'the request did not arrive in time' };
    default:
      return {
        status: 400,
        title: 'Malformed HTTP request',
        detail: `malformed HTTP request: ${error.message.replace(/^Parse Error: /, '')}${error.code ? ` (${error.code})` : ''}`,
      };
  }
}

/** Answers requests `server` cannot parse with `render`'s body, as Node would: once, then closes. */
export function answerClientErrors(server: Server, render: ClientErrorBody): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex & { bytesWritten?: number }) => {
    // As Node's own handler: only a socket that can still take an answer and has sent none yet.
    if (error.code !== 'ECONNRESET' && socket.writable && socket.bytesWritten === 0) {
      const problem = describeClientError(error);
      const { status } = problem;
      const { contentType, body } = render(problem);
      socket.write(
        `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: ${contentType}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  });
}
