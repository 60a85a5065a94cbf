import type { Logger } from '../ops/index.js';
import type { ReferralStore, WorklistEntry } from '../store/index.js';
import type { FhirClient } from './client.js';
import type { ReferralEvent } from './events.js';
import type { Referrals } from './referrals.js';
import { diffWorklists, fetchWorklistParameters, readWorklist, type WorklistName } from './worklist.js';

export interface SyncSettings {
  services: string[];
  lists: WorklistName[];
  dailyBudget: number;
  intervalMs: number;
  clock?: () => Date;
}

export interface ListRun {
  service: string;
  list: WorklistName;
  at: string;
  outcome: 'synced' | 'budget-exhausted' | 'failed';
  detail?: string;
  entries?: number;
  added?: number;
  changed?: number;
  removed?: number;
}

/** The e-RS day a budget belongs to: the calendar date in England. */
export function budgetDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(at);
}

export function budgetKey(service: string): string {
  return `A008:${service}`;
}

/**
 * The worklist scheduler: per service and list, one A008 (if today's budget allows: the unit is
 * spent in the store before the call, so no restart or second instance can exceed it), a diff by
 * UBRN and referralRequestVersion against the last run, A005 only for versions we do not hold,
 * then events. The new worklist is stored after its events are published: a crash in between
 * publishes them again (same messageIds), never loses them.
 */
export class WorklistSync {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ListRun[]>;
  private readonly clock: () => Date;
  readonly lastRuns = new Map<string, ListRun>();

  constructor(
    private readonly settings: SyncSettings,
    private readonly client: FhirClient,
    private readonly store: ReferralStore,
    private readonly referrals: Referrals,
    private readonly publish: (event: ReferralEvent) => Promise<void>,
    private readonly logger: Logger,
    private readonly afterRun: () => void = () => undefined,
    /** False while events cannot be published (RabbitMQ down): a run then waits, its budget unspent. */
    private readonly canPublish: () => boolean = () => true,
  ) {
    this.clock = settings.clock ?? (() => new Date());
  }

  start(): void {
    const tick = () => {
      this.runOnce().catch((error) =>
        this.logger.error({ err: (error as Error).message }, 'worklist sync failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, this.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One run over every service and list; a run already going is joined, not doubled. */
  runOnce(): Promise<ListRun[]> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      this.afterRun();
    });
    return this.running;
  }

  async budget(): Promise<{
    day: string;
    limit: number;
    services: { service: string; used: number; left: number }[];
  }> {
    const day = budgetDay(this.clock());
    const services = await Promise.all(
      this.settings.services.map(async (service) => {
        const used = await this.store.budgetUsed(budgetKey(service), day);
        return { service, used, left: Math.max(this.settings.dailyBudget - used, 0) };
      }),
    );
    return { day, limit: this.settings.dailyBudget, services };
  }

  private async run(): Promise<ListRun[]> {
    const runs: ListRun[] = [];
    for (const service of this.settings.services) {
      for (const list of this.settings.lists) {
        const run = await this.syncList(service, list).catch(
          (error): ListRun => ({
            service,
            list,
            at: this.clock().toISOString(),
            outcome: 'failed',
            detail: (error as Error).message,
          }),
        );
        if (run.outcome === 'failed')
          this.logger.warn({ service, list, detail: run.detail }, 'worklist sync failed');
        this.lastRuns.set(`${service}|${list}`, run);
        runs.push(run);
      }
    }
    return runs;
  }

  private async syncList(service: string, list: WorklistName): Promise<ListRun> {
    const at = this.clock();
    const base = { service, list, at: at.toISOString() };
    if (!this.canPublish())
      return {
        ...base,
        outcome: 'failed',
        detail: 'RabbitMQ is not connected; no A008 call made, budget not spent',
      };
    if (!(await this.store.takeBudget(budgetKey(service), budgetDay(at), this.settings.dailyBudget))) {
      return {
        ...base,
        outcome: 'budget-exhausted',
        detail: `${this.settings.dailyBudget} A008 calls already made today`,
      };
    }
    const answer = await this.client.call({
      endpoint: 'A008',
      method: 'POST',
      path: 'STU3/ReferralRequest/$ers.fetchworklist',
      body: fetchWorklistParameters(list, service),
    });
    if (answer.status !== 200) {
      return {
        ...base,
        outcome: 'failed',
        detail: `A008 answered ${answer.status}${answer.error.code ? ` ${answer.error.code}` : ''}`,
      };
    }
    const current = readWorklist(answer.json);
    const previous = await this.store.worklist(service, list);
    const diff = diffWorklists(previous, current);
    // What is stored for next time: an entry whose referral could not be read keeps its old version (or is left out), so it is tried again.
    const saved = new Map<string, number>(current.map((e) => [e.ubrn, e.version]));
    const heldBefore = new Map(previous.map((e) => [e.ubrn, e.version]));
    for (const entry of [...diff.added, ...diff.changed]) {
      const kind = heldBefore.has(entry.ubrn) ? 'referral-changed' : 'referral-new';
      try {
        const stored = await this.store.referral(entry.ubrn);
        const held =
          stored && stored.version >= entry.version
            ? await this.referrals.held(entry.ubrn)
            : await this.referrals.fetch(entry.ubrn);
        await this.publish({
          kind,
          ubrn: entry.ubrn,
          service,
          list,
          version: held!.referral.version,
          ...(heldBefore.has(entry.ubrn) ? { previousVersion: heldBefore.get(entry.ubrn)! } : {}),
          at: this.clock().toISOString(),
          referral: held!.referral,
        });
      } catch (error) {
        this.logger.warn(
          { service, list, err: (error as Error).message },
          'referral could not be read; tried again next run',
        );
        const before = heldBefore.get(entry.ubrn);
        if (before === undefined) saved.delete(entry.ubrn);
        else saved.set(entry.ubrn, before);
      }
    }
    for (const entry of diff.removed) {
      await this.publish({
        kind: 'referral-left-worklist',
        ubrn: entry.ubrn,
        service,
        list,
        version: entry.version,
        at: this.clock().toISOString(),
      });
    }
    const entries: WorklistEntry[] = [...saved].map(([ubrn, version]) => ({ ubrn, version }));
    await this.store.saveWorklist(service, list, entries);
    return {
      ...base,
      outcome: 'synced',
      entries: current.length,
      added: diff.added.length,
      changed: diff.changed.length,
      removed: diff.removed.length,
    };
  }
}
