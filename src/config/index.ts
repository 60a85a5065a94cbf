export { ConfigError, defaultConfigFile, environmentName, loadConfig, packageRoot } from './load.js';
export { configSchema, type GatewayConfig } from './schema.js';
