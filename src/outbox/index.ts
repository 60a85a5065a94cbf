export { type EveryOptions, every, type PeriodicTask, type SweepDependencies } from './every.js';
export { NotificationRelay, pasNotification, type RelaySettings } from './relay.js';
