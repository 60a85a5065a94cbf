import type pg from 'pg';
import type {
  AttachmentState,
  DecisionClaim,
  ReferralStore,
  StoredAttachment,
  StoredDecision,
  StoredReferral,
  WorklistEntry,
} from './referral-types.js';

interface AttachmentRow {
  ubrn: string;
  attachment_id: string;
  url: string;
  title: string;
  content_type: string;
  declared_size: string | null;
  status: AttachmentState;
  sha256: string | null;
  size: string | null;
  file: string | null;
  detail: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  updated_at: Date;
}

/** The ReferralStore half of the PostgreSQL store (tables from migration 003). */
export class PostgresReferrals implements ReferralStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly inTransaction: <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>,
    private readonly clock: () => Date,
  ) {}

  async worklist(service: string, list: string): Promise<WorklistEntry[]> {
    const result = await this.pool.query<WorklistEntry>(
      'SELECT ubrn, version FROM ers_worklist WHERE service = $1 AND list = $2 ORDER BY ubrn',
      [service, list],
    );
    return result.rows.map((row) => ({ ubrn: row.ubrn, version: row.version }));
  }

  async saveWorklist(service: string, list: string, entries: WorklistEntry[]): Promise<void> {
    await this.inTransaction(async (client) => {
      await client.query('DELETE FROM ers_worklist WHERE service = $1 AND list = $2', [service, list]);
      if (entries.length === 0) return;
      await client.query(
        `INSERT INTO ers_worklist (service, list, ubrn, version)
         SELECT $1, $2, ubrn, version FROM unnest($3::text[], $4::int[]) AS t(ubrn, version)`,
        [service, list, entries.map((e) => e.ubrn), entries.map((e) => e.version)],
      );
    });
  }

  async referral(ubrn: string): Promise<StoredReferral | undefined> {
    const result = await this.pool.query<{
      ubrn: string;
      version: number;
      state: string;
      fhir: string;
      fetched_at: Date;
    }>('SELECT ubrn, version, state, fhir, fetched_at FROM ers_referrals WHERE ubrn = $1', [ubrn]);
    const row = result.rows[0];
    return (
      row && {
        ubrn: row.ubrn,
        version: row.version,
        state: row.state,
        fhir: row.fhir,
        fetchedAt: row.fetched_at.toISOString(),
      }
    );
  }

  async saveReferral(referral: Omit<StoredReferral, 'fetchedAt'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO ers_referrals (ubrn, version, state, fhir, fetched_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (ubrn) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, fhir = EXCLUDED.fhir,
         fetched_at = EXCLUDED.fetched_at`,
      [referral.ubrn, referral.version, referral.state, referral.fhir, this.clock().toISOString()],
    );
  }

  async countReferralsByState(): Promise<{ state: string; count: number }[]> {
    const result = await this.pool.query<{ state: string; count: string }>(
      'SELECT state, COUNT(*) AS count FROM ers_referrals GROUP BY state ORDER BY state',
    );
    return result.rows.map((row) => ({ state: row.state, count: Number(row.count) }));
  }

  async takeBudget(key: string, day: string, limit: number): Promise<boolean> {
    // One statement: concurrent instances serialise on the row, so the limit holds across them.
    const result = await this.pool.query(
      `INSERT INTO ers_budget (budget_key, day, used) SELECT $1, $2, 1 WHERE $3::int > 0
       ON CONFLICT (budget_key, day) DO UPDATE SET used = ers_budget.used + 1 WHERE ers_budget.used < $3::int`,
      [key, day, limit],
    );
    return result.rowCount === 1;
  }

  async budgetUsed(key: string, day: string): Promise<number> {
    const result = await this.pool.query<{ used: number }>(
      'SELECT used FROM ers_budget WHERE budget_key = $1 AND day = $2',
      [key, day],
    );
    return result.rows[0]?.used ?? 0;
  }

  async attachment(ubrn: string, attachmentId: string): Promise<StoredAttachment | undefined> {
    const result = await this.pool.query<AttachmentRow>(
      'SELECT * FROM ers_attachments WHERE ubrn = $1 AND attachment_id = $2',
      [ubrn, attachmentId],
    );
    return result.rows[0] && toAttachment(result.rows[0]);
  }

  async attachments(ubrn: string): Promise<StoredAttachment[]> {
    const result = await this.pool.query<AttachmentRow>(
      'SELECT * FROM ers_attachments WHERE ubrn = $1 ORDER BY attachment_id',
      [ubrn],
    );
    return result.rows.map(toAttachment);
  }

  async saveAttachment(a: Omit<StoredAttachment, 'updatedAt'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO ers_attachments (ubrn, attachment_id, url, title, content_type, declared_size, status, sha256, size,
         file, detail, attempts, next_attempt_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (ubrn, attachment_id) DO UPDATE SET url = EXCLUDED.url, title = EXCLUDED.title,
         content_type = EXCLUDED.content_type, declared_size = EXCLUDED.declared_size, status = EXCLUDED.status,
         sha256 = EXCLUDED.sha256, size = EXCLUDED.size, file = EXCLUDED.file, detail = EXCLUDED.detail,
         attempts = EXCLUDED.attempts, next_attempt_at = EXCLUDED.next_attempt_at, updated_at = EXCLUDED.updated_at`,
      [
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
        this.clock().toISOString(),
      ],
    );
  }

  async attachmentsDue(at: Date, limit: number): Promise<StoredAttachment[]> {
    const result = await this.pool.query<AttachmentRow>(
      `SELECT * FROM ers_attachments WHERE status IN ('PENDING', 'FAILED')
         AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1 ORDER BY updated_at LIMIT $2`,
      [at.toISOString(), limit],
    );
    return result.rows.map(toAttachment);
  }

  async attachmentFailures(limit: number): Promise<StoredAttachment[]> {
    const result = await this.pool.query<AttachmentRow>(
      `SELECT * FROM ers_attachments WHERE status IN ('THREATS_FOUND', 'VALIDATION_FAILED', 'FAILED')
       ORDER BY updated_at DESC, attachment_id LIMIT $1`,
      [limit],
    );
    return result.rows.map(toAttachment);
  }

  async claimDecision(d: {
    idempotencyKey: string;
    ubrn: string;
    action: string;
    fingerprint: string;
  }): Promise<DecisionClaim> {
    const now = this.clock().toISOString();
    const inserted = await this.pool.query(
      `INSERT INTO ers_decisions (idempotency_key, ubrn, action, fingerprint, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'IN_PROGRESS', $5, $5) ON CONFLICT DO NOTHING`,
      [d.idempotencyKey, d.ubrn, d.action, d.fingerprint, now],
    );
    if (inserted.rowCount === 1) return { claimed: true };
    const result = await this.pool.query<{
      idempotency_key: string;
      ubrn: string;
      action: string;
      fingerprint: string;
      status: 'IN_PROGRESS' | 'DONE';
      outcome: string | null;
      created_at: Date;
      updated_at: Date;
    }>(
      `SELECT idempotency_key, ubrn, action, fingerprint, status, outcome::text AS outcome, created_at, updated_at
       FROM ers_decisions WHERE idempotency_key = $1`,
      [d.idempotencyKey],
    );
    const row = result.rows[0];
    // Released between our insert and this read: claim again.
    if (!row) return this.claimDecision(d);
    const existing: StoredDecision = {
      idempotencyKey: row.idempotency_key,
      ubrn: row.ubrn,
      action: row.action,
      fingerprint: row.fingerprint,
      status: row.status,
      ...(row.outcome ? { outcome: JSON.parse(row.outcome) as StoredDecision['outcome'] } : {}),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
    return { claimed: false, existing };
  }

  async finishDecision(idempotencyKey: string, outcome: { status: number; body: unknown }): Promise<void> {
    await this.pool.query(
      `UPDATE ers_decisions SET status = 'DONE', outcome = $1::jsonb, updated_at = $2 WHERE idempotency_key = $3`,
      [JSON.stringify(outcome), this.clock().toISOString(), idempotencyKey],
    );
  }

  async releaseDecision(idempotencyKey: string): Promise<void> {
    await this.pool.query(`DELETE FROM ers_decisions WHERE idempotency_key = $1 AND status = 'IN_PROGRESS'`, [
      idempotencyKey,
    ]);
  }
}

function toAttachment(row: AttachmentRow): StoredAttachment {
  return {
    ubrn: row.ubrn,
    attachmentId: row.attachment_id,
    url: row.url,
    title: row.title,
    contentType: row.content_type,
    ...(row.declared_size !== null ? { declaredSize: Number(row.declared_size) } : {}),
    status: row.status,
    ...(row.sha256 !== null ? { sha256: row.sha256 } : {}),
    ...(row.size !== null ? { size: Number(row.size) } : {}),
    ...(row.file !== null ? { file: row.file } : {}),
    ...(row.detail !== null ? { detail: row.detail } : {}),
    attempts: row.attempts,
    ...(row.next_attempt_at !== null ? { nextAttemptAt: row.next_attempt_at.toISOString() } : {}),
    updatedAt: row.updated_at.toISOString(),
  };
}
