// A captured message as an operator hands it to the CLI: a raw HTTP request or response (start
// line, headers, blank line, body; CRLF or LF), a MIME body whose first line is its delimiter,
// or a bare SOAP/XML document. Only what decoding needs is read from the HTTP headers.
import { readFileSync } from 'node:fs';
import { UsageError } from './usage.js';

export interface Capture {
  /** From the HTTP headers or --content-type; undefined lets the MIME reader sniff the body. */
  contentType?: string;
  soapAction?: string;
  body: Buffer;
  /** Present for an HTTP capture: the start line and headers as captured, in order. */
  http?: { startLine: string; headers: [name: string, value: string][] };
}

const START_LINE = /^(?:[A-Z]+ \S+ HTTP\/\d(?:\.\d)?|HTTP\/\d(?:\.\d)? \d{3}(?: .*)?)$/;
const MAX_HEAD_BYTES = 64 * 1024;

export function readCaptureFile(file: string | undefined, command: string): Capture {
  if (!file) throw new UsageError(`${command} needs a FILE (raw HTTP request, MIME body or SOAP XML)`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return readCapture(bytes);
}

export function readCapture(bytes: Buffer): Capture {
  const firstBreak = bytes.indexOf(0x0a);
  const firstLine = bytes
    .toString('latin1', 0, firstBreak < 0 ? Math.min(bytes.length, 200) : firstBreak)
    .replace(/\r$/, '');
  if (!START_LINE.test(firstLine)) return { body: bytes };

  const headers: [string, string][] = [];
  let at = firstBreak + 1;
  for (;;) {
    if (at > MAX_HEAD_BYTES)
      throw new UsageError(`HTTP capture has more than ${MAX_HEAD_BYTES} bytes of headers`);
    const lf = bytes.indexOf(0x0a, at);
    if (lf < 0) throw new UsageError('HTTP capture has no blank line after its headers');
    const line = bytes.toString('latin1', at, lf).replace(/\r$/, '');
    at = lf + 1;
    if (line === '') break;
    const continued = /^[ \t]/.test(line) ? headers.at(-1) : undefined;
    if (continued) {
      continued[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new UsageError(`HTTP capture has a malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }

  const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const chunked = /(^|,)\s*chunked\s*$/i.test(header('transfer-encoding') ?? '');
  const body = chunked ? dechunk(bytes.subarray(at)) : bytes.subarray(at);
  const capture: Capture = { body, http: { startLine: firstLine, headers } };
  const contentType = header('content-type');
  const soapAction = header('soapaction');
  if (contentType) capture.contentType = contentType;
  if (soapAction !== undefined) capture.soapAction = soapAction;
  return capture;
}

/** The same HTTP capture with a new body: Content-Type replaced, Content-Length recomputed. */
export function withNewBody(capture: Capture, contentType: string, body: Buffer): Buffer {
  if (!capture.http) return body;
  const headers = capture.http.headers
    .filter(([name]) => !['content-length', 'transfer-encoding'].includes(name.toLowerCase()))
    .map(([name, value]) => (name.toLowerCase() === 'content-type' ? [name, contentType] : [name, value]));
  if (!headers.some(([name]) => name?.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', contentType]);
  headers.push(['Content-Length', String(body.length)]);
  const head = [capture.http.startLine, ...headers.map(([name, value]) => `${name}: ${value}`), '', ''].join(
    '\r\n',
  );
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** HTTP/1.1 chunked transfer coding (chunk extensions and trailers ignored). */
function dechunk(data: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lf = data.indexOf(0x0a, at);
    if (lf < 0) throw new UsageError('HTTP capture: chunked body ends without its last chunk');
    const size = Number.parseInt(data.toString('latin1', at, lf).split(';')[0]?.trim() ?? '', 16);
    if (!Number.isFinite(size) || size < 0) throw new UsageError('HTTP capture: malformed chunk size line');
    at = lf + 1;
    if (size === 0) return Buffer.concat(chunks);
    if (at + size > data.length) throw new UsageError('HTTP capture: chunked body is truncated');
    chunks.push(data.subarray(at, at + size));
    at += size;
    if (data[at] === 0x0d) at++;
    if (data[at] === 0x0a) at++;
  }
}
