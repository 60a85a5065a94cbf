import type { ReferralStore } from '../referral-types.js';
import type { SessionStore } from '../session-types.js';
import type {
  DeadLetter,
  DeadLetterQuery,
  DeadLetterResolution,
  HistoryEntry,
  InFlightMessage,
  MessagePatch,
  MessageQuery,
  MessageState,
  MessageStore,
  NewMessage,
  PendingNotification,
  StateCount,
  StoredMessage,
  TransitionOptions,
} from '../types.js';
import * as listings from './listings.js';
import * as messages from './messages.js';
import { SqlReferrals } from './referrals.js';
import { SqlSessions } from './sessions.js';
import type { Dialect, Statement } from './statement.js';
import type { SqlRunner, Work } from './work.js';

/**
 * The MessageStore both databases share: every method builds its statements in the backend's
 * dialect and hands them to the backend's runner. A backend supplies how work runs (its connection,
 * transactions, thread) and the few operations that really differ (purging, size, readiness).
 * Each method reads the clock before anything else, so the time is that of the call.
 */
export abstract class SqlStore implements MessageStore {
  readonly referrals: ReferralStore;
  readonly sessions: SessionStore;
  private readonly runner: SqlRunner;

  protected constructor(
    private readonly dialect: Dialect,
    protected readonly clock: () => Date,
  ) {
    this.runner = {
      read: (work) => this.read(work),
      write: (work) => this.write(work),
      change: (statement) => this.change(statement),
    };
    this.referrals = new SqlReferrals(dialect, this.runner, clock);
    this.sessions = new SqlSessions(dialect, this.runner);
  }

  protected abstract read<T>(work: Work<T>): Promise<T>;
  protected abstract write<T>(work: Work<T>): Promise<T>;
  protected abstract change(statement: Statement): Promise<number>;
  abstract purge(states: readonly MessageState[], before: Date): Promise<number>;
  abstract sizeBytes(): Promise<number>;
  abstract checkWritable(): Promise<void>;
  abstract close(): Promise<void>;

  private now(): string {
    return this.clock().toISOString();
  }

  insert(message: NewMessage): Promise<void> {
    return this.write(messages.insertMessage(this.dialect, message, this.now()));
  }

  get(messageId: string): Promise<StoredMessage | undefined> {
    return this.read(messages.getMessage(this.dialect, messageId));
  }

  getByHl7MessageId(hl7MessageId: string): Promise<StoredMessage | undefined> {
    return this.read(messages.getByHl7MessageId(this.dialect, hl7MessageId));
  }

  transition(messageId: string, to: MessageState, options: TransitionOptions = {}): Promise<boolean> {
    return this.write(messages.transition(this.dialect, messageId, to, options, this.now()));
  }

  pendingNotifications(
    limit: number,
    createdBefore: Date,
    messageId?: string,
  ): Promise<PendingNotification[]> {
    return this.read(messages.pendingNotifications(this.dialect, limit, createdBefore, messageId));
  }

  markNotificationSent(id: string, messageId: string): Promise<void> {
    return this.write(messages.markNotificationSent(this.dialect, id, messageId, this.now()));
  }

  async update(messageId: string, patch: MessagePatch): Promise<void> {
    await this.change(messages.patchMessage(this.dialect, messageId, patch, this.now()));
  }

  history(messageId: string): Promise<HistoryEntry[]> {
    return this.read(messages.history(this.dialect, messageId));
  }

  findStale(states: readonly MessageState[], before: Date, limit: number): Promise<StoredMessage[]> {
    return this.read(listings.findStale(this.dialect, states, before, limit));
  }

  search(query: MessageQuery): Promise<StoredMessage[]> {
    return this.read(listings.search(this.dialect, query));
  }

  resolve(messageId: string, resolution: DeadLetterResolution, detail: string): Promise<boolean> {
    return this.write(messages.resolve(this.dialect, messageId, resolution, detail, this.now()));
  }

  unresolve(messageId: string, detail: string): Promise<boolean> {
    return this.write(messages.unresolve(this.dialect, messageId, detail, this.now()));
  }

  deadLetters(query: DeadLetterQuery): Promise<DeadLetter[]> {
    return this.read(listings.deadLetters(this.dialect, query));
  }

  countByState(): Promise<StateCount[]> {
    return this.read(listings.countByState(this.dialect));
  }

  oldestInFlight(): Promise<InFlightMessage | undefined> {
    return this.read(listings.oldestInFlight(this.dialect));
  }
}
