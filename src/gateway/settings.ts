// What start-up derives from the configuration and the route table before anything opens.
import { type ApiAuth, loadApiKeys } from '../api/index.js';
import { ConfigError, type GatewayConfig } from '../config/index.js';
import type { Logger } from '../ops/index.js';
import { parseDuration, type RouteTable, SdsClient, SdsRouteRefresher } from '../routing/index.js';
import type { RetentionSettings } from '../store/index.js';
import type { OutboundProxy } from '../transport/index.js';

/** The API's authentication; an api-key mode reads its keys file now (a missing one stops start-up). */
export function apiAuth(config: GatewayConfig, logger: Logger): ApiAuth {
  const auth: ApiAuth =
    config.api.auth.mode === 'api-key'
      ? { mode: 'api-key', keys: loadApiKeys(config.api.auth.keysFile) }
      : { mode: 'none' };
  if (auth.mode === 'none') logger.warn({}, 'API authentication is OFF (api.auth.mode is none)');
  return auth;
}

/** Looks every interaction up in SDS (when sds.url is set) and keeps doing so; undefined when off. */
export async function startSdsRouting(
  config: GatewayConfig,
  routes: RouteTable,
  logger: Logger,
  proxy: OutboundProxy | undefined,
): Promise<SdsRouteRefresher | undefined> {
  if (!config.sds.url) return undefined;
  const client = new SdsClient({
    url: config.sds.url,
    apiKey: config.sds.apiKey,
    timeoutMs: Math.min(config.outbound.requestTimeoutMs, 10_000),
    proxy,
  });
  const refresher = new SdsRouteRefresher({
    routes,
    lookup: (id, service, odsCode) => client.lookupRoute(id, service, odsCode),
    receivingOdsCode: config.sds.odsCode,
    ownOdsCode: config.odsCode,
    forwardReliableEndpoint: config.sds.forwardReliableEndpoint,
    cacheMs: config.sds.cacheSeconds * 1000,
    logger,
  });
  // The URL is logged, the API key never is.
  logger.info({ url: config.sds.url, odsCode: config.sds.odsCode }, 'routing from SDS');
  await refresher.start();
  return refresher;
}

/**
 * Retention in milliseconds. Inbound records are the duplicate-elimination store, so they must
 * outlive the longest persist duration any route agrees to (ebms2 §3.5), or a late retry would be
 * delivered twice: a shorter setting stops start-up.
 */
export function retentionSettings(config: GatewayConfig, routes: RouteTable): RetentionSettings {
  const finishedMs = parseDuration(config.retention.finishedMessages)!;
  const inboundMs = parseDuration(config.retention.inboundMessages)!;
  const longest = Math.max(...routes.routed().map((id) => routes.resolve(id).persistDurationMs));
  if (inboundMs < longest) {
    throw new ConfigError(
      `configuration key retention.inboundMessages (MHS_RETENTION_INBOUND_MESSAGES): ${config.retention.inboundMessages} is shorter than the longest route persist duration (${longest / 1000} s); duplicates could be delivered twice`,
    );
  }
  return { finishedMs, inboundMs, intervalMs: config.retention.intervalMs };
}

/** The retry intervals of every route that may be retried (SDS may add others; they are declared on use). */
export function retryIntervals(routes: RouteTable): number[] {
  const intervals = new Set<number>();
  for (const id of routes.routed()) {
    const route = routes.resolve(id);
    if (route.direction !== 'inbound' && route.reliability.retries > 0) intervals.add(route.retryIntervalMs);
  }
  return [...intervals].sort((a, b) => a - b);
}

/** dashboard.session in milliseconds (the schema has checked both are ISO durations over zero). */
export function dashboardSession(config: GatewayConfig): { idleMs: number; lifetimeMs: number } {
  return {
    idleMs: parseDuration(config.dashboard.session.idleTimeout)!,
    lifetimeMs: parseDuration(config.dashboard.session.lifetime)!,
  };
}
