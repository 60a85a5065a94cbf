import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReferralStore, StoredAttachment } from '../store/index.js';
import { type FhirClient, FhirTransportError } from './client.js';
import type { ReferralAttachmentInfo } from './fhir-json.js';
import type { ReferralJson } from './referral.js';

export interface AttachmentSettings {
  dir: string;
  maxBytes: number;
  /** e-RS asks for at least five minutes before a PENDING file is asked for again. */
  pendingRetryMs: number;
  clock?: () => Date;
}

/** The clinical information summary (A007) is kept per referral version, as an attachment of this id. */
export function clinicalInformationId(version: number): string {
  return `clinical-information-v${version}`;
}
const CLINICAL_INFORMATION_URL = /^ReferralRequest\/([0-9]{12})\/\$ers\.generateCRI$/;

/** The Advice and Guidance overview (A043) is kept per A&G request version, the same way. */
export function adviceOverviewId(version: number): string {
  return `advice-overview-v${version}`;
}
const ADVICE_OVERVIEW_URL = /^CommunicationRequest\/([0-9]{12})\/\$ers\.generateCRI$/;

/** Retries after a failure: 1, 2, 4… minutes, then given up (FAILED, no next attempt). */
const MAX_ATTEMPTS = 8;
/** A file e-RS still calls PENDING after this many tries (a day at e-RS's five minutes) is given up and reported. */
const MAX_PENDING_ATTEMPTS = 288;
const FINAL_AVAILABILITY = new Set(['THREATS_FOUND', 'VALIDATION_FAILED']);

/**
 * Downloads each referral's attachments (A042 → 307 → object store; A006 as the fallback) into
 * the attachments directory, with SHA-256 and size, and keeps their state: PENDING (waiting, for
 * e-RS's scan or a retry), DOWNLOADED, THREATS_FOUND and VALIDATION_FAILED (final; reported), FAILED.
 */
export class Attachments {
  private readonly clock: () => Date;
  private running?: Promise<void>;

  constructor(
    private readonly client: FhirClient,
    private readonly store: ReferralStore,
    private readonly settings: AttachmentSettings,
    private readonly onFinalFailure: (attachment: StoredAttachment) => Promise<void>,
  ) {
    this.clock = settings.clock ?? (() => new Date());
    mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
  }

  /** Records the attachments a referral lists that we have not seen, and its clinical information summary. */
  register(referral: ReferralJson): Promise<void> {
    return this.registerFiles(referral.ubrn, [
      ...referral.attachments,
      {
        id: clinicalInformationId(referral.version),
        title: 'Clinical information summary (A007)',
        contentType: 'application/pdf',
        url: `ReferralRequest/${referral.ubrn}/$ers.generateCRI`,
      },
    ]);
  }

  /** The same for an Advice and Guidance request: its files, the conversation's, and its overview (A043). */
  registerAdvice(ubrn: string, version: number, files: ReferralAttachmentInfo[]): Promise<void> {
    return this.registerFiles(ubrn, [
      ...files,
      {
        id: adviceOverviewId(version),
        title: 'Advice and guidance overview (A043)',
        contentType: 'application/pdf',
        url: `CommunicationRequest/${ubrn}/$ers.generateCRI`,
      },
    ]);
  }

  /** e-RS's final verdicts (THREATS_FOUND, VALIDATION_FAILED) are reported at once. */
  private async registerFiles(ubrn: string, files: ReferralAttachmentInfo[]): Promise<void> {
    for (const info of files) {
      const known = await this.store.attachment(ubrn, info.id);
      if (known && known.status !== 'PENDING') continue;
      const finalVerdict = info.availability && FINAL_AVAILABILITY.has(info.availability);
      const now = this.clock().getTime();
      const record: Omit<StoredAttachment, 'updatedAt'> = {
        ubrn,
        attachmentId: info.id,
        url: info.url,
        title: info.title,
        contentType: info.contentType,
        ...(info.size !== undefined ? { declaredSize: info.size } : {}),
        status: finalVerdict ? (info.availability as 'THREATS_FOUND' | 'VALIDATION_FAILED') : 'PENDING',
        attempts: known?.attempts ?? 0,
        ...(finalVerdict
          ? { detail: `e-RS reports ${info.availability}` }
          : {
              nextAttemptAt: new Date(
                info.availability === 'PENDING' ? now + this.settings.pendingRetryMs : now,
              ).toISOString(),
            }),
      };
      if (known?.nextAttemptAt && record.nextAttemptAt && known.nextAttemptAt > record.nextAttemptAt)
        record.nextAttemptAt = known.nextAttemptAt;
      await this.store.saveAttachment(record);
      if (finalVerdict) await this.onFinalFailure({ ...record, updatedAt: this.clock().toISOString() });
    }
  }

