import type { SessionStore, StoredSession } from '../session-types.js';
import { type Dialect, sql } from './statement.js';
import { row, type SqlRunner } from './work.js';

interface SessionRow {
  key_name: string;
  csrf_token: string;
  /** bigint: node-postgres returns it as text. */
  created_at: number | string;
  last_seen_at: number | string;
}

/** The dashboard's sessions on their own table, the same for both databases. */
export class SqlSessions implements SessionStore {
  constructor(
    private readonly d: Dialect,
    private readonly run: SqlRunner,
  ) {}

  async saveSession(idHash: string, session: StoredSession, keepAtMost: number): Promise<void> {
    const d = this.d;
    await this.run.write(
      (function* () {
        yield sql(
          d,
          (p) => `INSERT INTO dashboard_sessions (id_hash, key_name, csrf_token, created_at, last_seen_at)
            VALUES (${p(idHash)}, ${p(session.keyName)}, ${p(session.csrfToken)}, ${p(session.createdAt)}, ${p(session.lastSeenAt)})`,
        );
        // A flood of sign-ins cannot grow the table: past the limit, the oldest go.
        yield sql(
          d,
          (p) => `DELETE FROM dashboard_sessions WHERE created_at < (SELECT created_at FROM dashboard_sessions
            ORDER BY created_at DESC LIMIT 1 OFFSET ${p(keepAtMost - 1)})`,
        );
      })(),
    );
  }

  async session(idHash: string): Promise<StoredSession | undefined> {
    const found = await this.run.read(
      row<SessionRow>(
        sql(
          this.d,
          (p) => `SELECT key_name, csrf_token, created_at, last_seen_at FROM dashboard_sessions
            WHERE id_hash = ${p(idHash)}`,
        ),
      ),
    );
    return (
      found && {
        keyName: found.key_name,
        csrfToken: found.csrf_token,
        createdAt: Number(found.created_at),
        lastSeenAt: Number(found.last_seen_at),
      }
    );
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    await this.run.change(
      sql(
        this.d,
        (p) => `UPDATE dashboard_sessions SET last_seen_at = ${p(lastSeenAt)} WHERE id_hash = ${p(idHash)}`,
      ),
    );
  }

  async endSession(idHash: string): Promise<void> {
    await this.run.change(sql(this.d, (p) => `DELETE FROM dashboard_sessions WHERE id_hash = ${p(idHash)}`));
  }

  endExpiredSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return this.run.change(
      sql(
        this.d,
        (p) => `DELETE FROM dashboard_sessions
          WHERE last_seen_at < ${p(idleBefore)} OR created_at < ${p(createdBefore)}`,
      ),
    );
  }
}
