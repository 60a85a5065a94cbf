// Mutual-TLS HTTPS to Spine, e-RS and SDS, direct or through a site's CONNECT proxy.
export { MtlsClient, type TransportResponse } from './client.js';
export {
  bypassesProxy,
  type OutboundProxy,
  type ProxyConfig,
  ProxyTunnelAgent,
  parseProxy,
  redactProxyUrl,
} from './proxy.js';
export { TransportError } from './transport-error.js';
