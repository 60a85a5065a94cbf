// Value rules shared by the builders: XML escaping that survives a parse unchanged, and the
// checks that keep caller data from breaking MIME or HTTP header syntax.
import { escapeXml } from '../xml/index.js';

/** Element text. A raw CR would be normalised to LF by any XML parser, so it goes as a reference. */
export function xmlText(value: string): string {
  return escapeXml(value).replace(/\r/g, '&#13;');
}

/**
 * Free text that may quote received bytes (error descriptions, locations): characters XML 1.0
 * cannot carry become U+FFFD, so a refusal of hostile input can always be written.
 */
export function xmlSafeText(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
}

/** Attribute value (double-quoted). Parsers turn raw TAB/LF/CR into spaces, so they go as references. */
export function xmlAttr(value: string): string {
  return escapeXml(value).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Content-ID without angle brackets: printable ASCII, no spaces or brackets (RFC 2392 msg-id). */
export function checkContentId(contentId: string): string {
  if (!/^[\x21-\x7e]+$/.test(contentId) || /[<>]/.test(contentId)) {
    throw new RangeError(
      `Content-ID ${JSON.stringify(contentId)} is not printable ASCII without spaces or <>`,
    );
  }
  return contentId;
}

/** A MIME or HTTP header value we write: printable ASCII on one line. */
export function checkHeaderValue(name: string, value: string): string {
  if (!/^[\x20-\x7e\t]+$/.test(value)) {
    throw new RangeError(`${name} ${JSON.stringify(value)} is not printable ASCII on one line`);
  }
  return value;
}

// RFC 3986 pchar without pct-encoded: what may stay literal in a cid: URL.
const CID_URL_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/** `cid:` URL for a Content-ID (RFC 2392: URL-unsafe characters are %-encoded). */
export function cidUrl(contentId: string): string {
  let out = 'cid:';
  for (const c of checkContentId(contentId)) {
    out += CID_URL_SAFE.test(c) ? c : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The Content-ID a `cid:` href names, or undefined for any other scheme. */
export function contentIdOfHref(href: string): string | undefined {
  const match = /^\s*cid:(.*?)\s*$/i.exec(href);
  if (!match) return undefined;
  const encoded = match[1] ?? '';
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

const NCNAME = /^[\p{L}_][\p{L}\p{M}\p{N}_.\-\u00B7\u203F-\u2040]*$/u;

/** `eb:id` values must be XML NCNames (no colon, not starting with a digit). */
export function isNcName(value: string): boolean {
  return NCNAME.test(value);
}
