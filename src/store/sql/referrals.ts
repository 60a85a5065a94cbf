import type {
  DecisionClaim,
  ReferralStore,
  StoredAttachment,
  StoredReferral,
  WorklistEntry,
} from '../referral-types.js';
import {
  type AttachmentRow,
  type DecisionRow,
  type ReferralRow,
  toAttachment,
  toDecision,
  toReferral,
} from './referral-rows.js';
import { type Dialect, sql } from './statement.js';
import { changes, row, rows, type SqlRunner, type Work } from './work.js';

/**
 * Rows per worklist INSERT, largest first: a long worklist goes in a few statements, and only these
 * shapes of statement exist (SQLite keeps prepared statements by their text).
 */
const WORKLIST_CHUNKS = [100, 10, 1];

/** The ReferralStore on the e-RS FHIR tables, the same for both databases (docs/ers-fhir.md). */
export class SqlReferrals implements ReferralStore {
  constructor(
    private readonly d: Dialect,
    private readonly run: SqlRunner,
    private readonly clock: () => Date,
  ) {}

  worklist(service: string, list: string): Promise<WorklistEntry[]> {
    return this.run.read(
      rows<WorklistEntry>(
        sql(
          this.d,
          (p) => `SELECT ubrn, version FROM ers_worklist WHERE service = ${p(service)} AND list = ${p(list)}
            ORDER BY ubrn`,
        ),
      ),
    );
  }

  saveWorklist(service: string, list: string, entries: WorklistEntry[]): Promise<void> {
    return this.run.write(this.replaceWorklist(service, list, entries));
  }

  private *replaceWorklist(service: string, list: string, entries: WorklistEntry[]): Work<void> {
    yield sql(this.d, (p) => `DELETE FROM ers_worklist WHERE service = ${p(service)} AND list = ${p(list)}`);
    let from = 0;
    for (const size of WORKLIST_CHUNKS)
      for (; entries.length - from >= size; from += size) {
        const chunk = entries.slice(from, from + size);
        yield sql(
          this.d,
          (p) => `INSERT INTO ers_worklist (service, list, ubrn, version) VALUES
            ${chunk.map((entry) => `(${p(service)}, ${p(list)}, ${p(entry.ubrn)}, ${p(entry.version)})`).join(', ')}`,
        );
      }
  }

  async referral(ubrn: string): Promise<StoredReferral | undefined> {
    const found = await this.run.read(
      row<ReferralRow>(
        sql(
          this.d,
          (p) => `SELECT ubrn, version, state, fhir, fetched_at FROM ers_referrals WHERE ubrn = ${p(ubrn)}`,
        ),
      ),
    );
    return found && toReferral(found);
  }

  async saveReferral(referral: Omit<StoredReferral, 'fetchedAt'>): Promise<void> {
    const now = this.clock().toISOString();
    await this.run.change(
      sql(
        this.d,
        (p) => `INSERT INTO ers_referrals (ubrn, version, state, fhir, fetched_at)
          VALUES (${p(referral.ubrn)}, ${p(referral.version)}, ${p(referral.state)}, ${p(referral.fhir)}, ${p(now)})
          ON CONFLICT (ubrn) DO UPDATE SET version = excluded.version, state = excluded.state,
            fhir = excluded.fhir, fetched_at = excluded.fetched_at`,
      ),
    );
  }

  async countReferralsByState(): Promise<{ state: string; count: number }[]> {
    const found = await this.run.read(
      rows<{ state: string; count: number | string }>(
        sql(this.d, () => 'SELECT state, COUNT(*) AS count FROM ers_referrals GROUP BY state ORDER BY state'),
      ),
    );
    return found.map((counted) => ({ state: counted.state, count: Number(counted.count) }));
  }

  async takeBudget(key: string, day: string, limit: number): Promise<boolean> {
    // One statement: concurrent instances serialise on the row, so the limit holds across them.
    const taken = await this.run.change(
      sql(
        this.d,
        (
          p,
        ) => `INSERT INTO ers_budget (budget_key, day, used) SELECT ${p(key)}, ${p(day)}, 1 WHERE ${p(limit, 'int')} > 0
          ON CONFLICT (budget_key, day) DO UPDATE SET used = ers_budget.used + 1
            WHERE ers_budget.used < ${p(limit, 'int')}`,
      ),
    );
    return taken === 1;
  }

  async budgetUsed(key: string, day: string): Promise<number> {
    const found = await this.run.read(
      row<{ used: number }>(
        sql(this.d, (p) => `SELECT used FROM ers_budget WHERE budget_key = ${p(key)} AND day = ${p(day)}`),
      ),
    );
    return found?.used ?? 0;
  }

  async attachment(ubrn: string, attachmentId: string): Promise<StoredAttachment | undefined> {
    const found = await this.run.read(
      row<AttachmentRow>(
        sql(
          this.d,
          (p) =>
            `SELECT * FROM ers_attachments WHERE ubrn = ${p(ubrn)} AND attachment_id = ${p(attachmentId)}`,
        ),
      ),
    );
    return found && toAttachment(found);
  }

