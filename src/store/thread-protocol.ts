import type { ReferralStore } from './referral-types.js';
import type { MessageStore } from './types.js';

type ReferralMethod = keyof ReferralStore;

/** A MessageStore method, or `referrals.<method>` for one of its ReferralStore's. */
export type StoreMethod = Exclude<keyof MessageStore, 'referrals'> | `referrals.${ReferralMethod}`;

/** Every ReferralStore method, for the thread's forwarder: a method added to the interface but not here fails to compile. */
const REFERRAL_METHODS: Record<ReferralMethod, true> = {
  worklist: true,
  saveWorklist: true,
  referral: true,
  saveReferral: true,
  countReferralsByState: true,
  takeBudget: true,
  budgetUsed: true,
  attachment: true,
  attachments: true,
  saveAttachment: true,
  attachmentsDue: true,
  attachmentFailures: true,
  claimDecision: true,
  finishDecision: true,
  releaseDecision: true,
};

/** A ReferralStore whose every method is `call('referrals.<method>', args)`. */
export function forwardReferrals(
  call: (method: StoreMethod, args: unknown[]) => Promise<unknown>,
): ReferralStore {
  const forwarder: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of Object.keys(REFERRAL_METHODS) as ReferralMethod[])
    forwarder[method] = (...args) => call(`referrals.${method}`, args);
  return forwarder as unknown as ReferralStore;
}

/** The function a call names on `store` (bound to the object that owns it). */
export function storeMethod(
  store: MessageStore,
  method: StoreMethod,
): (...args: unknown[]) => Promise<unknown> {
  const [owner, name] = method.startsWith('referrals.')
    ? [store.referrals as unknown as Record<string, unknown>, method.slice('referrals.'.length)]
    : [store as unknown as Record<string, unknown>, method];
  const found = owner[name];
  if (typeof found !== 'function') throw new Error(`the store has no method ${method}`);
  return (found as (...args: unknown[]) => Promise<unknown>).bind(owner);
}

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
