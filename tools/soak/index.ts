export { runSoakCommand as runCommand } from './command.js';
export type { CommandLine } from './command-line.js';
export { shippedRoutesAt } from './environment.js';
export { freePort, portOpen } from './ports.js';
export { createDatabase, postgresAdminUrl, type SoakDatabase } from './postgres.js';
export { ManagedProcess, type ProcessSpec } from './processes.js';
export { type SoakBroker, useSharedBroker } from './rabbitmq.js';
export { DEFAULT_SOAK, type InboundSent, type RunRecord, runSoak, type SoakOptions } from './run.js';
export type { SoakSummary } from './summary.js';
