// Statements and row mapping shared by the SQLite and PostgreSQL stores (see store.ts).
export { type Dialect, type ParamType, type Statement, sql } from './statement.js';
export { SqlStore } from './store.js';
export { type Outcome, runAwaiting, runNow, type SqlRunner, type Work } from './work.js';
