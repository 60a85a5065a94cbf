import type { Random } from './random.js';

/** A change to the simulator's faults (PUT /control/faults), undone after `forMs` when given. */
export interface FaultEvent {
  at: number;
  name: string;
  set: Record<string, unknown>;
  /** Put back after this long (periods: dropped acks, delays, AE/AR answers). */
  forMs?: number;
  reset?: Record<string, unknown>;
}

export interface ChaosEvent {
  at: number;
  kind: 'kill' | 'broker-restart';
  /** Pause before the instance or the broker comes back. */
  pauseMs: number;
}

export interface SoakPlan {
  faults: FaultEvent[];
  chaos: ChaosEvent[];
}

/**
 * Where, in the stream of N messages, each fault and each crash happens; the same seed gives the
 * same plan. Faults cycle through every kind so even a short run sees each at least once.
 */
export function makePlan(
  messages: number,
  random: Random,
  options: { kills: number; brokerRestarts: number },
): SoakPlan {
  const kinds: ((at: number) => FaultEvent)[] = [
    (at) => ({
      at,
      name: 'retriable SOAP fault 206',
      set: { soapFault: { codes: ['206'], times: random.int(1, 3) } },
    }),
    (at) => ({
      at,
      name: 'MessageError',
      set: {
        messageError: {
          errorCode: 'ValueNotRecognized',
          description: 'soak: injected MessageError',
          times: 1,
        },
      },
    }),
    (at) => ({
      at,
      name: 'dropped acknowledgments',
      set: { dropAcks: true },
      forMs: random.int(1_000, 3_000),
      reset: { dropAcks: false },
    }),
    (at) => ({
      at,
      name: 'slow Spine',
      set: { delayMs: random.int(100, 600), responseDelayMs: random.int(100, 800) },
      forMs: random.int(1_000, 3_000),
      reset: { delayMs: 0, responseDelayMs: 0 },
    }),
    (at) => ({ at, name: 'duplicate deliveries', set: { duplicateDeliveries: random.int(1, 3) } }),
    (at) => ({
      at,
      name: 'application acknowledgement AE/AR',
      set: { applicationAck: random.chance(0.5) ? 'AE' : 'AR' },
      forMs: random.int(100, 300),
      reset: { applicationAck: 'AA' },
    }),
  ];
  const count = Math.min(120, Math.max(kinds.length * 2, Math.round(messages / 12)));
  const order = shuffled(
    Array.from({ length: count }, (_, i) => i % kinds.length),
    random,
  );
  const faults = order.map((kind, i) => kinds[kind]!(Math.floor(((i + 0.5) / count) * messages * 0.9)));
  const chaos: ChaosEvent[] = [];
  for (const at of spread(options.kills, 0.1, 0.85, messages, random))
    chaos.push({ at, kind: 'kill', pauseMs: random.int(500, 3_000) });
  for (const at of spread(options.brokerRestarts, 0.3, 0.7, messages, random))
    chaos.push({ at, kind: 'broker-restart', pauseMs: random.int(500, 1_500) });
  chaos.sort((a, b) => a.at - b.at);
  return { faults, chaos };
}

/** `n` points between fractions `from` and `to` of the run, one in each of n equal slices. */
function spread(n: number, from: number, to: number, messages: number, random: Random): number[] {
  const width = (to - from) / Math.max(n, 1);
  return Array.from({ length: n }, (_, i) => Math.floor((from + width * (i + random.next())) * messages));
}

function shuffled<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random.next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
