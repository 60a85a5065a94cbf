export { createError, type ErrorSpec, GatewayError, isGatewayError } from './gateway-error.js';
