import type { Statement } from './statement.js';

/** What a statement did: the rows it returned (SELECT, RETURNING) and how many rows it changed. */
export interface Outcome {
  rows: Record<string, unknown>[];
  changes: number;
}

/**
 * A unit of store work written once for both drivers: a generator that yields each statement and
 * is handed back its outcome. SQLite runs it synchronously inside its group commit; PostgreSQL
 * awaits each statement on one connection. The logic between statements is shared either way.
 */
export type Work<T> = Generator<Statement, T, Outcome>;

/** The rows `statement` returns, typed by the caller (column names as selected). */
export function* rows<T>(statement: Statement): Work<T[]> {
  const outcome = yield statement;
  return outcome.rows as T[];
}

/** The first row `statement` returns, if any. */
export function* row<T>(statement: Statement): Work<T | undefined> {
  const outcome = yield statement;
  return outcome.rows[0] as T | undefined;
}

/** How many rows `statement` changed. */
export function* changes(statement: Statement): Work<number> {
  const outcome = yield statement;
  return outcome.changes;
}

/** Runs `work` with a synchronous driver (better-sqlite3). */
export function runNow<T>(work: Work<T>, execute: (statement: Statement) => Outcome): T {
  let step = work.next();
  while (!step.done) step = work.next(execute(step.value));
  return step.value;
}

/** Runs `work` with an asynchronous driver (pg), one statement at a time. */
export async function runAwaiting<T>(
  work: Work<T>,
  execute: (statement: Statement) => Promise<Outcome>,
): Promise<T> {
  let step = work.next();
  while (!step.done) step = work.next(await execute(step.value));
  return step.value;
}

/** How a backend runs work; each keeps its own connection and transactions behind this. */
export interface SqlRunner {
  /** Read-only work, outside any transaction. */
  read<T>(work: Work<T>): Promise<T>;
  /** Work done as one transaction (SQLite: a savepoint in the next group commit); resolves once committed. */
  write<T>(work: Work<T>): Promise<T>;
  /** One statement, atomic on its own (PostgreSQL needs no transaction for it); how many rows it changed. */
  change(statement: Statement): Promise<number>;
}
