// multipart/related reading for inbound bodies. Splits on bytes (never on decoded text, so
// multibyte UTF-8 is safe), accepts LF or CRLF, preamble and epilogue, and every form of
// `start` seen from Spine and the NHS adaptor. Size and part-count caps come first.
import { type ContentType, parseContentType } from './content-type.js';
import { mimeFault } from './fault.js';
import type { MimePart } from './model.js';
import { decodeTransferEncoding } from './transfer-encoding.js';

export interface MimeLimits {
  /** Most parts accepted, root included (Spine: 100). */
  maxParts?: number;
  /** Largest body accepted, in bytes (Spine's 5 MB plus a margin). */
  maxBytes?: number;
}

export const DEFAULT_MAX_PARTS = 100;
export const DEFAULT_MAX_BYTES = 5_000_000 + 100_000;
const MAX_PART_HEADER_BYTES = 16 * 1024;
const XML_MEDIA_TYPES = new Set(['text/xml', 'application/xml']);

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

export function parseMime(
  contentType: string | undefined,
  body: Buffer,
  limits: MimeLimits = {},
): { root: MimePart; parts: MimePart[] } {
  const { root, parts } = splitMime(contentType, body, limits);
  return { root: decodePart(root), parts: parts.map(decodePart) };
}

/** A part whose Content-Transfer-Encoding is not undone yet. */
export interface EncodedPart extends Omit<MimePart, 'content'> {
  encoded: Buffer;
  /** `MIME part N`, for messages. */
  label: string;
}

/**
 * Splits the body into root and other parts without decoding them, so a caller can read the
 * ebXML header before a broken attachment stops it (and still address a MessageError).
 */
export function splitMime(
  contentType: string | undefined,
  body: Buffer,
  limits: MimeLimits = {},
): { root: EncodedPart; parts: EncodedPart[] } {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxParts = limits.maxParts ?? DEFAULT_MAX_PARTS;
  if (body.length > maxBytes) {
    throw mimeFault(`body is ${body.length} bytes, over the ${maxBytes}-byte limit`);
  }

  const type = contentType?.trim() ? parseContentType(contentType) : sniffContentType(body);
  if (!type.mediaType.startsWith('multipart/')) {
    if (!XML_MEDIA_TYPES.has(type.mediaType)) {
      throw mimeFault(`Content-Type ${JSON.stringify(type.mediaType)} is neither multipart/related nor XML`);
    }
    const root: EncodedPart = {
      contentId: '',
      contentType: contentType?.trim() || type.mediaType,
      transferEncoding: 'binary',
      encoded: body,
      label: 'body',
    };
    return { root, parts: [] };
  }
  if (type.mediaType !== 'multipart/related') {
    throw mimeFault(`Content-Type ${type.mediaType} is not multipart/related`);
  }
  const boundary = type.params.get('boundary');
  if (!boundary) throw mimeFault('multipart/related Content-Type has no boundary parameter');

  const all = splitParts(body, boundary, maxParts).map((raw, index) => readPart(raw, index + 1));
  const seen = new Set<string>();
  for (const part of all) {
    if (part.contentId && seen.has(part.contentId)) {
      throw mimeFault(`Content-ID <${part.contentId}> appears twice`);
    }
    seen.add(part.contentId);
  }
  const rootIndex = findRoot(all, type.params.get('start'));
  const root = all[rootIndex] as EncodedPart;
  return { root, parts: all.filter((_, index) => index !== rootIndex) };
}

export function decodePart(part: EncodedPart): MimePart {
  const { encoded, label, ...rest } = part;
  return { ...rest, content: decodeTransferEncoding(part.transferEncoding, encoded, label) };
}

/** No Content-Type: an XML document as is, or a MIME body whose first line names the boundary. */
function sniffContentType(body: Buffer): ContentType {
  const head = body
    .subarray(0, 1024)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const firstLine = /^\s*--([^\r\n]+?)[ \t]*\r?\n/.exec(head);
  if (firstLine?.[1])
    return { mediaType: 'multipart/related', params: new Map([['boundary', firstLine[1]]]) };
  if (head.trimStart().startsWith('<')) return { mediaType: 'text/xml', params: new Map() };
  throw mimeFault('no Content-Type, and the body is neither XML nor MIME');
}

