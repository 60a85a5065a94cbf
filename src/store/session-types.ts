/**
 * Signed-in dashboard sessions, kept in the store so every instance behind one address knows them
 * and a restart keeps them. Each is kept under the SHA-256 of its cookie id, never the id itself.
 */
export interface StoredSession {
  /** The API key's name: shown on the page and recorded as the operator. */
  keyName: string;
  /** Sent with every state-changing request, compared in constant time. */
  csrfToken: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  /** Keeps a new session; then at most `keepAtMost` sessions remain, the oldest ended first. */
  saveSession(idHash: string, session: StoredSession, keepAtMost: number): Promise<void>;
  session(idHash: string): Promise<StoredSession | undefined>;
  /** Records use of a session (its idle timer restarts). */
  touchSession(idHash: string, lastSeenAt: number): Promise<void>;
  endSession(idHash: string): Promise<void>;
  /** Ends sessions unused since `idleBefore` or created before `createdBefore`; how many. */
  endExpiredSessions(idleBefore: number, createdBefore: number): Promise<number>;
}
