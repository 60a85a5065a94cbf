import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ACTOR_NEXT_MSH, ACTOR_TO_PARTY_MSH, type ReliabilityFlags } from '../ebxml/index.js';
import { createError } from '../errors/index.js';
import {
  type Catalogue,
  catalogueSchema,
  type ReliabilitySettings,
  type RoutesFile,
  routesFileSchema,
  type Workflow,
} from './catalogue.js';
import { parseDuration } from './duration.js';

/** Everything needed to send one interaction, resolved from the catalogue and the routes file. */
export interface Route {
  interactionId: string;
  /** Empty where no public source names the interaction. */
  name: string;
  /** The service it is sent under (eb:Service, SOAPAction). */
  service: string;
  /** Every service it may arrive under: `service` first, then the catalogue's otherServices. */
  services: readonly string[];
  action: string;
  workflow: Workflow;
  direction: 'inbound' | 'outbound' | 'both';
  endpoint: string;
  toPartyKey: string;
  cpaId: string;
  toAsid?: string;
  sign: boolean;
  /** Undefined: the gateway-wide inbound setting applies. */
  requireSignature?: boolean;
  allowSha1: boolean;
  reliability: ReliabilitySettings;
  retryIntervalMs: number;
  persistDurationMs: number;
  /** How long a sent message waits for Spine's answer; see replyDeadline in outbound/. */
  replyTimeoutMs: number;
}

/** The reply timeout when neither the route nor the routes file's defaults set `replyTimeout`. */
export const DEFAULT_REPLY_TIMEOUT = 'PT1H';

/** No usable route: the routes file is wrong, or names no route for an interaction. */
export class RoutingError extends createError('ROUTING', 400, 'No usable route') {}

/**
 * Values learned at run time (from SDS) that take precedence over the routes file for one
 * interaction. Signing and signature policy stay the routes file's: SDS does not publish them.
 */
export interface RouteOverlayEntry {
  endpoint?: string;
  toPartyKey?: string;
  cpaId?: string;
  toAsid?: string;
  reliability?: Partial<ReliabilitySettings>;
}
export type RouteOverlay = Record<string, RouteOverlayEntry>;

export class RouteTable {
  /** Replaced whole by setOverlay, so a resolve never sees half of a refresh. */
  private overlay: RouteOverlay = {};
  /** Resolved routes, rebuilt whenever the overlay changes: every message resolves its route. */
  private resolved = new Map<string, Readonly<Route>>();
  private byCpaId?: Map<string, Readonly<Route>>;

  constructor(
    readonly catalogue: Catalogue,
    private readonly routesFile: RoutesFile,
  ) {
    // Resolve every routed interaction now, so a bad file stops start-up instead of a send.
    this.resolved = this.resolveAll();
  }

  /** True for every catalogued interaction, routed or not (the catalogue is what we know of). */
  has(interactionId: string): boolean {
    return Object.hasOwn(this.catalogue.interactions, interactionId);
  }

  /** The interaction's human name, for people (dashboard, logs); undefined when none is known. */
  interactionName(interactionId: string): string | undefined {
    return this.has(interactionId) ? this.catalogue.interactions[interactionId]!.name : undefined;
  }

  /** Every service the interaction may arrive under (empty when it is not catalogued). */
  servicesOf(interactionId: string): readonly string[] {
    if (!this.has(interactionId)) return [];
    const interaction = this.catalogue.interactions[interactionId]!;
    return [interaction.service, ...(interaction.otherServices ?? [])];
  }

  /** True when the interaction is catalogued and SDS or the routes file gives it a complete route. */
  isRouted(interactionId: string): boolean {
    return this.resolved.has(interactionId);
  }

  /** The interactions that have a complete route now. */
  routed(): string[] {
    return [...this.resolved.keys()];
  }

  /**
   * The route for an interaction; throws RoutingError when it is not catalogued, or neither SDS nor
   * the routes file gives it an endpoint, To party and CPA id.
   */
  resolve(interactionId: string): Readonly<Route> {
    const known = this.resolved.get(interactionId);
    if (known) return known;
    // Not routed: compute once more for the error that says what is missing.
    this.compute(interactionId);
    throw new RoutingError(`no route for ${interactionId}`);
  }

  /**
   * Routes for every catalogued interaction that can have one. The catalogue holds every interaction
   * the NHS MHS adaptor knows; most have no route until SDS or the routes file gives them one, and
   * that is not an error. An interaction the routes file or SDS names must resolve, or the file is wrong.
   */
  private resolveAll(): Map<string, Readonly<Route>> {
    const resolved = new Map<string, Readonly<Route>>();
    for (const id of Object.keys(this.catalogue.interactions)) {
      const named = Object.hasOwn(this.routesFile.routes, id) || Object.hasOwn(this.overlay, id);
      try {
        resolved.set(id, Object.freeze(this.compute(id)));
      } catch (error) {
        if (named || !(error instanceof RoutingError)) throw error;
      }
    }
    return resolved;
  }

