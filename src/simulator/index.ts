export { controlRouter, createControlServer } from './control.js';
export {
  type ControlDeps,
  type ControlRoute,
  controlRoutes,
  type ErsRequestStarter,
} from './control-routes.js';
export { FaultInjector, type InjectedAnswer } from './faults.js';
export { acknowledgmentFor, type BuildContext, ersMessage, slotPollMessage } from './messages.js';
export { failedPostAnswer, type SpineAnswer, spineReceiver } from './spine-endpoint.js';
export { type RunningSimulator, startSimulator } from './start.js';
export { type Faults, ReceivedLog, type ReceivedMessage } from './state.js';
