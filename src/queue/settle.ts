// How a failed delivery settles: requeued after a growing pause (transient outages recover), or
// parked on mhs.dead-letter with its error once it has failed too often or breaks its queue's
// contract, never looped for ever.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Subscription } from './consumers.js';
import { QueueContractError } from './contract.js';
import type { BrokerLogger, Delivery, Disposition } from './delivery.js';
import type { QueuePublisher } from './ports.js';
import { QUEUES } from './topology.js';

export interface SettleOptions {
  /** Where a poison message is parked. */
  publisher: QueuePublisher;
  logger: BrokerLogger;
  /** Deliveries after which a failing message is parked on mhs.dead-letter (default 10). */
  maxDeliveries?: number;
  /** Longest pause before requeueing a failed message (default 30 s). */
  maxRequeueDelayMs?: number;
}

/** Runs the handler; a failure is requeued after a pause, or parked as poison. */
export async function settleDelivery(
  options: SettleOptions,
  subscription: Subscription,
  delivery: Delivery,
  deliveries: number,
): Promise<Disposition> {
  try {
    return await subscription.handler(delivery);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const log = { err: reason, queue: subscription.queue, messageId: delivery.messageId, deliveries };
    // A body that breaks its queue's contract fails the same way on every delivery: park it now.
    if (deliveries >= (options.maxDeliveries ?? 10) || error instanceof QueueContractError) {
      const why =
        error instanceof QueueContractError
          ? `refused by ${subscription.queue}: ${reason}`
          : `failed ${deliveries} times in ${subscription.queue}: ${reason}`;
      if (!(await park(options, subscription.queue, delivery, why))) return 'requeue';
      options.logger.error(log, 'poison message parked on mhs.dead-letter');
      return 'ack';
    }
    options.logger.error(log, 'consumer failed; requeueing after a pause');
    await sleep(Math.min(250 * 2 ** (deliveries - 1), options.maxRequeueDelayMs ?? 30_000));
    return 'requeue';
  }
}

/** Publishes a poison message to mhs.dead-letter; false if it could not be (then it is requeued). */
async function park(
  options: SettleOptions,
  queue: string,
  delivery: Delivery,
  reason: string,
): Promise<boolean> {
  try {
    await options.publisher.publish(QUEUES.deadLetter, delivery.body, {
      messageId: delivery.messageId ?? 'unknown',
      correlationId: delivery.correlationId,
      type: delivery.type,
      contentType: delivery.contentType,
      headers: { reason, queue },
    });
  } catch {
    return false;
  }
  return true;
}
