export { type Readiness, type ReadinessCheck, readiness } from './health.js';
export { createLogger, type Logger, type LoggingOptions, PATIENT_DATA_PATHS } from './logging.js';
