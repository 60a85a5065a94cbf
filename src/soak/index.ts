export { freePort, portOpen } from './ports.js';
export { DEFAULT_SOAK, type InboundSent, type RunRecord, runSoak, type SoakOptions } from './run.js';
export type { SoakSummary } from './summary.js';
