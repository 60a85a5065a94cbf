export { NotificationRelay, pasNotification, type RelaySettings } from './relay.js';
