// One TLS policy for both directions of mutual TLS: inbound server and outbound client.
import { constants, type X509Certificate } from 'node:crypto';
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
    // No TLS 1.2 renegotiation: a client could otherwise make the server redo handshakes (CPU) on
    // a connection it already holds. TLS 1.3 has no renegotiation at all.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
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

/** Smallest keys a peer certificate may carry: RSA below 2048 bits is breakable with public effort. */
export const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 256;
const EC_CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  'P-256': 256,
  secp384r1: 384,
  'P-384': 384,
  secp521r1: 521,
  'P-521': 521,
};

/**
 * Why a peer's certificate key is too weak to accept, or undefined. The TLS layer (OpenSSL's
 * default security level 1) still lets 1024-bit RSA through, so the servers check after the
 * handshake and close the connection before any request is read.
 */
export function weakKeyProblem(certificate: X509Certificate): string | undefined {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      return bits < MIN_RSA_BITS
        ? `RSA key of ${bits} bits, under the ${MIN_RSA_BITS}-bit minimum`
        : undefined;
    }
    case 'ec': {
      const bits = EC_CURVE_BITS[details.namedCurve ?? ''] ?? 0;
      return bits < MIN_EC_BITS
        ? `EC key on curve ${details.namedCurve ?? 'unknown'}, under the ${MIN_EC_BITS}-bit minimum`
        : undefined;
    }
    case 'ed25519':
    case 'ed448':
      return undefined;
    default:
      return `${key.asymmetricKeyType ?? 'unknown'} key, not RSA or EC`;
  }
}
