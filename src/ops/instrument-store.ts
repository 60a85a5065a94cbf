import type { Direction, MessageState, MessageStore, StoredMessage } from '../store/index.js';

/** What the decorator reports to (GatewayMetrics, or a test double). */
export interface StoreEvents {
  messageStored(direction: Direction, interactionId: string, at?: Date): void;
  messageMoved(interactionId: string, state: MessageState, acceptedAt?: string, at?: Date): void;
}

interface Known {
  interactionId: string;
  createdAt: string;
}

/** Messages whose interaction and acceptance time are remembered; the worker reads a message just before moving it. */
const REMEMBERED = 10_000;

/**
 * The store, counting as it goes: every insert and every transition that moved reaches `events`.
 * Labels need the message's interaction and latency its createdAt: both are remembered from inserts
 * and reads, and read once more only when unknown. Counting never fails a store call. Every other
 * method (including ones added later) passes straight through.
 */
export function instrumentStore<T extends MessageStore>(
  store: T,
  events: StoreEvents,
  clock: () => Date = () => new Date(),
): T {
  const known = new Map<string, Known>();
  const remember = (messageId: string, value: Known) => {
    known.delete(messageId);
    known.set(messageId, value);
    if (known.size > REMEMBERED) known.delete(known.keys().next().value as string);
  };
  const lookUp = async (messageId: string): Promise<Known | undefined> => {
    const found = known.get(messageId);
    if (found) return found;
    const message = await store.get(messageId).catch(() => undefined);
    return message && { interactionId: message.interactionId, createdAt: message.createdAt };
  };
  const insert: MessageStore['insert'] = async (message) => {
    const at = clock();
    await store.insert(message);
    // createdAt is the store's clock; ours is within a millisecond of it and saves a read.
    remember(message.messageId, { interactionId: message.interactionId, createdAt: at.toISOString() });
    safely(() => events.messageStored(message.direction, message.interactionId, at));
  };
  const get: MessageStore['get'] = async (messageId) => {
    const message: StoredMessage | undefined = await store.get(messageId);
    if (message) remember(messageId, { interactionId: message.interactionId, createdAt: message.createdAt });
    return message;
  };
  const transition: MessageStore['transition'] = async (messageId, to, options) => {
    const moved = await store.transition(messageId, to, options);
    if (moved) {
      const message = await lookUp(messageId);
      safely(() => events.messageMoved(message?.interactionId ?? 'unknown', to, message?.createdAt, clock()));
    }
    return moved;
  };
  const overrides: Record<PropertyKey, unknown> = { insert, get, transition };
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function safely(count: () => void): void {
  try {
    count();
  } catch {
    // A metrics fault must never turn a stored message into an error.
  }
}
