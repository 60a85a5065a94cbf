export type { InboundAnswer } from './answers.js';
export {
  type AllowedClient,
  ANY_SENDER,
  type ClientIdentity,
  type InboundSender,
  mayActFor,
  partiesFor,
  senderFor,
} from './clients.js';
export type { InboundDependencies } from './dependencies.js';
export { InboundPipeline } from './pipeline.js';
export { createInboundServer } from './server.js';
