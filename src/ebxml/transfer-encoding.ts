// Undoing Content-Transfer-Encoding on inbound parts. Decoded bytes are what a cid: signature
// reference digests, so decoding is exact; anything we cannot decode is a MimeProblem.
import { mimeFault } from './fault.js';

const CR = 0x0d;
const LF = 0x0a;
const EQUALS = 0x3d;

export function decodeTransferEncoding(encoding: string, raw: Buffer, partLabel: string): Buffer {
  switch (encoding) {
    case '7bit':
    case '8bit':
    case 'binary':
      return Buffer.from(raw);
    case 'base64':
      return decodeBase64(raw, partLabel);
    case 'quoted-printable':
      return decodeQuotedPrintable(raw);
    default:
      throw mimeFault(`${partLabel} has an unknown Content-Transfer-Encoding ${JSON.stringify(encoding)}`);
  }
}

/** Sextet value of each base64 alphabet byte; -1 for every other byte. */
const SEXTET = new Int8Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  SEXTET[c.charCodeAt(0)] = i;

/**
 * RFC 2045 §6.8: characters outside the base64 alphabet (line breaks, blanks, stray bytes) are
 * ignored, and "=" ends the data. One pass, output no larger than three quarters of the input.
 * What cannot be decoded is data cut short: a lone sextet after the last full group.
 */
function decodeBase64(raw: Buffer, partLabel: string): Buffer {
  const out = Buffer.alloc(Math.floor((raw.length * 3) / 4) + 3);
  let length = 0;
  let group = 0;
  let sextets = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] as number;
    if (byte === EQUALS) break;
    const value = SEXTET[byte] as number;
    if (value < 0) continue;
    group = (group << 6) | value;
    if (++sextets === 4) {
      out[length++] = (group >> 16) & 0xff;
      out[length++] = (group >> 8) & 0xff;
      out[length++] = group & 0xff;
      group = 0;
      sextets = 0;
    }
  }
  if (sextets === 1) throw mimeFault(`${partLabel} is not valid base64: it ends part-way through a byte`);
  if (sextets === 2) out[length++] = (group >> 4) & 0xff;
  if (sextets === 3) {
    out[length++] = (group >> 10) & 0xff;
    out[length++] = (group >> 2) & 0xff;
  }
  return Buffer.from(out.subarray(0, length));
}

/** RFC 2045 §6.7: `=XX` escapes, `=` soft line breaks, trailing blanks on a line dropped. */
function decodeQuotedPrintable(raw: Buffer): Buffer {
  const out = Buffer.alloc(raw.length); // decoding never grows the content
  let length = 0;
  let blanksFrom = -1; // start of a run of blanks not yet known to be inside a line
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] as number;
    if (byte === 0x20 || byte === 0x09) {
      if (blanksFrom < 0) blanksFrom = i;
      continue;
    }
    if (byte === CR || byte === LF) {
      blanksFrom = -1; // transport padding before a line break
      out[length++] = byte;
      continue;
    }
    if (blanksFrom >= 0) {
      length += raw.copy(out, length, blanksFrom, i);
      blanksFrom = -1;
    }
    if (byte !== EQUALS) {
      out[length++] = byte;
      continue;
    }
    const next = raw[i + 1];
    if (isHex(next) && isHex(raw[i + 2])) {
      out[length++] = Number.parseInt(raw.toString('latin1', i + 1, i + 3), 16);
      i += 2;
      continue;
    }
    // "=" then optional padding then a line break is a soft break; any other "=" is kept as is.
    let j = i + 1;
    while (raw[j] === 0x20 || raw[j] === 0x09) j++;
    if (raw[j] === CR && raw[j + 1] === LF) i = j + 1;
    else if (raw[j] === LF) i = j;
    else out[length++] = byte;
  }
  // Blanks at the very end also end an encoded line (its line break went to the delimiter).
  return Buffer.from(out.subarray(0, length));
}

function isHex(byte: number | undefined): boolean {
  return (
    byte !== undefined &&
    ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66))
  );
}
