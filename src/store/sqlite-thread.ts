import { Worker } from 'node:worker_threads';
import { GatewayError } from '../errors/index.js';
import { WORKER_HEAP_LIMITS, workerScript } from '../threads/index.js';
import type { ReferralStore } from './referral-types.js';
import type { SessionStore } from './session-types.js';
import {
  forwardReferrals,
  forwardSessions,
  type StoreCall,
  type StoreMethod,
  type StoreReply,
  toBuffers,
} from './thread-protocol.js';
import {
  DuplicateMessageError,
  InvalidCursorError,
  type MessageStore,
  StoreUnavailableError,
} from './types.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The SQLite store run on a thread of its own, behind the same interface: the event loop never
 * waits for a statement or an fsync, and the commits of calls made together are grouped. A
 * thread that dies fails the calls it held (the caller sees an error, nothing is claimed stored)
 * and the next call starts a new one on the same file.
 */
export class ThreadedSqliteStore implements MessageStore {
  private worker?: Worker;
  private starting?: Promise<Worker>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly outgoing: StoreCall[] = [];
  private closed = false;
  readonly referrals: ReferralStore = forwardReferrals((method, args) => this.call(method, args));
  readonly sessions: SessionStore = forwardSessions((method, args) => this.call(method, args));

  private constructor(
    private readonly path: string,
    private readonly clock?: () => Date,
  ) {}

  /** Opens the file on its thread; a store that cannot be opened fails here, at start-up. */
  static async open(path: string, clock?: () => Date): Promise<ThreadedSqliteStore> {
    const store = new ThreadedSqliteStore(path, clock);
    await store.thread();
    return store;
  }

  insert(...args: Parameters<MessageStore['insert']>) {
    return this.call('insert', args) as ReturnType<MessageStore['insert']>;
  }
  get(...args: Parameters<MessageStore['get']>) {
    return this.call('get', args) as ReturnType<MessageStore['get']>;
  }
  transition(...args: Parameters<MessageStore['transition']>) {
    return this.call('transition', args) as ReturnType<MessageStore['transition']>;
  }
  pendingNotifications(...args: Parameters<MessageStore['pendingNotifications']>) {
    return this.call('pendingNotifications', args) as ReturnType<MessageStore['pendingNotifications']>;
  }
  markNotificationSent(...args: Parameters<MessageStore['markNotificationSent']>) {
    return this.call('markNotificationSent', args) as ReturnType<MessageStore['markNotificationSent']>;
  }
  update(...args: Parameters<MessageStore['update']>) {
    return this.call('update', args) as ReturnType<MessageStore['update']>;
  }
  history(...args: Parameters<MessageStore['history']>) {
    return this.call('history', args) as ReturnType<MessageStore['history']>;
  }
  getByHl7MessageId(...args: Parameters<MessageStore['getByHl7MessageId']>) {
    return this.call('getByHl7MessageId', args) as ReturnType<MessageStore['getByHl7MessageId']>;
  }

  findStale(...args: Parameters<MessageStore['findStale']>) {
    return this.call('findStale', args) as ReturnType<MessageStore['findStale']>;
  }
  purge(...args: Parameters<MessageStore['purge']>) {
    return this.call('purge', args) as ReturnType<MessageStore['purge']>;
  }
  search(...args: Parameters<MessageStore['search']>) {
    return this.call('search', args) as ReturnType<MessageStore['search']>;
  }
  resolve(...args: Parameters<MessageStore['resolve']>) {
    return this.call('resolve', args) as ReturnType<MessageStore['resolve']>;
  }
  unresolve(...args: Parameters<MessageStore['unresolve']>) {
    return this.call('unresolve', args) as ReturnType<MessageStore['unresolve']>;
  }
  deadLetters(...args: Parameters<MessageStore['deadLetters']>) {
    return this.call('deadLetters', args) as ReturnType<MessageStore['deadLetters']>;
  }
  countByState() {
    return this.call('countByState', []) as ReturnType<MessageStore['countByState']>;
  }
  oldestInFlight() {
    return this.call('oldestInFlight', []) as ReturnType<MessageStore['oldestInFlight']>;
  }
  sizeBytes() {
    return this.call('sizeBytes', []) as ReturnType<MessageStore['sizeBytes']>;
  }
  checkWritable() {
    return this.call('checkWritable', []) as ReturnType<MessageStore['checkWritable']>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    // The thread commits what it holds before it closes the file.
    await this.send(worker, 'close', []).catch(() => undefined);
    await worker.terminate();
  }

  private async call(method: StoreMethod, args: unknown[]): Promise<unknown> {
    if (this.closed) throw new StoreUnavailableError('the store is closed');
    return toBuffers(await this.send(await this.thread(), method, args));
  }

  private send(worker: Worker, method: StoreMethod, args: unknown[]): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const call: StoreCall = { id, method, args };
      if (this.clock) call.now = this.clock().toISOString();
      this.outgoing.push(call);
      // Calls made in one turn of the event loop cross in one message: a thread message has a
      // fixed cost on both sides, paid once per batch rather than once per call.
      if (this.outgoing.length === 1) setImmediate(() => this.flush(worker));
    });
  }

  private flush(worker: Worker): void {
    const batch = this.outgoing.splice(0);
    if (batch.length > 0) worker.postMessage(batch);
  }

  private thread(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private start(): Promise<Worker> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(workerScript(import.meta.url, 'sqlite-worker.js'), {
        workerData: { path: this.path },
        resourceLimits: WORKER_HEAP_LIMITS,
      });
      let ready = false;
      worker.on('message', (replies: StoreReply[]) => {
        for (const reply of replies) {
          if (reply.id === 0) {
            if (!reply.ok) return reject(new Error(reply.error?.message ?? 'SQLite store did not open'));
            ready = true;
            this.worker = worker;
            resolve(worker);
            continue;
          }
          const waiting = this.pending.get(reply.id);
          if (!waiting) continue;
          this.pending.delete(reply.id);
          if (reply.ok) waiting.resolve(reply.value);
          else waiting.reject(rebuild(reply.error!));
        }
      });
      const lost = (reason: string) => {
        if (this.worker === worker) this.worker = undefined;
        // Calls not yet posted are failed below with the rest: they must never run later.
        this.outgoing.length = 0;
        for (const [id, waiting] of this.pending) {
          this.pending.delete(id);
          waiting.reject(new StoreUnavailableError(`SQLite store thread ${reason}`));
        }
        if (!ready) reject(new Error(`SQLite store thread ${reason}`));
      };
      worker.on('error', (error) => lost(`failed: ${error.message}`));
      worker.on('exit', (code) => lost(`exited (code ${code})`));
    });
  }
}

/** The caller's error for one thrown on the thread: by code, so `instanceof` and `code` still hold. */
function rebuild(error: NonNullable<StoreReply['error']>): Error {
  if (error.code === DuplicateMessageError.code && error.messageId !== undefined)
    return new DuplicateMessageError(error.messageId);
  if (error.code === InvalidCursorError.code && error.cursor !== undefined)
    return new InvalidCursorError(error.cursor);
  const { code, status, title } = error;
  if (code !== undefined && status !== undefined && title !== undefined)
    return GatewayError.fromJSON({ name: error.name, message: error.message, code, status, title });
  return Object.assign(new Error(error.message), { name: error.name });
}
