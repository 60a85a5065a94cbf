export { type Catalogue, type ReliabilitySettings, WORKFLOWS, type Workflow } from './catalogue.js';
export { parseDuration } from './duration.js';
export {
  DEFAULT_REPLY_TIMEOUT,
  loadRouteTable,
  type Route,
  type RouteOverlay,
  type RouteOverlayEntry,
  RouteTable,
  RoutingError,
  reliabilityFlags,
} from './routes.js';
export {
  parseDeviceBundle,
  parseEndpointBundle,
  parseReliability,
  SDS_RELIABILITY_EXTENSION,
  SDS_SYSTEMS,
  SdsClient,
  type SdsClientOptions,
  type SdsDevice,
  type SdsEndpoint,
  SdsError,
  type SdsRoute,
  serviceInteractionId,
} from './sds.js';
export { type CacheHit, SdsCache, type SdsCacheOptions } from './sds-cache.js';
export {
  DEFAULT_STALE_IF_ERROR_MS,
  type SdsRefreshLogger,
  type SdsRefreshResult,
  SdsRouteRefresher,
  type SdsRouteRefresherOptions,
} from './sds-routes.js';
