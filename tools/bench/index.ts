export { runBenchCommand as runCommand } from './command.js';
export { type ExchangeFloorResult, measureExchangeFloor } from './exchange-floor.js';
export { type FloorResult, measureRsaSigning, measureTransportFloor, type SigningFloor } from './floor.js';
export { sampleProcess } from './process-stats.js';
export { formatReport } from './report.js';
export { type BenchOptions, type BenchReport, DEFAULT_BENCH, runBench } from './run.js';
