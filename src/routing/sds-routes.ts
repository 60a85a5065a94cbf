import type { RouteOverlay, RouteOverlayEntry, RouteTable } from './routes.js';
import type { SdsRoute } from './sds.js';
import { SdsCache } from './sds-cache.js';

export interface SdsRefreshLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface SdsRouteRefresherOptions {
  routes: RouteTable;
  lookup: (interactionId: string, service: string, odsCode: string) => Promise<SdsRoute>;
  /** The organisation that receives what we send (e-RS's, in practice `YES`). */
  receivingOdsCode: string;
  /** Our own organisation: inbound-only interactions are registered under our MHS. */
  ownOdsCode: string;
  /** Spine's reliable intermediary; empty keeps the routes file's endpoint for forward-reliable. */
  forwardReliableEndpoint: string;
  cacheMs: number;
  staleIfErrorMs?: number;
  logger: SdsRefreshLogger;
  now?: () => number;
}

export interface SdsRefreshResult {
  fromSds: string[];
  stale: string[];
  fallback: string[];
}

/** A day: long enough to ride out an SDS outage, short enough that a moved endpoint is noticed. */
export const DEFAULT_STALE_IF_ERROR_MS = 24 * 3_600_000;

/**
 * Keeps a RouteTable's overlay in step with SDS. RouteTable.resolve is synchronous and on hot paths,
 * so instead of looking up per message, every catalogued interaction is looked up at start-up and
 * again each cache period, and the answers are laid over the routes file in one swap. Anything SDS
 * cannot answer (and has no stale answer for) keeps the routes file's values, with a warning.
 */
export class SdsRouteRefresher {
  private readonly cache: SdsCache<SdsRoute>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SdsRefreshResult> | undefined;

  constructor(private readonly options: SdsRouteRefresherOptions) {
    this.cache = new SdsCache({
      // A little under the refresh period, so each periodic refresh finds its answers expired.
      ttlMs: Math.floor(options.cacheMs * 0.9),
      staleIfErrorMs: options.staleIfErrorMs ?? DEFAULT_STALE_IF_ERROR_MS,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** First refresh (awaited), then one every cache period. Never throws: SDS is an improvement, not a dependency. */
  async start(): Promise<SdsRefreshResult> {
    const result = await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.cacheMs);
    this.timer.unref();
    return result;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  refresh(): Promise<SdsRefreshResult> {
    this.running ??= this.refreshOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async refreshOnce(): Promise<SdsRefreshResult> {
    const { routes, logger } = this.options;
    const overlay: RouteOverlay = {};
    const result: SdsRefreshResult = { fromSds: [], stale: [], fallback: [] };
    let unrouted = 0;
    for (const [id, interaction] of Object.entries(routes.catalogue.interactions)) {
      // Inbound-only interactions are addressed to our MHS, so their CPA id is in our own record.
      const inboundOnly = interaction.direction === 'inbound';
      const odsCode = inboundOnly ? this.options.ownOdsCode : this.options.receivingOdsCode;
      try {
        const hit = await this.cache.get(`${odsCode}|${interaction.service}:${id}`, () =>
          this.options.lookup(id, interaction.service, odsCode),
        );
        if (hit.stale) {
          result.stale.push(id);
          logger.warn(
            { interactionId: id, err: hit.error?.message },
            'SDS lookup failed; using its last answer',
          );
        } else result.fromSds.push(id);
        overlay[id] = this.entryFor(hit.value, interaction.workflow, inboundOnly);
      } catch (error) {
        result.fallback.push(id);
        // Most catalogued interactions are ones this site never uses: SDS knowing nothing of one
        // that has no route anyway is not worth a warning each refresh.
        if (routes.isRouted(id))
          logger.warn(
            { interactionId: id, odsCode, err: (error as Error).message },
            'SDS lookup failed; using the routes file',
          );
        else unrouted += 1;
      }
    }
    if (unrouted > 0)
      logger.info({ unrouted }, 'catalogued interactions neither SDS nor the routes file routes');
    try {
      routes.setOverlay(overlay);
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'SDS answers refused; keeping the previous routes');
      return { fromSds: [], stale: [], fallback: Object.keys(routes.catalogue.interactions) };
    }
    logger.info(
      { fromSds: result.fromSds.length, stale: result.stale.length, fallback: result.fallback.length },
      'routes refreshed from SDS',
    );
    return result;
  }

  private entryFor(route: SdsRoute, workflow: string, inboundOnly: boolean): RouteOverlayEntry {
    // Inbound-only: SDS describes our own MHS, so only the CPA id and reliability apply.
    if (inboundOnly) return { cpaId: route.cpaId, reliability: route.reliability };
    const entry: RouteOverlayEntry = {
      toPartyKey: route.partyKey,
      cpaId: route.cpaId,
      reliability: route.reliability,
      ...(route.asid ? { toAsid: route.asid } : {}),
    };
    // Forward-reliable goes through Spine's reliable intermediary, not to the receiver's own
    // endpoint: the POST target stays the configured intermediary (or the routes file's, when no
    // intermediary is configured), while the To party key, CPA id and reliability are SDS's.
    if (workflow === 'forward-reliable') {
      if (this.options.forwardReliableEndpoint) entry.endpoint = this.options.forwardReliableEndpoint;
    } else entry.endpoint = route.address;
    return entry;
  }
}
