export { type AllowedClient, type ClientIdentity, partiesFor } from './clients.js';
export { type InboundAnswer, type InboundDependencies, InboundPipeline } from './pipeline.js';
export { createInboundServer } from './server.js';
