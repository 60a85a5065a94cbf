import type Database from 'better-sqlite3';

interface PendingWrite {
  work: () => unknown;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Collects the writes asked for in one turn of the event loop and commits them together: one
 * transaction, so one fsync. Each write runs in a savepoint, so one that throws (a duplicate
 * MessageId) is undone alone and its caller gets the error; a failed commit fails every caller in
 * it. Nothing resolves before the commit (and, with synchronous=FULL, the fsync) returns: a caller
 * told "stored" is stored.
 */
export class GroupCommit {
  /** Transactions committed and writes they carried: writes / commits is the batching achieved. */
  commits = 0;
  writes = 0;
  private queue: PendingWrite[] = [];
  private scheduled = false;
  private readonly inSavepoint: Database.Transaction<(work: () => unknown) => unknown>;
  private readonly commitAll: Database.Transaction<(batch: PendingWrite[]) => Settled[]>;

  constructor(db: Database.Database) {
    // A transaction function called inside another runs as a SAVEPOINT (better-sqlite3).
    this.inSavepoint = db.transaction((work: () => unknown) => work());
    this.commitAll = db.transaction((batch: PendingWrite[]) =>
      batch.map((write): Settled => {
        try {
          return { ok: true, value: this.inSavepoint(write.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: never) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now (closing the store must not drop accepted writes). */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let settled: Settled[];
    try {
      settled = this.commitAll.immediate(batch);
      this.commits += 1;
      this.writes += batch.length;
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = settled[i]!;
      if (outcome.ok) write.resolve(outcome.value as never);
      else write.reject(outcome.error);
    });
  }
}
