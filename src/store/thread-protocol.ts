import type { ReferralStore } from './referral-types.js';
import type { SessionStore } from './session-types.js';
import type { MessageStore } from './types.js';

type ReferralMethod = keyof ReferralStore;
type SessionMethod = keyof SessionStore;

/** A MessageStore method, or `referrals.<method>` / `sessions.<method>` for one of its parts'. */
export type StoreMethod =
  | Exclude<keyof MessageStore, 'referrals' | 'sessions'>
  | `referrals.${ReferralMethod}`
  | `sessions.${SessionMethod}`;

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

/** Every SessionStore method, as REFERRAL_METHODS. */
const SESSION_METHODS: Record<SessionMethod, true> = {
  saveSession: true,
  session: true,
  touchSession: true,
  endSession: true,
  endExpiredSessions: true,
};

type Call = (method: StoreMethod, args: unknown[]) => Promise<unknown>;

/** A ReferralStore whose every method is `call('referrals.<method>', args)`. */
export function forwardReferrals(call: Call): ReferralStore {
  return forward(call, 'referrals', Object.keys(REFERRAL_METHODS)) as unknown as ReferralStore;
}

/** A SessionStore whose every method is `call('sessions.<method>', args)`. */
export function forwardSessions(call: Call): SessionStore {
  return forward(call, 'sessions', Object.keys(SESSION_METHODS)) as unknown as SessionStore;
}

function forward(call: Call, part: 'referrals' | 'sessions', methods: string[]) {
  const forwarder: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of methods)
    forwarder[method] = (...args) => call(`${part}.${method}` as StoreMethod, args);
  return forwarder;
}

/** The function a call names on `store` (bound to the object that owns it). */
export function storeMethod(
  store: MessageStore,
  method: StoreMethod,
): (...args: unknown[]) => Promise<unknown> {
  const dot = method.indexOf('.');
  const part = dot < 0 ? undefined : (method.slice(0, dot) as 'referrals' | 'sessions');
  const owner = (part ? store[part] : store) as unknown as Record<string, unknown>;
  const name = method.slice(dot + 1);
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