  attachments(ubrn: string): Promise<StoredAttachment[]> {
    return this.listAttachments((p) => `WHERE ubrn = ${p(ubrn)} ORDER BY attachment_id`);
  }

  async saveAttachment(a: Omit<StoredAttachment, 'updatedAt'>): Promise<void> {
    const now = this.clock().toISOString();
    await this.run.change(
      sql(
        this.d,
        (
          p,
        ) => `INSERT INTO ers_attachments (ubrn, attachment_id, url, title, content_type, declared_size, status,
            sha256, size, file, detail, attempts, next_attempt_at, updated_at)
          VALUES (${p(a.ubrn)}, ${p(a.attachmentId)}, ${p(a.url)}, ${p(a.title)}, ${p(a.contentType)},
            ${p(a.declaredSize ?? null)}, ${p(a.status)}, ${p(a.sha256 ?? null)}, ${p(a.size ?? null)},
            ${p(a.file ?? null)}, ${p(a.detail ?? null)}, ${p(a.attempts)}, ${p(a.nextAttemptAt ?? null)}, ${p(now)})
          ON CONFLICT (ubrn, attachment_id) DO UPDATE SET url = excluded.url, title = excluded.title,
            content_type = excluded.content_type, declared_size = excluded.declared_size, status = excluded.status,
            sha256 = excluded.sha256, size = excluded.size, file = excluded.file, detail = excluded.detail,
            attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`,
      ),
    );
  }

  attachmentsDue(at: Date, limit: number): Promise<StoredAttachment[]> {
    return this.listAttachments(
      (p) => `WHERE status IN ('PENDING', 'FAILED') AND next_attempt_at IS NOT NULL
        AND next_attempt_at <= ${p(at.toISOString())} ORDER BY updated_at LIMIT ${p(limit)}`,
    );
  }

  attachmentFailures(limit: number): Promise<StoredAttachment[]> {
    return this.listAttachments(
      (p) => `WHERE status IN ('THREATS_FOUND', 'VALIDATION_FAILED', 'FAILED')
        ORDER BY updated_at DESC, attachment_id LIMIT ${p(limit)}`,
    );
  }

  private async listAttachments(rest: Parameters<typeof sql>[1]): Promise<StoredAttachment[]> {
    const found = await this.run.read(
      rows<AttachmentRow>(sql(this.d, (p) => `SELECT * FROM ers_attachments ${rest(p)}`)),
    );
    return found.map(toAttachment);
  }

  claimDecision(decision: {
    idempotencyKey: string;
    ubrn: string;
    action: string;
    fingerprint: string;
  }): Promise<DecisionClaim> {
    return this.run.write(this.claim(decision, this.clock().toISOString()));
  }

  private *claim(
    d: { idempotencyKey: string; ubrn: string; action: string; fingerprint: string },
    now: string,
  ): Work<DecisionClaim> {
    for (;;) {
      const inserted = yield* changes(
        sql(
          this.d,
          (
            p,
          ) => `INSERT INTO ers_decisions (idempotency_key, ubrn, action, fingerprint, status, created_at, updated_at)
            VALUES (${p(d.idempotencyKey)}, ${p(d.ubrn)}, ${p(d.action)}, ${p(d.fingerprint)}, 'IN_PROGRESS',
              ${p(now)}, ${p(now)})
            ON CONFLICT DO NOTHING`,
        ),
      );
      if (inserted === 1) return { claimed: true };
      const existing = yield* row<DecisionRow>(
        sql(
          this.d,
          (
            p,
          ) => `SELECT idempotency_key, ubrn, action, fingerprint, status, ${this.d.jsonText('outcome')} AS outcome,
              created_at, updated_at
            FROM ers_decisions WHERE idempotency_key = ${p(d.idempotencyKey)}`,
        ),
      );
      if (existing) return { claimed: false, existing: toDecision(existing) };
      // Released by another instance between our insert and this read: claim again.
    }
  }

  async finishDecision(idempotencyKey: string, outcome: { status: number; body: unknown }): Promise<void> {
    const now = this.clock().toISOString();
    await this.run.change(
      sql(
        this.d,
        (p) => `UPDATE ers_decisions SET status = 'DONE',
            ${this.d.jsonColumn('outcome')} = ${p(JSON.stringify(outcome), 'jsonb')}, updated_at = ${p(now)}
          WHERE idempotency_key = ${p(idempotencyKey)}`,
      ),
    );
  }

  async releaseDecision(idempotencyKey: string): Promise<void> {
    await this.run.change(
      sql(
        this.d,
        (p) =>
          `DELETE FROM ers_decisions WHERE idempotency_key = ${p(idempotencyKey)} AND status = 'IN_PROGRESS'`,
      ),
    );
  }
}
