export {
  type AllowedClient,
  ANY_SENDER,
  type ClientIdentity,
  type InboundSender,
  partiesFor,
  senderFor,
} from './clients.js';
export { type InboundAnswer, type InboundDependencies, InboundPipeline } from './pipeline.js';
export { createInboundServer } from './server.js';
