// multipart/related framing (SOAP with Attachments) exactly as Spine sends it: CRLF everywhere,
// no preamble, quoted start with angle brackets, the root part first.
import { randomUUID } from 'node:crypto';
import type { BuiltMessage, HttpMessage, MessageHeader, MimePart } from './model.js';
import { DEFAULT_BOUNDARY, EBXML_HEADER_CONTENT_ID } from './model.js';
import { checkContentId, checkHeaderValue } from './values.js';

const CRLF = '\r\n';
const BASE64_LINE = 76;
// RFC 2046 bchars, 1..70 characters, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const MAX_BOUNDARY_ATTEMPTS = 5;

export function frameMime(
  envelopeXml: string,
  parts: MimePart[],
  boundary: string = DEFAULT_BOUNDARY,
  randomSuffix: () => string = randomUUID,
): { contentType: string; body: Buffer } {
  const root: MimePart = {
    contentId: EBXML_HEADER_CONTENT_ID,
    contentType: 'text/xml; charset=UTF-8',
    transferEncoding: '8bit',
    content: Buffer.from(envelopeXml, 'utf8'),
  };
  const encoded = [root, ...parts].map((part) => ({ part, bytes: encodeContent(part) }));
  const chosen = chooseBoundary(
    boundary,
    encoded.map((e) => e.bytes),
    randomSuffix,
  );

  const chunks: Buffer[] = [];
  for (const { part, bytes } of encoded) {
    const headers =
      `--${chosen}${CRLF}` +
      `Content-Id: <${checkContentId(part.contentId)}>${CRLF}` +
      `Content-Type: ${checkHeaderValue('Content-Type', part.contentType)}${CRLF}` +
      `Content-Transfer-Encoding: ${part.transferEncoding}${CRLF}${CRLF}`;
    chunks.push(Buffer.from(headers, 'latin1'), bytes, Buffer.from(CRLF, 'latin1'));
  }
  chunks.push(Buffer.from(`--${chosen}--${CRLF}`, 'latin1'));
  const contentType =
    `multipart/related; boundary="${chosen}"; charset="UTF-8"; type="text/xml"; ` +
    `start="<${EBXML_HEADER_CONTENT_ID}>"`;
  return { contentType, body: Buffer.concat(chunks) };
}

/** Frames a built (and possibly signed) message for POSTing; SOAPAction is Spine's unquoted form. */
export function toHttpMessage(built: BuiltMessage, header: MessageHeader): HttpMessage {
  const { contentType, body } = frameMime(built.envelopeXml, built.parts);
  return {
    contentType,
    soapAction: checkHeaderValue('SOAPAction', `${header.service}/${header.action}`),
    body,
  };
}

function encodeContent(part: MimePart): Buffer {
  switch (part.transferEncoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(wrapBase64(part.content.toString('base64')), 'latin1');
    case '8bit':
    case '7bit':
    case 'binary':
      return part.content;
    default:
      throw new RangeError(`cannot frame Content-Transfer-Encoding ${JSON.stringify(part.transferEncoding)}`);
  }
}

function wrapBase64(text: string): string {
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += BASE64_LINE) lines.push(text.slice(at, at + BASE64_LINE));
  return lines.join(CRLF);
}

/** The requested boundary, or one with a random suffix when some part contains its delimiter. */
function chooseBoundary(requested: string, contents: Buffer[], randomSuffix: () => string): string {
  if (!BOUNDARY.test(requested)) {
    throw new RangeError(`MIME boundary ${JSON.stringify(requested)} is not valid`);
  }
  let candidate = requested;
  for (let attempt = 0; attempt < MAX_BOUNDARY_ATTEMPTS; attempt++) {
    const delimiter = Buffer.from(`--${candidate}`, 'latin1');
    if (!contents.some((content) => content.includes(delimiter))) return candidate;
    candidate = `${requested}_${randomSuffix()}`;
    if (!BOUNDARY.test(candidate)) {
      throw new RangeError(`MIME boundary ${JSON.stringify(candidate)} is not valid`);
    }
  }
  throw new RangeError('could not find a MIME boundary that no part contains');
}
