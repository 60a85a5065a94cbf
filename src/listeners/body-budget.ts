/**
 * One budget for request bodies held in memory across both listeners (issue 13): a request
 * reserves its declared length (or the listener's body limit when the length is unknown or the
 * body is compressed) before a byte is read, and gives it back when its response closes. Past the
 * budget the request is refused with 503, so slow uploads cannot grow the heap without bound.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly maxBytes: number) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Reserves `bytes`; false (and nothing reserved) when that would pass the budget. */
  reserve(bytes: number): boolean {
    if (bytes <= 0) return true;
    if (this.held + bytes > this.maxBytes) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    if (bytes > 0) this.held = Math.max(0, this.held - bytes);
  }
}

/**
 * What a request body may occupy once read: its Content-Length when declared and uncompressed,
 * otherwise the listener's limit (a chunked or compressed body may grow to it). 0 when it has none.
 */
export function bodyReservation(
  headers: { 'content-length'?: string; 'transfer-encoding'?: string; 'content-encoding'?: string },
  maxBodyBytes: number,
): number {
  const declared = headers['content-length'];
  const chunked = headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || declared === '0')) return 0;
  const encoded = headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity';
  if (chunked || encoded) return maxBodyBytes;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length >= 0 ? Math.min(length, maxBodyBytes) : maxBodyBytes;
}
