// One TLS policy for both directions of mutual TLS: inbound server and outbound client.
import type { AgentOptions, ServerOptions } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import type { LoadedTls } from './load.js';

export const TLS_MIN_VERSION = 'TLSv1.2';

/** TLS 1.3 suites, then forward-secret AEAD suites for TLS 1.2 peers (HSCN endpoints still use 1.2). */
export const TLS_CIPHERS: string = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

/** Options for https.createServer: a client certificate from one of the CAs is required. */
export function serverOptions(tls: LoadedTls): ServerOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  };
}

/** Options for an https.Agent or request; the caller sets `servername` for the identity check. */
export function clientOptions(tls: LoadedTls): AgentOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    minVersion: TLS_MIN_VERSION,
    ciphers: TLS_CIPHERS,
    rejectUnauthorized: true,
    checkServerIdentity,
  };
}
