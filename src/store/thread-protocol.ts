import type { MessageStore } from './types.js';

export type StoreMethod = Exclude<keyof MessageStore, symbol>;

export interface StoreCall {
  id: number;
  method: StoreMethod;
  args: unknown[];
  /** The caller's clock at the call (a test clock); absent: the thread reads the real time. */
  now?: string;
}

export interface StoreReply {
  id: number;
  ok: boolean;
  value?: unknown;
  /** A GatewayError crosses with its code (and the fields its class is rebuilt from); any other by name. */
  error?: {
    name: string;
    message: string;
    code?: string;
    status?: number;
    title?: string;
    messageId?: string;
    cursor?: string;
  };
}

/**
 * Structured clone turns a Buffer into a plain Uint8Array; the store and its callers want Buffers
 * (HTTP bodies, acknowledgments). Views, not copies.
 */
export function toBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(toBuffers);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = toBuffers(inner);
    return out;
  }
  return value;
}
