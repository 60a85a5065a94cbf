// The outbox relay: a PAS notification is written in the same transaction as the state transition
// it tells of (TransitionOptions.notify), under the AMQP messageId the PAS will see. The relay
// publishes it to mhs.inbound and marks it sent only after the broker confirms. An instance that
// dies in between leaves the row pending; the sweep publishes it later under the same id. So a
// transition is told once, never twice under different ids (the PAS dedupes by messageId).
import { type PasMessage, publishToPas } from '../queue/index.js';
import type { PasNotification } from '../store/index.js';
import { every, type PeriodicTask, type SweepDependencies } from './every.js';

/** The outbox row for a PAS message: its id is the message's AMQP messageId. */
export function pasNotification(message: PasMessage): PasNotification {
  return { id: message.messageId, body: message };
}

export interface RelaySettings {
  /** How often pending rows are looked for (default 5 s). */
  sweepIntervalMs?: number;
  /**
   * Rows younger than this are left to the instance that wrote them, which publishes them at once
   * (default 10 s): so instances sharing a database do not each publish every fresh row.
   */
  pendingAfterMs?: number;
}

export class NotificationRelay {
  private periodic?: PeriodicTask;

  constructor(private readonly deps: SweepDependencies & { settings?: RelaySettings }) {}

  /**
   * Publishes one notification about `messageId` and records it sent. False when it could not be
   * published now: the row stays pending and the sweep tries again.
   */
  async publish(messageId: string, notification: PasNotification): Promise<boolean> {
    try {
      await publishToPas(this.deps.broker, notification.body as PasMessage);
    } catch (error) {
      this.deps.logger.warn(
        { messageId, notificationId: notification.id, err: (error as Error).message },
        'PAS notification not published yet; the outbox keeps it',
      );
      return false;
    }
    await this.deps.store.markNotificationSent(notification.id, messageId);
    return true;
  }

  /** Publishes every row left pending (by a crash, or a broker that was down); returns how many. */
  async sweep(): Promise<number> {
    const now = (this.deps.clock ?? (() => new Date()))().getTime();
    const pending = await this.deps.store.pendingNotifications(
      100,
      new Date(now - (this.deps.settings?.pendingAfterMs ?? 10_000)),
    );
    let sent = 0;
    for (const row of pending) if (await this.publish(row.messageId, row)) sent += 1;
    if (sent > 0) this.deps.logger.warn({ sent }, 'outbox: published notifications left pending');
    return sent;
  }

  start(): void {
    this.periodic = every(this.deps.settings?.sweepIntervalMs ?? 5_000, () => this.sweep(), {
      onError: (error) =>
        this.deps.logger.warn({ err: error.message }, 'outbox sweep failed; will try again'),
    });
  }

  async stop(): Promise<void> {
    await this.periodic?.stop();
  }
}
