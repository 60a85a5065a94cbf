import type Database from 'better-sqlite3';
import type {
  AttachmentState,
  DecisionClaim,
  ReferralStore,
  StoredAttachment,
  StoredDecision,
  StoredReferral,
  WorklistEntry,
} from './referral-types.js';

/** The e-RS FHIR tables in SQLite (created with the rest of the schema, so an old file gains them). */
export const REFERRAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS ers_worklist (
  service TEXT NOT NULL,
  list TEXT NOT NULL,
  ubrn TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (service, list, ubrn)
);
CREATE TABLE IF NOT EXISTS ers_referrals (
  ubrn TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  fhir TEXT NOT NULL,
  fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ers_budget (
  budget_key TEXT NOT NULL,
  day TEXT NOT NULL,
  used INTEGER NOT NULL,
  PRIMARY KEY (budget_key, day)
);
CREATE TABLE IF NOT EXISTS ers_attachments (
  ubrn TEXT NOT NULL,
  attachment_id TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  content_type TEXT NOT NULL,
  declared_size INTEGER,
  status TEXT NOT NULL,
  sha256 TEXT,
  size INTEGER,
  file TEXT,
  detail TEXT,
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (ubrn, attachment_id)
);
CREATE INDEX IF NOT EXISTS ers_attachments_due ON ers_attachments (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS ers_decisions (
  idempotency_key TEXT PRIMARY KEY,
  ubrn TEXT NOT NULL,
  action TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL,
  outcome_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`;

interface AttachmentRow {
  ubrn: string;
  attachment_id: string;
  url: string;
  title: string;
  content_type: string;
  declared_size: number | null;
  status: AttachmentState;
  sha256: string | null;
  size: number | null;
  file: string | null;
  detail: string | null;
  attempts: number;
  next_attempt_at: string | null;
  updated_at: string;
}

interface DecisionRow {
  idempotency_key: string;
  ubrn: string;
  action: string;
  fingerprint: string;
  status: 'IN_PROGRESS' | 'DONE';
  outcome_json: string | null;
  created_at: string;
  updated_at: string;
}

/** The ReferralStore half of the SQLite store: statements from its cache, writes in its group commit. */
export class SqliteReferrals implements ReferralStore {
  constructor(
    private readonly sql: (text: string) => Database.Statement,
    private readonly write: <T>(work: () => T) => Promise<T>,
    private readonly clock: () => Date,
  ) {}

  async worklist(service: string, list: string): Promise<WorklistEntry[]> {
    return this.sql(
      'SELECT ubrn, version FROM ers_worklist WHERE service = ? AND list = ? ORDER BY ubrn',
    ).all(service, list) as WorklistEntry[];
  }

  saveWorklist(service: string, list: string, entries: WorklistEntry[]): Promise<void> {
    return this.write(() => {
      this.sql('DELETE FROM ers_worklist WHERE service = ? AND list = ?').run(service, list);
      const insert = this.sql('INSERT INTO ers_worklist (service, list, ubrn, version) VALUES (?, ?, ?, ?)');
      for (const entry of entries) insert.run(service, list, entry.ubrn, entry.version);
    });
  }

  async referral(ubrn: string): Promise<StoredReferral | undefined> {
    const row = this.sql(
      'SELECT ubrn, version, state, fhir, fetched_at FROM ers_referrals WHERE ubrn = ?',
    ).get(ubrn) as
      | { ubrn: string; version: number; state: string; fhir: string; fetched_at: string }
      | undefined;
    return (
      row && {
        ubrn: row.ubrn,
        version: row.version,
        state: row.state,
        fhir: row.fhir,
        fetchedAt: row.fetched_at,
      }
    );
  }

  saveReferral(referral: Omit<StoredReferral, 'fetchedAt'>): Promise<void> {
    const now = this.clock().toISOString();
    return this.write(() => {
      this.sql(
        `INSERT INTO ers_referrals (ubrn, version, state, fhir, fetched_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (ubrn) DO UPDATE SET version = excluded.version, state = excluded.state,
           fhir = excluded.fhir, fetched_at = excluded.fetched_at`,
      ).run(referral.ubrn, referral.version, referral.state, referral.fhir, now);
    });
  }

  async countReferralsByState(): Promise<{ state: string; count: number }[]> {
    return this.sql(
      'SELECT state, COUNT(*) AS count FROM ers_referrals GROUP BY state ORDER BY state',
    ).all() as {
      state: string;
      count: number;
    }[];
  }

  takeBudget(key: string, day: string, limit: number): Promise<boolean> {
    return this.write(() => {
      this.sql('INSERT INTO ers_budget (budget_key, day, used) VALUES (?, ?, 0) ON CONFLICT DO NOTHING').run(
        key,
        day,
      );
      const result = this.sql(
        'UPDATE ers_budget SET used = used + 1 WHERE budget_key = ? AND day = ? AND used < ?',
      ).run(key, day, limit);
      return result.changes === 1;
    });
  }

  async budgetUsed(key: string, day: string): Promise<number> {
    const row = this.sql('SELECT used FROM ers_budget WHERE budget_key = ? AND day = ?').get(key, day) as
      | { used: number }
      | undefined;
    return row?.used ?? 0;
  }

  async attachment(ubrn: string, attachmentId: string): Promise<StoredAttachment | undefined> {
    const row = this.sql('SELECT * FROM ers_attachments WHERE ubrn = ? AND attachment_id = ?').get(
      ubrn,
      attachmentId,
    ) as AttachmentRow | undefined;
    return row && toAttachment(row);
  }

  async attachments(ubrn: string): Promise<StoredAttachment[]> {
    return (
      this.sql('SELECT * FROM ers_attachments WHERE ubrn = ? ORDER BY attachment_id').all(
        ubrn,
      ) as AttachmentRow[]
    ).map(toAttachment);
  }

  saveAttachment(a: Omit<StoredAttachment, 'updatedAt'>): Promise<void> {
    const now = this.clock().toISOString();
    return this.write(() => {
      this.sql(
        `INSERT OR REPLACE INTO ers_attachments (ubrn, attachment_id, url, title, content_type, declared_size, status,
           sha256, size, file, detail, attempts, next_attempt_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        a.ubrn,
        a.attachmentId,
        a.url,
        a.title,
        a.contentType,
        a.declaredSize ?? null,
        a.status,
        a.sha256 ?? null,
        a.size ?? null,
        a.file ?? null,
        a.detail ?? null,
        a.attempts,
        a.nextAttemptAt ?? null,
        now,
      );
    });
  }

  async attachmentsDue(at: Date, limit: number): Promise<StoredAttachment[]> {
    return (
      this.sql(
        `SELECT * FROM ers_attachments WHERE status IN ('PENDING', 'FAILED')
           AND next_attempt_at IS NOT NULL AND next_attempt_at <= ? ORDER BY updated_at LIMIT ?`,
      ).all(at.toISOString(), limit) as AttachmentRow[]
    ).map(toAttachment);
  }

  async attachmentFailures(limit: number): Promise<StoredAttachment[]> {
    return (
      this.sql(
        `SELECT * FROM ers_attachments WHERE status IN ('THREATS_FOUND', 'VALIDATION_FAILED', 'FAILED')
         ORDER BY updated_at DESC, attachment_id LIMIT ?`,
      ).all(limit) as AttachmentRow[]
    ).map(toAttachment);
  }

  claimDecision(d: {
    idempotencyKey: string;
    ubrn: string;
    action: string;
    fingerprint: string;
  }): Promise<DecisionClaim> {
    const now = this.clock().toISOString();
    return this.write((): DecisionClaim => {
      const result = this.sql(
        `INSERT INTO ers_decisions (idempotency_key, ubrn, action, fingerprint, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, ?) ON CONFLICT DO NOTHING`,
      ).run(d.idempotencyKey, d.ubrn, d.action, d.fingerprint, now, now);
      if (result.changes === 1) return { claimed: true };
      const row = this.sql('SELECT * FROM ers_decisions WHERE idempotency_key = ?').get(
        d.idempotencyKey,
      ) as DecisionRow;
      return { claimed: false, existing: toDecision(row) };
    });
  }

  finishDecision(idempotencyKey: string, outcome: { status: number; body: unknown }): Promise<void> {
    const now = this.clock().toISOString();
    return this.write(() => {
      this.sql(
        `UPDATE ers_decisions SET status = 'DONE', outcome_json = ?, updated_at = ? WHERE idempotency_key = ?`,
      ).run(JSON.stringify(outcome), now, idempotencyKey);
    });
  }

  releaseDecision(idempotencyKey: string): Promise<void> {
    return this.write(() => {
      this.sql(`DELETE FROM ers_decisions WHERE idempotency_key = ? AND status = 'IN_PROGRESS'`).run(
        idempotencyKey,
      );
    });
  }
}

function toAttachment(row: AttachmentRow): StoredAttachment {
  return {
    ubrn: row.ubrn,
    attachmentId: row.attachment_id,
    url: row.url,
    title: row.title,
    contentType: row.content_type,
    ...(row.declared_size !== null ? { declaredSize: row.declared_size } : {}),
    status: row.status,
    ...(row.sha256 !== null ? { sha256: row.sha256 } : {}),
    ...(row.size !== null ? { size: row.size } : {}),
    ...(row.file !== null ? { file: row.file } : {}),
    ...(row.detail !== null ? { detail: row.detail } : {}),
    attempts: row.attempts,
    ...(row.next_attempt_at !== null ? { nextAttemptAt: row.next_attempt_at } : {}),
    updatedAt: row.updated_at,
  };
}

function toDecision(row: DecisionRow): StoredDecision {
  return {
    idempotencyKey: row.idempotency_key,
    ubrn: row.ubrn,
    action: row.action,
    fingerprint: row.fingerprint,
    status: row.status,
    ...(row.outcome_json ? { outcome: JSON.parse(row.outcome_json) as StoredDecision['outcome'] } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
