export { type FloorResult, measureRsaSigning, measureTransportFloor, type SigningFloor } from './floor.js';
export { formatReport } from './report.js';
export { type BenchOptions, type BenchReport, DEFAULT_BENCH, runBench } from './run.js';
