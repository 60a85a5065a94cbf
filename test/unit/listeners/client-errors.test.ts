// What a listener answers to HTTP Node cannot parse: its own body, with the status Node would use.
import http from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientErrors, MAX_HEADER_BYTES } from '../../../src/listeners/index.js';

describe('answerClientErrors', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (_request, response) =>
      response.end('ok'),
    );
    answerClientErrors(server, (problem) => ({
      contentType: 'application/json',
      body: JSON.stringify(problem),
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  /** Sends raw bytes; resolves with everything the server wrote before it closed. */
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
  const parts = (answer: string) => ({
    head: answer.slice(0, answer.indexOf('\r\n\r\n')),
    body: JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)),
  });

  it('answers a request line that is not HTTP with 400 naming the parser error', async () => {
    const { head, body } = parts(await raw('NOT HTTP AT ALL\r\n\r\n'));
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('Connection: close');
    expect(body).toMatchObject({ status: 400, title: 'Malformed HTTP request' });
    expect(body.detail).toMatch(/^malformed HTTP request: .+ \(HPE_[A-Z_]+\)$/);
  });

  it('answers headers over the limit with 431, without echoing them', async () => {
    const secret = 'x'.repeat(20_000);
    const answer = await raw(`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${secret}\r\n\r\n`);
    const { head, body } = parts(answer);
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(body).toEqual({
      status: 431,
      title: 'Request headers too large',
      detail: 'the request headers are over 16 KB',
    });
    expect(answer).not.toContain('xxxx');
  });

  it('leaves well-formed requests to the handler', async () => {
    expect(await raw('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 200 OK[\s\S]*ok$/,
    );
  });
});
