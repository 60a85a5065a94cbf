export { type Readiness, type ReadinessCheck, readiness } from './health.js';
export { instrumentStore, type StoreEvents } from './instrument-store.js';
export { createLogger, type Logger, type LoggingOptions, PATIENT_DATA_PATHS } from './logging.js';
export { GatewayMetrics, type MetricsOptions, type MetricTotals, metricsHandler } from './metrics.js';
export { RateWindow } from './rates.js';
export {
  type CertificateInfo,
  DEFAULT_STATE_CACHE_MS,
  type OpsState,
  OpsStateReader,
  type OpsStateSources,
  type QueueDepthSource,
  type QueueState,
} from './state.js';
