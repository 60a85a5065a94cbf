export const OUTBOUND_STATES = [
  'ACCEPTED',
  'SENDING',
  'SENT',
  'RETRYING',
  'ACKED',
  'COMPLETED',
  'NACKED',
  'REJECTED',
  'FAILED',
] as const;
export const INBOUND_STATES = ['RECEIVED', 'DELIVERED'] as const;
export type OutboundState = (typeof OUTBOUND_STATES)[number];
export type InboundState = (typeof INBOUND_STATES)[number];
export type MessageState = OutboundState | InboundState;
export type Direction = 'outbound' | 'inbound';

/** Exact bytes of one HTTP message, kept so a resend or a duplicate's ack is byte-identical. */
export interface StoredHttp {
  contentType: string;
  soapAction: string;
  body: Buffer;
}

export interface NewMessage {
  messageId: string;
  direction: Direction;
  interactionId: string;
  conversationId: string;
  refToMessageId?: string;
  status: MessageState;
  /** Route snapshot for outbound messages (endpoint, reliability) at acceptance time. */
  route?: unknown;
  /** The signed HTTP message to send (outbound) or as received (inbound). */
  http?: StoredHttp;
  /** Domain JSON (the PAS request, or the inbound request mapped to JSON). */
  data?: unknown;
  /** The HL7 payload. */
  hl7?: string;
  detail?: string;
}

export interface StoredMessage {
  messageId: string;
  direction: Direction;
  interactionId: string;
  conversationId: string;
  refToMessageId?: string;
  status: MessageState;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  nextAttemptAt?: string;
  route?: unknown;
  http?: StoredHttp;
  data?: unknown;
  hl7?: string;
  /** The mapped reply for the PAS (application acknowledgement, business response). */
  reply?: unknown;
  /** The acknowledgment we answered an inbound message with, for duplicates. */
  ack?: StoredHttp;
  /** Why the message failed, was rejected or NACKed. */
  error?: unknown;
  /** When the reply (or error) reached mhs.inbound; set once, so a redelivered signal is not delivered twice. */
  replyDeliveredAt?: string;
}

export interface HistoryEntry {
  at: string;
  status: MessageState;
  detail?: string;
}

/** Fields a transition or update may change alongside the status. */
export interface MessagePatch {
  attempts?: number;
  nextAttemptAt?: string | null;
  reply?: unknown;
  ack?: StoredHttp;
  error?: unknown;
  replyDeliveredAt?: string;
}

export interface TransitionOptions {
  /** Only move when the current status is one of these; otherwise nothing changes. */
  from?: readonly MessageState[];
  detail?: string;
  patch?: MessagePatch;
}

export class DuplicateMessageError extends Error {
  override readonly name = 'DuplicateMessageError';
  constructor(readonly messageId: string) {
    super(`message ${messageId} is already stored`);
  }
}

/**
 * Durable message state. Every status change is a history row written in the same transaction.
 * Implementations: SQLite (one node) and, later, PostgreSQL (several instances).
 */
export interface MessageStore {
  /** Stores a new message with its first history row; DuplicateMessageError if the id exists. */
  insert(message: NewMessage): Promise<void>;
  get(messageId: string): Promise<StoredMessage | undefined>;
  /** Atomically moves a message to `to` (if its status is in `from`); true when it moved. */
  transition(messageId: string, to: MessageState, options?: TransitionOptions): Promise<boolean>;
  /** Changes fields without a status change (no history row). */
  update(messageId: string, patch: MessagePatch): Promise<void>;
  history(messageId: string): Promise<HistoryEntry[]>;
  /** Throws unless the store can be written now (readiness). */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}