  private compute(interactionId: string): Route {
    const interaction = this.catalogue.interactions[interactionId];
    if (!interaction) throw new RoutingError(`unknown interaction ${interactionId}`);
    const fromFile = this.routesFile.routes[interactionId] ?? {};
    const learned = this.overlay[interactionId];
    const overrides = learned
      ? { ...fromFile, ...learned, reliability: { ...fromFile.reliability, ...learned.reliability } }
      : fromFile;
    const defaults = this.routesFile.defaults;
    const profile = this.catalogue.reliabilityProfiles[interaction.reliability]!;
    const reliability = {
      ...profile,
      ...defaults.reliability,
      ...overrides.reliability,
    } as ReliabilitySettings;
    const endpoint = overrides.endpoint ?? defaults.endpoint;
    const toPartyKey = overrides.toPartyKey ?? defaults.toPartyKey;
    const cpaId = overrides.cpaId ?? defaults.cpaId;
    const missing = !endpoint ? 'endpoint' : !toPartyKey ? 'toPartyKey' : !cpaId ? 'cpaId' : undefined;
    if (missing)
      throw new RoutingError(
        `route for ${interactionId} has no ${missing} (neither SDS nor the routes file gives one)`,
      );
    const toAsid = overrides.toAsid ?? defaults.toAsid;
    if (interaction.workflow === 'sync' && !toAsid)
      throw new RoutingError(`route for ${interactionId} (sync) has no toAsid`);
    return {
      ...(toAsid ? { toAsid } : {}),
      interactionId,
      name: interaction.name ?? '',
      service: interaction.service,
      services: Object.freeze([interaction.service, ...(interaction.otherServices ?? [])]),
      action: interactionId,
      workflow: interaction.workflow,
      direction: interaction.direction,
      endpoint: endpoint!,
      toPartyKey: toPartyKey!,
      cpaId: cpaId!,
      // Spine does not sign (no NHS sender does): sign only where the routes file says so.
      sign: overrides.sign ?? defaults.sign ?? false,
      ...((overrides.requireSignature ?? defaults.requireSignature) !== undefined
        ? { requireSignature: overrides.requireSignature ?? defaults.requireSignature }
        : {}),
      allowSha1: overrides.allowSha1 ?? defaults.allowSha1 ?? false,
      reliability,
      retryIntervalMs: parseDuration(reliability.retryInterval)!,
      persistDurationMs: parseDuration(reliability.persistDuration)!,
      replyTimeoutMs: parseDuration(
        overrides.replyTimeout ?? defaults.replyTimeout ?? DEFAULT_REPLY_TIMEOUT,
      )!,
    };
  }

  /**
   * Lays run-time values (SDS) over the routes file for every later resolve. The whole table is
   * checked first: an overlay that would leave any route unusable is refused and the old one kept.
   * Holders of this table (submission, API, inbound pipeline) see the change without reloading,
   * and resolve stays synchronous.
   */
  setOverlay(overlay: RouteOverlay): void {
    const previous = this.overlay;
    this.overlay = overlay;
    try {
      this.resolved = this.resolveAll();
      this.byCpaId = undefined;
    } catch (error) {
      this.overlay = previous;
      throw error;
    }
  }

  /** A new table with this overlay (this one is left as it is). */
  withOverrides(overlay: RouteOverlay): RouteTable {
    const table = new RouteTable(this.catalogue, this.routesFile);
    table.setOverlay(overlay);
    return table;
  }

  /** The interaction whose route uses this CPA id, for inbound validation. */
  findByCpaId(cpaId: string): Readonly<Route> | undefined {
    if (!this.byCpaId) {
      const index = new Map<string, Readonly<Route>>();
      // The first routed interaction in catalogue order wins, as it did when this was a scan.
      for (const route of this.resolved.values()) {
        if (!index.has(route.cpaId)) index.set(route.cpaId, route);
      }
      this.byCpaId = index;
    }
    return this.byCpaId.get(cpaId);
  }
}

/** The envelope flags a route asks for (SDS values; the workflow table is only the fallback data). */
export function reliabilityFlags(route: Route): ReliabilityFlags {
  const r = route.reliability;
  const flags: ReliabilityFlags = {
    duplicateElimination: r.duplicateElimination === 'always',
    syncReply: r.syncReplyMode !== 'none',
  };
  if (r.ackRequested === 'always') {
    flags.ackRequested = {
      actor: r.actor === ACTOR_NEXT_MSH ? ACTOR_NEXT_MSH : ACTOR_TO_PARTY_MSH,
      signed: false,
    };
  }
  return flags;
}

export function loadRouteTable(interactionsFile: string, routesFile: string): RouteTable {
  const catalogue = parseFile(interactionsFile, catalogueSchema);
  const routes = parseFile(routesFile, routesFileSchema);
  return new RouteTable(catalogue, routes);
}

function parseFile<T>(path: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RoutingError(`${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new RoutingError(`${path}: ${issue.path.join('.')} ${issue.message}`);
  }
  return result.data;
}