/** The raw bytes of each part (headers included), between delimiter lines. */
function splitParts(body: Buffer, boundary: string, maxParts: number): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let contentStart = -1; // -1 while still in the preamble
  let searchFrom = 0;
  for (;;) {
    const at = body.indexOf(delimiter, searchFrom);
    if (at < 0) {
      throw mimeFault(
        contentStart < 0
          ? 'body has no delimiter line for its boundary'
          : 'body has no closing delimiter (truncated?)',
      );
    }
    searchFrom = at + delimiter.length;
    if (at > 0 && body[at - 1] !== LF) continue; // delimiters start a line
    let after = at + delimiter.length;
    const closing = body[after] === DASH && body[after + 1] === DASH;
    if (closing) after += 2;
    while (body[after] === 0x20 || body[after] === 0x09) after++; // transport padding
    let nextLine: number;
    if (body[after] === CR && body[after + 1] === LF) nextLine = after + 2;
    else if (body[after] === LF) nextLine = after + 1;
    else if (closing || after >= body.length) nextLine = after;
    else continue; // the boundary is only a prefix of some other text

    if (contentStart >= 0) {
      // The line break before a delimiter belongs to the delimiter, not to the part.
      let end = at - 1;
      if (end > contentStart && body[end - 1] === CR) end--;
      parts.push(body.subarray(contentStart, Math.max(contentStart, end)));
      if (parts.length > maxParts) throw mimeFault(`body has more than ${maxParts} MIME parts`);
    }
    if (closing) break;
    contentStart = nextLine;
    searchFrom = nextLine;
  }
  if (parts.length === 0) throw mimeFault('multipart body has no parts');
  return parts;
}

function readPart(raw: Buffer, number: number): EncodedPart {
  const label = `MIME part ${number}`;
  const lines: string[] = [];
  let at = 0;
  let contentStart = -1;
  while (contentStart < 0) {
    if (at > MAX_PART_HEADER_BYTES) {
      throw mimeFault(`${label} has more than ${MAX_PART_HEADER_BYTES} bytes of headers`);
    }
    const lf = raw.indexOf(LF, at);
    // A part may end right after its headers: the last line break went to the delimiter.
    const lineEnd = lf < 0 ? raw.length : lf > at && raw[lf - 1] === CR ? lf - 1 : lf;
    if (lineEnd === at) {
      contentStart = lf < 0 ? raw.length : lf + 1;
    } else {
      lines.push(raw.toString('latin1', at, lineEnd));
      at = lf < 0 ? raw.length : lf + 1;
      if (lf < 0) contentStart = raw.length;
    }
  }

  const headers = unfoldHeaders(lines, label);
  return {
    contentId: stripAngles(headers.get('content-id') ?? ''),
    contentType: (headers.get('content-type') ?? 'text/plain').trim(),
    transferEncoding: (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase(),
    encoded: raw.subarray(contentStart),
    label,
  };
}

/** Header lines to a map of lower-cased names; continuation lines join the header above. */
function unfoldHeaders(lines: string[], label: string): Map<string, string> {
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length > 0) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else unfolded.push(line);
  }
  const headers = new Map<string, string>();
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw mimeFault(`${label} has a malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

function stripAngles(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1).trim() : trimmed;
}

/** Index of the root part: the one `start` names (with or without brackets), else the first. */
function findRoot(parts: EncodedPart[], start: string | undefined): number {
  if (start === undefined || start.trim() === '') return 0;
  const wanted = stripAngles(start);
  let index = parts.findIndex((part) => part.contentId === wanted);
  if (index < 0) index = parts.findIndex((part) => part.contentId.toLowerCase() === wanted.toLowerCase());
  if (index < 0) throw mimeFault(`no MIME part has the root Content-ID <${wanted}> named by start`);
  return index;
}