  /** Downloads every attachment that is due; one pass at a time. */
  runDue(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Waits for a pass in progress (on close). */
  async settle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  filePath(attachment: StoredAttachment): string | undefined {
    return attachment.file ? join(this.settings.dir, attachment.file) : undefined;
  }

  private async pass(): Promise<void> {
    for (;;) {
      const due = await this.store.attachmentsDue(this.clock(), 20);
      if (due.length === 0) return;
      for (const attachment of due) await this.download(attachment);
    }
  }

  private async download(attachment: StoredAttachment): Promise<void> {
    // Never derived from e-RS's text: a hash of the pair is a safe file name.
    const file = createHash('sha256').update(`${attachment.ubrn}\0${attachment.attachmentId}`).digest('hex');
    const binaryId = attachment.url.replace(/^.*Binary\//, '');
    const attempts = attachment.attempts + 1;
    const now = this.clock().getTime();
    const retry = (detail: string): Omit<StoredAttachment, 'updatedAt'> =>
      attempts >= MAX_ATTEMPTS
        ? { ...withoutNext(attachment), status: 'FAILED', attempts, detail }
        : {
            ...attachment,
            status: 'FAILED',
            attempts,
            detail,
            nextAttemptAt: new Date(now + 60_000 * 2 ** (attempts - 1)).toISOString(),
          };
    let result: Awaited<ReturnType<FhirClient['download']>>;
    const summaryOf = CLINICAL_INFORMATION_URL.exec(attachment.url)?.[1];
    const overviewOf = ADVICE_OVERVIEW_URL.exec(attachment.url)?.[1];
    const target = join(this.settings.dir, file);
    try {
      result = summaryOf
        ? await this.client.downloadGenerated(
            'A007',
            'ReferralRequest',
            summaryOf,
            target,
            this.settings.maxBytes,
          )
        : overviewOf
          ? await this.client.downloadGenerated(
              'A043',
              'CommunicationRequest',
              overviewOf,
              target,
              this.settings.maxBytes,
            )
          : await this.client.download(binaryId, target, this.settings.maxBytes);
    } catch (error) {
      if (!(error instanceof FhirTransportError)) throw error;
      await this.save(retry(error.message));
      return;
    }
    if (result.status === 'downloaded') {
      if (attachment.declaredSize !== undefined && attachment.declaredSize !== result.size) {
        await this.save(
          retry(`size ${result.size} differs from the ${attachment.declaredSize} bytes e-RS declared`),
        );
        return;
      }
      await this.save({
        ...withoutNext(attachment),
        status: 'DOWNLOADED',
        attempts,
        file,
        sha256: result.sha256,
        size: result.size,
      });
      return;
    }
    const code = result.error.code;
    if (result.status === 422 && code === 'PENDING' && attempts >= MAX_PENDING_ATTEMPTS) {
      const final = {
        ...withoutNext(attachment),
        status: 'FAILED' as const,
        attempts,
        detail: `still PENDING after ${attempts} tries`,
      };
      await this.save(final);
      await this.onFinalFailure({ ...final, updatedAt: this.clock().toISOString() });
      return;
    }
    if (result.status === 422 && code === 'PENDING') {
      await this.save({
        ...attachment,
        status: 'PENDING',
        attempts,
        detail: 'e-RS is still scanning the file',
        nextAttemptAt: new Date(now + this.settings.pendingRetryMs).toISOString(),
      });
      return;
    }
    if (result.status === 422 && code && FINAL_AVAILABILITY.has(code)) {
      const final = {
        ...withoutNext(attachment),
        status: code as 'THREATS_FOUND' | 'VALIDATION_FAILED',
        attempts,
        detail: result.error.diagnostics ?? `e-RS reports ${code}`,
      };
      await this.save(final);
      await this.onFinalFailure({ ...final, updatedAt: this.clock().toISOString() });
      return;
    }
    await this.save(retry(`e-RS answered ${result.status}${code ? ` ${code}` : ''}`));
  }

  private save(record: Omit<StoredAttachment, 'updatedAt'>): Promise<void> {
    const { updatedAt: _ignored, ...rest } = record as StoredAttachment;
    return this.store.saveAttachment(rest);
  }
}

function withoutNext(attachment: StoredAttachment): Omit<StoredAttachment, 'updatedAt'> {
  const { nextAttemptAt: _next, detail: _detail, ...rest } = attachment;
  return rest;
}
