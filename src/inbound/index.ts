export { type InboundAnswer, type InboundDependencies, InboundPipeline } from './pipeline.js';
export { createInboundServer } from './server.js';
